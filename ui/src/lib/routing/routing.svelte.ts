import { AppError, api as realApi } from "../ipc/client";
import type {
  Api,
  Decision,
  ModelChoice,
  ProviderId,
  RouterConfig,
  RoutingHealth,
  TaskLearning,
} from "../ipc/client";
import { providerLabel } from "../shared/providerNames";
import * as edit from "./draft";
import {
  MAX_IMPORT_BYTES,
  isBlankToml,
  isEmptyConfig,
  toConfig,
  toDraft,
  toRequest,
  type Draft,
  type Sample,
} from "./draft";

/** What the Routing screen needs of the backend (and what its tests fake). */
export type RoutingApi = Pick<
  Api,
  | "routingGet"
  | "routingSave"
  | "routingExplain"
  | "routingHealth"
  | "routingLearned"
  | "routingExport"
  | "routingImport"
  | "modelsList"
  | "providersOverview"
>;

/** The id of the view's model suggestions `<datalist>` for a provider. */
export function modelListId(routing: RoutingState, provider: ProviderId): string {
  return `routing-models-${Math.max(
    0,
    routing.providers.findIndex((p) => p.id === provider),
  )}`;
}

const EXPLAIN_DEBOUNCE_MS = 200;

/** The Routing screen's state: the saved configuration, the draft being edited, the explain
 * panel and live health. */
export class RoutingState {
  /** The configuration in force (what explain and health see). */
  saved = $state<RouterConfig | null>(null);
  draft = $state<Draft | null>(null);
  loadError = $state<string | null>(null);
  saving = $state(false);
  saveError = $state<string | null>(null);
  notice = $state<string | null>(null);
  importError = $state<{ message: string; line: number | null; text: string | null } | null>(null);
  /** An imported file was blank and would delete the saved configuration: waiting for the
   * user to confirm or cancel. */
  confirmingEmpty = $state(false);
  exportPath = $state<string | null>(null);
  /** The save dialog is open. */
  exporting = $state(false);

  models = $state<ModelChoice[]>([]);
  providers = $state<{ id: ProviderId; name: string }[]>([
    { id: "openrouter", name: "OpenRouter" },
    { id: "openai", name: "OpenAI" },
    { id: "anthropic", name: "Anthropic" },
  ]);

  sample = $state<Sample>({
    task: "",
    route: "",
    provider: "openrouter",
    model: "",
    prompt: "",
    promptTokens: null,
    maxOutputTokens: null,
    capabilities: [],
    image: false,
  });
  decision = $state<Decision | null>(null);
  explainError = $state<string | null>(null);
  explaining = $state(false);

  health = $state<RoutingHealth | null>(null);
  healthError = $state<string | null>(null);
  /** When `health` arrived (ms since epoch), for the circuit countdowns. */
  healthAt = $state(0);
  /** Now, ticking for the countdowns. */
  now = $state(Date.now());

  /** What the smart strategy has learned, per task type. */
  learned = $state<TaskLearning[] | null>(null);
  learnedError = $state<string | null>(null);

  /** What is saved as the editor would send it back: the draft is compared with this. Keys are
   * not made for it (`toConfig` drops them anyway). */
  private savedJson = $derived(
    this.saved ? JSON.stringify(toConfig(toDraft(this.saved, null, () => 0))) : null,
  );
  /** The draft differs from what is saved. */
  dirty = $derived.by(() => {
    if (!this.draft || this.savedJson === null) return false;
    return JSON.stringify(toConfig(this.draft)) !== this.savedJson;
  });
  /** The names of the saved routes (what a sample request may name). */
  savedRoutes = $derived((this.saved?.routes ?? []).map((r) => r.name));

  private timer: ReturnType<typeof setTimeout> | null = null;
  private explainSeq = 0;

  constructor(private readonly api: RoutingApi = realApi) {}

  /** How screens name provider `id`: its name in Settings, never a custom provider's id. */
  providerName(id: ProviderId): string {
    return providerLabel(id, this.providers.find((p) => p.id === id)?.name);
  }

