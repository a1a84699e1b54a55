import { AppError, api as clientApi } from "../ipc/client";
import { clientKeysApi, type ClientKeysApi } from "../ipc/clients";
import { saveExport } from "../shared/exports";
import { shownTheme } from "../shared/theme";
import { lastDays, rangeMs } from "./range";
import type {
  Api,
  Budget,
  BudgetStatus,
  ChartTheme,
  ChartView,
  ClientKeyView,
  OpenRouterKeyInfo,
  ProviderView,
  SpendFile,
  SpendGrouping,
  SpendReport,
} from "../ipc/client";

/** What the Spend screen needs of the backend (and what its tests fake). */
export type SpendApi = Pick<
  Api,
  | "budgetsList"
  | "budgetSave"
  | "budgetDelete"
  | "spendReport"
  | "spendChart"
  | "spendExport"
  | "keyTest"
  | "providersOverview"
> &
  Pick<ClientKeysApi, "clientKeysList">;

const realApi: SpendApi = { ...clientApi, ...clientKeysApi };

export const GROUPINGS: { id: SpendGrouping; label: string }[] = [
  { id: "day", label: "Day" },
  { id: "week", label: "Week" },
  { id: "month", label: "Month" },
  { id: "model", label: "Model" },
  { id: "provider", label: "Provider" },
  { id: "agent", label: "Agent" },
  { id: "conversation", label: "Conversation" },
  { id: "client", label: "Client (local API key)" },
];

export const VIEWS: { id: ChartView; label: string }[] = [
  { id: "cost", label: "Cost" },
  { id: "tokens", label: "Tokens" },
  { id: "requests", label: "Requests" },
];

/** The OpenRouter key's own account figures, or why there are none. */
export type KeyAccount =
  | { state: "none" }
  | { state: "loading" }
  | { state: "ok"; info: OpenRouterKeyInfo }
  | { state: "error"; message: string };

/** The Spend screen's state: budgets and where they stand, and one spend report with its chart. */
export class SpendState {
  budgets = $state<BudgetStatus[]>([]);
  budgetsError = $state<AppError | null>(null);
  providers = $state<ProviderView[]>([]);
  /** The local API's client keys, revoked ones included, for budgets scoped to one. */
  clientKeys = $state<ClientKeyView[]>([]);
  account = $state<KeyAccount>({ state: "none" });

  grouping = $state<SpendGrouping>("day");
  view = $state<ChartView>("cost");
  /** The colours the chart is drawn in: the app's theme (exports are always light). */
  theme = $state<ChartTheme>(shownTheme());
  since = $state("");
  until = $state("");
  report = $state<SpendReport | null>(null);
  chart = $state<string | null>(null);
  reportError = $state<string | null>(null);
  chartError = $state<string | null>(null);
  loadingReport = $state(false);
  loadingChart = $state(false);
  exported = $state<{ file: SpendFile; path: string } | null>(null);
  exportError = $state<string | null>(null);
  exporting = $state<SpendFile | null>(null);

  /** Bumped per report (table) and per chart request, so a slow older answer never replaces a
   * newer one. */
  #reportSeq = 0;
  #chartSeq = 0;

  constructor(
    private readonly api: SpendApi = realApi,
    /** The moment "today" is taken from, Unix ms (tests pin it). */
    nowMs: number = Date.now(),
  ) {
    const { since, until } = lastDays(30, nowMs);
    this.since = since;
    this.until = until;
  }

  /**
   * Budgets, providers, client keys and the OpenRouter key's figures (the key check runs here
   * once, never on refreshes). The report and its chart load on their own, whenever what they
   * ask for changes.
   */
  async load(): Promise<void> {
    await Promise.all([this.refreshBudgets(), this.loadProviders(), this.loadClientKeys()]);
  }

  /** Without the keys, a client budget cannot be chosen; everything else still works. */
  async loadClientKeys(): Promise<void> {
    try {
      this.clientKeys = await this.api.clientKeysList();
    } catch {
      this.clientKeys = [];
    }
  }

  async refreshBudgets(): Promise<void> {
    try {
      this.budgets = await this.api.budgetsList();
      this.budgetsError = null;
    } catch (e) {
      this.budgetsError = AppError.from(e);
    }
  }

  private async loadProviders(): Promise<void> {
    try {
      const overview = await this.api.providersOverview();
      this.providers = overview.providers;
    } catch {
      this.providers = [];
    }
    const openrouter = this.providers.find((p) => p.id === "openrouter");
    if (!openrouter || openrouter.key.source === "none") {
      this.account = { state: "none" };
      return;
    }
    this.account = { state: "loading" };
    try {
      const check = await this.api.keyTest("openrouter");
      this.account = check.openrouter
        ? { state: "ok", info: check.openrouter }
        : { state: "error", message: "OpenRouter did not report the key's figures." };
    } catch (e) {
      this.account = { state: "error", message: AppError.from(e).message };
    }
  }

  /** Saves (creates when `id` is empty); rejects with the backend's `AppError`. */
  async saveBudget(budget: Budget): Promise<Budget> {
    const saved = await this.api.budgetSave(budget);
    await this.refreshBudgets();
    return saved;
  }

  async deleteBudget(id: string): Promise<void> {
    await this.api.budgetDelete(id);
    await this.refreshBudgets();
  }

  /** The range as the report commands take it, or an error to show instead. */
  get range(): ReturnType<typeof rangeMs> {
    return rangeMs(this.since, this.until);
  }

  /** The table for the grouping and range (the chart loads apart: it alone takes the view). */
  async loadReport(): Promise<void> {
    const seq = ++this.#reportSeq;
    const range = this.range;
    if ("error" in range) {
      this.reportError = range.error;
      return;
    }
    this.loadingReport = true;
    try {
      const report = await this.api.spendReport(this.grouping, range.sinceMs, range.untilMs);
      if (seq !== this.#reportSeq) return;
      this.report = report;
      this.reportError = null;
    } catch (e) {
      if (seq !== this.#reportSeq) return;
      this.reportError = AppError.from(e).message;
    } finally {
      if (seq === this.#reportSeq) this.loadingReport = false;
    }
  }

  /** The chart for the grouping, range, view and theme. */
  async loadChart(): Promise<void> {
    const seq = ++this.#chartSeq;
    const range = this.range;
    if ("error" in range) {
      this.chartError = range.error;
      return;
    }
    this.loadingChart = true;
    try {
      const chart = await this.api.spendChart(
        this.grouping,
        range.sinceMs,
        range.untilMs,
        this.view,
        this.theme,
      );
      if (seq !== this.#chartSeq) return;
      this.chart = chart;
      this.chartError = null;
    } catch (e) {
      if (seq !== this.#chartSeq) return;
      this.chartError = AppError.from(e).message;
    } finally {
      if (seq === this.#chartSeq) this.loadingChart = false;
    }
  }

  /** Saves the report (csv) or its chart (svg, png) to Downloads; shows where. */
  async exportAs(file: SpendFile): Promise<void> {
    const range = this.range;
    if ("error" in range) {
      this.exportError = range.error;
      return;
    }
    await saveExport(this, file, () =>
      this.api.spendExport(this.grouping, range.sinceMs, range.untilMs, this.view, file),
    );
  }
}
