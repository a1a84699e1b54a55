/**
 * Client keys for the local API over Tauri IPC: the keys tools on this machine (Claude Code,
 * Cursor, a script) send, one per tool. The Spend screen lists them for budgets; the Local API
 * screen creates and revokes them.
 */
import { commands } from "./bindings";
import type { ClientKeyBudget, ClientKeyView, CreatedClientKey } from "./bindings";
import { call } from "./client";

export const clientKeysApi = {
  /** Every key, revoked ones included, oldest first (masked). */
  clientKeysList: (): Promise<ClientKeyView[]> => call(commands.clientKeysList()),
  /** Creates a key; the result holds the key itself, to show once (only its hash is kept). */
  clientKeyCreate: (name: string, budget: ClientKeyBudget | null): Promise<CreatedClientKey> =>
    call(commands.clientKeyCreate(name, budget)),
  /** Revokes a key by name or id; resolves with it as it now stands. */
  clientKeyRevoke: (nameOrId: string): Promise<ClientKeyView> =>
    call(commands.clientKeyRevoke(nameOrId)),
};

export type ClientKeysApi = typeof clientKeysApi;
