import {
  AppError,
  api as clientApi,
  type Api,
  type BudgetPeriod,
  type ClientKeyView,
  type CreatedClientKey,
  type LocalApiStatus,
  type Preferences,
} from "../ipc/client";
import { clientKeysApi, type ClientKeysApi } from "../ipc/clients";
import { localApiApi, type LocalApiApi } from "../ipc/localApi";
import { parseDollars } from "../shared/money";
import { snippets, type Snippet } from "./snippets";

/** What the Local API screen needs of the backend (and what its tests fake). */
export type LocalApiScreenApi = Pick<Api, "settingsGet" | "settingsSave" | "routingGet"> &
  ClientKeysApi &
  LocalApiApi;

const realApi: LocalApiScreenApi = { ...clientApi, ...clientKeysApi, ...localApiApi };

/** Shown in the snippets until a key is created here (the secret is shown only once). */
export const KEY_PLACEHOLDER = "<your client key>";
/** The snippets' model when no route exists: any OpenRouter id works, this one is cheap. */
export const DEFAULT_SNIPPET_MODEL = "openai/gpt-4o-mini";

/** `"4242"` → 4242; `null` unless a whole number a user program may listen on. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const port = Number(text.trim());
  return port >= 1024 && port <= 65535 ? port : null;
}

export interface NewKeyDraft {
  name: string;
  /** Dollars, blank for no budget. */
  limit: string;
  period: BudgetPeriod;
}

/**
 * The Local API screen: the server's switch, port and live counts, the client keys, and the
 * set-up snippets. The switch both runs the server now and remembers it for the next launch.
 */
export class LocalApiState {
  status = $state<LocalApiStatus | null>(null);
  preferences = $state<Preferences | null>(null);
  keys = $state<ClientKeyView[]>([]);
  /** The key just created, with its secret: shown once, until dismissed. */
  created = $state<CreatedClientKey | null>(null);
  routeNames = $state<string[]>([]);
  portText = $state("4242");
  busy = $state(false);
  error = $state<AppError | null>(null);
  keyError = $state<string | null>(null);

  constructor(private readonly api: LocalApiScreenApi = realApi) {}

  readonly port = $derived(parsePort(this.portText));
  readonly running = $derived(this.status?.running ?? false);
  readonly origin = $derived(this.status?.origin ?? `http://127.0.0.1:${this.port ?? 4242}`);
  readonly activeKeys = $derived(this.keys.filter((k) => k.revokedMs === null));
  readonly snippetModel = $derived(this.routeNames[0] ?? DEFAULT_SNIPPET_MODEL);
  readonly snippets = $derived<Snippet[]>(
    snippets(this.origin, this.created?.secret ?? KEY_PLACEHOLDER, this.snippetModel),
  );

  async load(): Promise<void> {
    try {
      const [status, preferences, keys, routing] = await Promise.all([
        this.api.localApiStatus(),
        this.api.settingsGet(),
        this.api.clientKeysList(),
        this.api.routingGet(),
      ]);
      this.status = status;
      this.preferences = preferences;
      this.keys = keys;
      this.routeNames = (routing.routes ?? []).map((r) => r.name);
      this.portText = String(preferences.localApi.port);
      this.error = null;
    } catch (e) {
      this.error = AppError.from(e);
    }
  }

  /** The live counts; failures keep the last figures (the next poll tries again). */
  async poll(): Promise<void> {
    try {
      const before = this.status?.served;
      this.status = await this.api.localApiStatus();
      // New traffic: the keys' "last used" moved too.
      if (before !== undefined && this.status.served !== before) {
        this.keys = await this.api.clientKeysList();
      }
    } catch {
      // a transient IPC failure: nothing to show the user
    }
  }

  /** Runs or stops the server, and remembers the choice (and port) for the next launch. */
  async setRunning(on: boolean): Promise<void> {
    const saved = this.preferences?.localApi;
    // Stopping never needs the typed port, which may be half-typed.
    const port = on ? this.port : (this.port ?? saved?.port ?? null);
    if (port === null || !saved) return;
    await this.act(async () => {
      this.status = on ? await this.api.localApiStart(port) : await this.api.localApiStop();
      await this.remember({ startWithApp: on, port });
    });
  }

  /** Moves a running server to the port typed; saves it either way. */
  async applyPort(): Promise<void> {
    const port = this.port;
    const saved = this.preferences?.localApi;
    if (port === null || !saved) return;
    await this.act(async () => {
      if (this.running) this.status = await this.api.localApiStart(port);
      await this.remember({ ...saved, port });
    });
  }

  async createKey(draft: NewKeyDraft): Promise<boolean> {
    this.keyError = null;
    const name = draft.name.trim();
    if (!name) {
      this.keyError = "Name the tool this key is for, such as claude-code.";
      return false;
    }
    let budget = null;
    if (draft.limit.trim()) {
      const limit = parseDollars(draft.limit);
      if (limit === null || Number(limit) <= 0) {
        this.keyError = "A budget is an amount in dollars, such as 5 or 0.50.";
        return false;
      }
      budget = { limit, period: draft.period };
    }
    try {
      this.created = await this.api.clientKeyCreate(name, budget);
      this.keys = await this.api.clientKeysList();
      return true;
    } catch (e) {
      this.keyError = AppError.from(e).message;
      return false;
    }
  }

  async revokeKey(id: string): Promise<void> {
    this.keyError = null;
    try {
      await this.api.clientKeyRevoke(id);
      if (this.created?.key.id === id) this.created = null;
      this.keys = await this.api.clientKeysList();
    } catch (e) {
      this.keyError = AppError.from(e).message;
    }
  }

  dismissCreated(): void {
    this.created = null;
  }

  private async remember(localApi: Preferences["localApi"]): Promise<void> {
    if (!this.preferences) return;
    this.preferences = await this.api.settingsSave({ ...this.preferences, localApi });
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (e) {
      this.error = AppError.from(e);
      await this.poll();
    } finally {
      this.busy = false;
    }
  }
}
