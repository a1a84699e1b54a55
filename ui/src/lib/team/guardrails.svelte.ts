import { AppError } from "../ipc/client";
import type { TeamApi } from "../ipc/team";
import type { Guardrail, GuardrailDraft, ZdrRule } from "../ipc/client";
import { parseDollars } from "../shared/money";
import type { ResetChoice } from "./format";

/** What the guardrails need of the backend. */
export type GuardrailsApi = Pick<
  TeamApi,
  | "teamGuardrailsList"
  | "teamGuardrailCreate"
  | "teamGuardrailUpdate"
  | "teamGuardrailDelete"
  | "teamGuardrailAssign"
  | "teamGuardrailUnassign"
>;

/** A guardrail as the form holds it: every field as typed. */
export interface GuardrailForm {
  name: string;
  description: string;
  /** Dollars per key and per member; blank for no budget. */
  budget: string;
  reset: ResetChoice;
  includeByok: boolean;
  /** `author/slug` ids, separated by commas, spaces or lines; blank allows every model. */
  models: string;
  /** Provider slugs (`openai`, `anthropic`), the same way; blank allows every provider. */
  providers: string;
  zdr: ZdrRule;
}

export function emptyGuardrailForm(): GuardrailForm {
  return {
    name: "",
    description: "",
    budget: "",
    reset: "monthly",
    includeByok: false,
    models: "",
    providers: "",
    zdr: { anthropic: false, openai: false, google: false, other: false },
  };
}

export function toGuardrailForm(g: Guardrail): GuardrailForm {
  return {
    name: g.name,
    description: g.description ?? "",
    budget: g.budget ?? "",
    reset: g.budgetReset ?? "never",
    includeByok: g.includeByokInBudget,
    models: g.allowedModels.join(", "),
    providers: g.allowedProviders.join(", "),
    zdr: { ...g.zdr },
  };
}

/** "a, b\nc" → ["a", "b", "c"], without blanks or repeats. */
export function splitList(text: string): string[] {
  const items = text.split(/[\s,]+/).filter((s) => s !== "");
  return items.filter((s, i) => items.indexOf(s) === i);
}

/** The form as the backend takes it, or what is wrong with it. */
export function checkGuardrailForm(f: GuardrailForm): GuardrailDraft | { error: string } {
  const name = f.name.trim();
  if (!name) return { error: "Name the guardrail, such as Interns or Private models only." };
  let budget: string | null = null;
  if (f.budget.trim() !== "") {
    budget = parseDollars(f.budget);
    if (budget === null || !/[1-9]/.test(budget)) {
      return { error: "A budget is an amount in dollars above zero, such as 20 or 2.50." };
    }
  }
  return {
    name,
    description: f.description.trim() === "" ? null : f.description.trim(),
    budget,
    budgetReset: budget === null || f.reset === "never" ? null : f.reset,
    includeByokInBudget: f.includeByok,
    allowedModels: splitList(f.models),
    allowedProviders: splitList(f.providers),
    zdr: { ...f.zdr },
  };
}

/**
 * The team's guardrails: made and edited here, assigned to keys (a key holds one guardrail at
 * most), deleted after a confirmation.
 */
export class GuardrailsState {
  list = $state<Guardrail[]>([]);
  error = $state<string | null>(null);
  /** The guardrail being edited: its id, "new", or none. */
  editing = $state<string | null>(null);
  formError = $state<string | null>(null);
  /** The guardrail waiting for its deletion to be confirmed. */
  deleting = $state<Guardrail | null>(null);
  busy = $state(false);

  constructor(private readonly api: GuardrailsApi) {}

  async load(): Promise<void> {
    try {
      this.list = await this.api.teamGuardrailsList();
      this.error = null;
    } catch (e) {
      this.error = `The guardrails could not be listed. ${AppError.from(e).message}`;
    }
  }

  edit(id: string | "new"): void {
    this.formError = null;
    this.editing = id;
  }

  stopEditing(): void {
    this.editing = null;
    this.formError = null;
  }

  /** Creates (while editing "new") or replaces the one being edited; true once saved. */
  async save(form: GuardrailForm): Promise<boolean> {
    const draft = checkGuardrailForm(form);
    if ("error" in draft) {
      this.formError = draft.error;
      return false;
    }
    const id = this.editing;
    return this.act(async () => {
      const saved =
        id === null || id === "new"
          ? await this.api.teamGuardrailCreate(draft)
          : await this.api.teamGuardrailUpdate(id, draft);
      this.replace(saved);
      this.stopEditing();
    }, "The guardrail was not saved.");
  }

  /**
   * Makes `hashes` exactly the keys `g` is assigned to: assigns it to the new ones (which
   * drops any guardrail they had) and takes it from the ones left out.
   */
  async assignKeys(g: Guardrail, hashes: readonly string[]): Promise<boolean> {
    const add = hashes.filter((h) => !g.keyHashes.includes(h));
    const drop = g.keyHashes.filter((h) => !hashes.includes(h));
    return this.act(async () => {
      let now = g;
      if (add.length > 0) {
        now = await this.api.teamGuardrailAssign(g.id, { keyHashes: add, memberUserIds: [] });
      }
      if (drop.length > 0) {
        now = await this.api.teamGuardrailUnassign(g.id, { keyHashes: drop, memberUserIds: [] });
      }
      // A key holds one guardrail: the others lose the keys this one took.
      this.list = this.list.map((other) =>
        other.id === g.id
          ? now
          : { ...other, keyHashes: other.keyHashes.filter((h) => !add.includes(h)) },
      );
    }, "The assignment was not changed.");
  }

  askDelete(g: Guardrail): void {
    this.error = null;
    this.deleting = g;
  }

  cancelDelete(): void {
    this.deleting = null;
  }

  async confirmDelete(): Promise<void> {
    const g = this.deleting;
    if (!g) return;
    this.deleting = null;
    await this.act(async () => {
      await this.api.teamGuardrailDelete(g.id);
      this.list = this.list.filter((x) => x.id !== g.id);
      if (this.editing === g.id) this.stopEditing();
    }, `${g.name} was not deleted.`);
  }

  private replace(saved: Guardrail): void {
    const at = this.list.findIndex((g) => g.id === saved.id);
    this.list = at < 0 ? [...this.list, saved] : this.list.map((g, i) => (i === at ? saved : g));
  }

  private async act(work: () => Promise<void>, what: string): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.formError = null;
    try {
      await work();
      return true;
    } catch (e) {
      const message = `${what} ${AppError.from(e).message}`;
      if (this.editing !== null) this.formError = message;
      else this.error = message;
      return false;
    } finally {
      this.busy = false;
    }
  }
}
