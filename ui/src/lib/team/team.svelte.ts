import { AppError } from "../ipc/client";
import { teamApi, type TeamApi } from "../ipc/team";
import type {
  CreatedTeamKey,
  ManagementKeyStatus,
  TeamKey,
  TeamKeyChange,
  TeamKeyDraft,
} from "../ipc/client";
import { parseDollars } from "../shared/money";
import { expiryMoment, isDay, limitText, utcDay, type ResetChoice } from "./format";
import { GuardrailsState, type GuardrailsApi } from "./guardrails.svelte";
import { TeamSpendState, type TeamSpendApi } from "./teamSpend.svelte";

/** What the Team screen needs of the backend, its guardrails' and spend's slices included (and
 * what its tests fake). */
export type TeamStateApi = Pick<
  TeamApi,
  | "teamManagementKeyStatus"
  | "teamManagementKeySave"
  | "teamManagementKeyRemove"
  | "teamKeysList"
  | "teamKeyCreate"
  | "teamKeyUpdate"
  | "teamKeyDelete"
> &
  GuardrailsApi &
  TeamSpendApi;

/** The new-key form as typed. */
export interface NewKeyDraft {
  name: string;
  /** Dollars; blank for no limit. */
  limit: string;
  reset: ResetChoice;
  /** A UTC day (`<input type="date">`); blank for never. */
  expires: string;
}

export function emptyKeyDraft(): NewKeyDraft {
  return { name: "", limit: "", reset: "daily", expires: "" };
}

/** A change to a key that waits for the person to confirm it. */
export type TeamAction =
  | { kind: "limit"; key: TeamKey; change: TeamKeyChange; shown: string }
  | { kind: "disable"; key: TeamKey }
  | { kind: "enable"; key: TeamKey }
  | { kind: "delete"; key: TeamKey }
  | { kind: "forget" };

/** The question a confirmation asks, its button, and whether the action is destructive. */
export function describeAction(a: TeamAction): {
  question: string;
  confirm: string;
  danger: boolean;
} {
  switch (a.kind) {
    case "limit":
      return {
        question: `Set the limit of ${a.key.name} to ${a.shown}? OpenRouter applies it at once, on every machine the key is used on.`,
        confirm: "Set limit",
        danger: false,
      };
    case "disable":
      return {
        question: `Disable ${a.key.name}? Every request with it is refused, on every machine, until it is enabled again.`,
        confirm: "Disable key",
        danger: true,
      };
    case "enable":
      return {
        question: `Enable ${a.key.name} again? Requests with it work again, within its limit.`,
        confirm: "Enable key",
        danger: false,
      };
    case "delete":
      return {
        question: `Delete ${a.key.name} for good? Every request with it fails from now on, here and on every other machine. This cannot be undone.`,
        confirm: "Delete key",
        danger: true,
      };
    case "forget":
      return {
        question:
          "Remove the management key from this machine? The team's keys keep working; you need the management key again to manage them here.",
        confirm: "Remove key",
        danger: true,
      };
  }
}

/** What failed, said for a person: the action, then the backend's own sentence. */
function failed(a: TeamAction, e: unknown): string {
  const what: Record<TeamAction["kind"], string> = {
    limit: "The limit was not changed",
    disable: "The key was not disabled",
    enable: "The key was not enabled",
    delete: "The key was not deleted",
    forget: "The management key was not removed",
  };
  return `${what[a.kind]}. ${AppError.from(e).message}`;
}

/**
 * A new limit as typed: blank removes it, otherwise an amount above zero with its reset.
 * Either the change and how it reads ("$5.00 / day"), or what is wrong.
 */
export function checkLimit(
  text: string,
  reset: ResetChoice,
): { change: TeamKeyChange; shown: string } | { error: string } {
  if (text.trim() === "") {
    return { change: { limit: { kind: "noLimit" } }, shown: "no limit" };
  }
  const usd = parseDollars(text);
  if (usd === null || !/[1-9]/.test(usd)) {
    return { error: "A limit is an amount in dollars above zero, such as 5 or 0.50." };
  }
  return {
    change: {
      limit: { kind: "amount", usd },
      limitReset: reset === "never" ? { kind: "never" } : { kind: "every", period: reset },
    },
    shown: limitText(usd, reset === "never" ? null : reset),
  };
}

/** The draft as the backend takes it, or what is wrong with it. */
export function checkKeyDraft(d: NewKeyDraft, nowMs: number): TeamKeyDraft | { error: string } {
  const name = d.name.trim();
  if (!name) return { error: "Name the key, such as the member's name." };
  let limit: string | null = null;
  if (d.limit.trim() !== "") {
    const checked = checkLimit(d.limit, d.reset);
    if ("error" in checked) return checked;
    limit = checked.change.limit?.kind === "amount" ? checked.change.limit.usd : null;
  }
  let expiresAt: string | null = null;
  if (d.expires.trim() !== "") {
    if (!isDay(d.expires)) return { error: "The expiry is not a date." };
    if (d.expires < utcDay(nowMs)) {
      return { error: "The expiry date has passed; pick today or a later day." };
    }
    expiresAt = expiryMoment(d.expires);
  }
  return {
    name,
    limit,
    limitReset: limit === null || d.reset === "never" ? null : d.reset,
    includeByokInLimit: false,
    expiresAt,
  };
}