  async load(): Promise<void> {
    try {
      const config = await this.api.routingGet();
      this.adopt(config);
      this.loadError = null;
    } catch (e) {
      this.loadError = AppError.from(e).message;
      return;
    }
    const first = this.savedRoutes[0];
    if (this.sample.route === "" && this.sample.model === "" && first !== undefined) {
      // A sample must name a route or a model unless a rule picks one; start with a route.
      this.sample.route = first;
    }
    await Promise.all([
      this.loadPickers(),
      this.explain(),
      this.refreshHealth(),
      this.refreshLearned(),
    ]);
  }

  private async loadPickers(): Promise<void> {
    const [models, overview] = await Promise.allSettled([
      this.api.modelsList(),
      this.api.providersOverview(),
    ]);
    if (models.status === "fulfilled") this.models = models.value;
    if (overview.status === "fulfilled" && overview.value.providers.length) {
      this.providers = overview.value.providers.map((p) => ({ id: p.id, name: p.name }));
    }
  }

  private adopt(config: RouterConfig): void {
    this.saved = config;
    this.draft = toDraft(config, this.draft);
    const names = (config.routes ?? []).map((r) => r.name);
    if (this.sample.route !== "" && !names.includes(this.sample.route)) {
      // The sample named a route that is gone: name the first one instead, if any.
      this.sample.route = names[0] ?? "";
    }
  }

  /** Saves the whole draft; a refusal keeps the draft and says what is wrong. */
  async save(): Promise<boolean> {
    if (!this.draft) return false;
    this.saving = true;
    this.notice = null;
    try {
      const config = await this.api.routingSave(toConfig(this.draft));
      this.adopt(config);
      this.saveError = null;
      this.notice = "Saved. The router uses it now.";
    } catch (e) {
      this.saveError = AppError.from(e).message;
      return false;
    } finally {
      this.saving = false;
    }
    await this.explain();
    return true;
  }

  revert(): void {
    if (!this.saved) return;
    this.draft = toDraft(this.saved, this.draft);
    this.saveError = null;
    this.notice = null;
  }

  /** Reads a chosen file and imports it; one past the size limit is refused unread. */
  async importFile(file: Blob): Promise<void> {
    this.notice = null;
    this.confirmingEmpty = false;
    if (file.size > MAX_IMPORT_BYTES) {
      this.importError = {
        message: `The file is ${file.size} bytes; a routing file is at most ${MAX_IMPORT_BYTES} bytes (1 MiB). Nothing was changed.`,
        line: null,
        text: null,
      };
      return;
    }
    await this.importToml(await file.text());
  }

  async importToml(text: string): Promise<void> {
    this.notice = null;
    this.confirmingEmpty = false;
    if (isBlankToml(text)) {
      // The backend refuses a blank import; replacing a configuration with nothing is done
      // only after the user says so.
      this.importError = null;
      if (isEmptyConfig(this.saved)) {
        this.notice =
          "The file holds no routes, rules or limits, and neither does the configuration: nothing changed.";
      } else {
        this.confirmingEmpty = true;
      }
      return;
    }
    try {
      const config = await this.api.routingImport(text);
      this.adopt(config);
      this.importError = null;
      this.saveError = null;
      const routes = config.routes?.length ?? 0;
      const rules = config.rules?.length ?? 0;
      this.notice = `Imported and saved: ${routes} route${routes === 1 ? "" : "s"}, ${rules} rule${rules === 1 ? "" : "s"}.`;
    } catch (e) {
      const message = AppError.from(e).message;
      const m = /^line (\d+):/.exec(message);
      const line = m ? Number(m[1]) : null;
      const lineText = line !== null ? (text.split(/\r?\n/)[line - 1] ?? null) : null;
      this.importError = { message, line, text: lineText };
      return;
    }
    await this.explain();
  }