/**
 * The Team screen: the management key, the members' keys and their limits, and (through
 * `guardrails` and `spend`) the guardrails and what the team spent. Every change to a key
 * waits for a confirmation; a new key's secret is held until dismissed, then dropped.
 */
export class TeamState {
  status = $state<ManagementKeyStatus | null>(null);
  loadError = $state<string | null>(null);
  keys = $state<TeamKey[]>([]);
  keysError = $state<string | null>(null);
  /** Why the management key was not saved. */
  managementError = $state<string | null>(null);
  /** The key just made, with its secret: shown once, until dismissed. */
  created = $state<CreatedTeamKey | null>(null);
  createError = $state<string | null>(null);
  /** The change waiting for confirmation. */
  pending = $state<TeamAction | null>(null);
  actionError = $state<string | null>(null);
  busy = $state(false);

  readonly guardrails: GuardrailsState;
  readonly spend: TeamSpendState;

  constructor(
    private readonly api: TeamStateApi = teamApi,
    /** "Now", Unix ms (tests pin it): for expiry and the spend range. */
    private readonly nowMs: () => number = Date.now,
  ) {
    this.guardrails = new GuardrailsState(api);
    this.spend = new TeamSpendState(api, nowMs());
  }

  get saved(): boolean {
    return this.status?.saved ?? false;
  }

  now(): number {
    return this.nowMs();
  }

  /** Whether a management key is saved; with one, the keys and guardrails. */
  async load(): Promise<void> {
    try {
      this.status = await this.api.teamManagementKeyStatus();
      this.loadError = null;
    } catch (e) {
      this.loadError = `The management key could not be read. ${AppError.from(e).message}`;
      return;
    }
    if (this.status.saved) await this.refresh();
  }

  async refresh(): Promise<void> {
    await Promise.all([this.loadKeys(), this.guardrails.load()]);
  }

  async loadKeys(): Promise<void> {
    try {
      this.keys = await this.api.teamKeysList();
      this.keysError = null;
    } catch (e) {
      this.keysError = `The team's keys could not be listed. ${AppError.from(e).message}`;
    }
  }

  /** Checks the key with OpenRouter and saves it; true once saved. */
  async saveManagementKey(key: string): Promise<boolean> {
    this.managementError = null;
    if (key.trim() === "") {
      this.managementError = "Paste the management key first.";
      return false;
    }
    this.busy = true;
    try {
      this.status = await this.api.teamManagementKeySave(key.trim());
    } catch (e) {
      this.managementError = AppError.from(e).message;
      return false;
    } finally {
      this.busy = false;
    }
    await this.refresh();
    return true;
  }

  /** Makes a member's key; its secret stays in `created` until `dismissCreated`. */
  async createKey(d: NewKeyDraft): Promise<boolean> {
    this.createError = null;
    const draft = checkKeyDraft(d, this.nowMs());
    if ("error" in draft) {
      this.createError = draft.error;
      return false;
    }
    this.busy = true;
    let created: CreatedTeamKey;
    try {
      created = await this.api.teamKeyCreate(draft);
    } catch (e) {
      this.createError = `The key was not created. ${AppError.from(e).message}`;
      return false;
    } finally {
      this.busy = false;
    }
    this.created = created;
    await this.loadKeys();
    // The list may lag behind the create; the new key shows at once either way.
    if (!this.keys.some((k) => k.hash === created.key.hash))
      this.keys = [...this.keys, created.key];
    return true;
  }

  /** Forgets the secret: from now on only the key's label is known. */
  dismissCreated(): void {
    this.created = null;
  }

  /** Asks to change `key`'s limit; false (with `actionError`) when the amount is wrong. */
  askLimit(key: TeamKey, text: string, reset: ResetChoice): boolean {
    const checked = checkLimit(text, reset);
    if ("error" in checked) {
      this.actionError = checked.error;
      return false;
    }
    this.ask({ kind: "limit", key, ...checked });
    return true;
  }

  ask(action: TeamAction): void {
    this.actionError = null;
    this.pending = action;
  }

  cancel(): void {
    this.pending = null;
  }

  /** Carries out the confirmed change. */
  async confirm(): Promise<void> {
    const action = this.pending;
    if (!action) return;
    this.pending = null;
    this.actionError = null;
    this.busy = true;
    try {
      await this.perform(action);
    } catch (e) {
      this.actionError = failed(action, e);
    } finally {
      this.busy = false;
    }
  }

  private async perform(a: TeamAction): Promise<void> {
    if (a.kind === "forget") {
      this.status = await this.api.teamManagementKeyRemove();
      this.keys = [];
      this.guardrails.list = [];
      this.created = null;
      return;
    }
    if (a.kind === "delete") {
      await this.api.teamKeyDelete(a.key.hash);
      this.keys = this.keys.filter((k) => k.hash !== a.key.hash);
      if (this.created?.key.hash === a.key.hash) this.created = null;
      return;
    }
    const change: TeamKeyChange =
      a.kind === "limit" ? a.change : { disabled: a.kind === "disable" };
    const updated = await this.api.teamKeyUpdate(a.key.hash, change);
    this.keys = this.keys.map((k) => (k.hash === updated.hash ? updated : k));
  }
}