  /** The user confirmed: replace the configuration with an empty one, as the blank file
   * would. */
  async confirmEmptyImport(): Promise<void> {
    if (!this.confirmingEmpty) return;
    this.confirmingEmpty = false;
    try {
      this.adopt(await this.api.routingSave({ routes: [], rules: [], limits: [] }));
      this.importError = null;
      this.saveError = null;
      this.notice = "Replaced with an empty configuration: no routes, rules or limits.";
    } catch (e) {
      this.importError = { message: AppError.from(e).message, line: null, text: null };
      return;
    }
    await this.explain();
  }

  cancelEmptyImport(): void {
    this.confirmingEmpty = false;
    this.notice = "Not imported: the configuration is unchanged.";
  }

  /** Resolves once the save dialog is answered: the path saved to, or none when cancelled. */
  async exportToml(): Promise<void> {
    this.notice = null;
    this.exporting = true;
    try {
      this.exportPath = await this.api.routingExport();
    } catch (e) {
      this.exportPath = null;
      this.notice = `Export failed: ${AppError.from(e).message}`;
    } finally {
      this.exporting = false;
    }
  }

  // ---- routes

  addRoute(): void {
    if (this.draft) edit.addRoute(this.draft);
  }

  /** Renames a route and every rule that names it. */
  renameRoute(index: number, name: string): void {
    if (this.draft) edit.renameRoute(this.draft, index, name);
  }

  removeRoute(index: number): void {
    this.draft?.routes.splice(index, 1);
  }

  moveRoute(index: number, by: number): void {
    if (this.draft) edit.move(this.draft.routes, index, index + by);
  }

  addTarget(routeIndex: number, provider: ProviderId, model: string): void {
    if (this.draft) edit.addTarget(this.draft, routeIndex, provider, model);
  }

  removeTarget(routeIndex: number, targetIndex: number): void {
    this.draft?.routes[routeIndex]?.targets.splice(targetIndex, 1);
  }

  moveTarget(routeIndex: number, targetIndex: number, by: number): void {
    const route = this.draft?.routes[routeIndex];
    if (route) edit.move(route.targets, targetIndex, targetIndex + by);
  }

  // ---- rules

  addRule(): void {
    if (this.draft) edit.addRule(this.draft);
  }

  removeRule(index: number): void {
    this.draft?.rules.splice(index, 1);
  }

  moveRule(index: number, by: number): void {
    if (this.draft) edit.move(this.draft.rules, index, index + by);
  }

  // ---- explain

  /** Explains the sample again in ~200 ms; calls in between restart the wait. */
  scheduleExplain(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.explain();
    }, EXPLAIN_DEBOUNCE_MS);
  }

  /** Explains the sample now, against the saved configuration. */
  async explain(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const seq = ++this.explainSeq;
    this.explaining = true;
    try {
      const decision = await this.api.routingExplain(toRequest(this.sample));
      if (seq !== this.explainSeq) return;
      this.decision = decision;
      this.explainError = null;
    } catch (e) {
      if (seq !== this.explainSeq) return;
      this.decision = null;
      this.explainError = AppError.from(e).message;
    } finally {
      if (seq === this.explainSeq) this.explaining = false;
    }
  }

  // ---- health

  async refreshHealth(): Promise<void> {
    try {
      this.health = await this.api.routingHealth();
      this.healthAt = Date.now();
      this.now = this.healthAt;
      this.healthError = null;
    } catch (e) {
      this.healthError = AppError.from(e).message;
    }
  }

  async refreshLearned(): Promise<void> {
    try {
      this.learned = await this.api.routingLearned();
      this.learnedError = null;
    } catch (e) {
      this.learnedError = AppError.from(e).message;
    }
  }

  tick(): void {
    this.now = Date.now();
  }

  /** What is left of a circuit's `retry_in_ms`, counting down from when health arrived. */
  retryIn(ms: number | null): number | null {
    if (ms === null) return null;
    return Math.max(0, ms - (this.now - this.healthAt));
  }

  /** Stops a pending explain (the screen is closing). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
