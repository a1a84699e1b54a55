import { AppError, type ChartTheme, type SpendFile } from "../ipc/client";
import type { TeamApi } from "../ipc/team";
import type { DateRange, Reconciliation, TeamChart, TeamSpend } from "../ipc/client";
import { saveExport } from "../shared/exports";
import { shownTheme } from "../shared/theme";
import { grandTotal, mondayUtc, rangeProblem, totalsBy, utcDay, type SpendTotal } from "./format";

/** What the team's spend needs of the backend. */
export type TeamSpendApi = Pick<
  TeamApi,
  "teamSpend" | "teamSpendChart" | "teamSpendExport" | "teamReconcile"
>;

export const CHARTS: { id: TeamChart; label: string }[] = [
  { id: "key", label: "Key" },
  { id: "model", label: "Model" },
  { id: "day", label: "Day" },
];

/**
 * What the team spent over a range of UTC days, by OpenRouter's own figures: per-key and
 * per-model totals, a chart drawn in Rust as Spend's are, a CSV, and the comparison with this
 * machine's ledger for the keys used here. Starts on this week (from Monday, UTC), the week
 * OpenRouter's weekly limits count.
 */
export class TeamSpendState {
  since = $state("");
  until = $state("");
  by = $state<TeamChart>("key");
  theme = $state<ChartTheme>(shownTheme());
  spend = $state<TeamSpend | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  chart = $state<string | null>(null);
  chartError = $state<string | null>(null);
  reconciliation = $state<Reconciliation | null>(null);
  reconcileError = $state<string | null>(null);
  exported = $state<{ file: SpendFile; path: string } | null>(null);
  exportError = $state<string | null>(null);
  exporting = $state<SpendFile | null>(null);

  /** Bumped per request, so a slow older answer never replaces a newer one. */
  #seq = 0;
  #chartSeq = 0;
  readonly #today: string;

  constructor(
    private readonly api: TeamSpendApi,
    nowMs: number,
  ) {
    this.#today = utcDay(nowMs);
    this.since = mondayUtc(nowMs);
    this.until = this.#today;
  }

  readonly byKey = $derived<SpendTotal[]>(totalsBy(this.spend?.rows ?? [], "key"));
  readonly byModel = $derived<SpendTotal[]>(totalsBy(this.spend?.rows ?? [], "model"));
  readonly total = $derived<SpendTotal | null>(this.spend ? grandTotal(this.spend) : null);

  /** The range as the commands take it, or why it cannot be asked for. */
  get range(): DateRange | { error: string } {
    const problem = rangeProblem(this.since, this.until, this.#today);
    return problem === null ? { since: this.since, until: this.until } : { error: problem };
  }

  /** The figures and the comparison with this machine. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    const range = this.range;
    if ("error" in range) {
      this.error = range.error;
      return;
    }
    this.loading = true;
    const [spend, reconciliation] = await Promise.allSettled([
      this.api.teamSpend(range),
      this.api.teamReconcile(range),
    ]);
    if (seq !== this.#seq) return;
    this.loading = false;
    if (spend.status === "fulfilled") {
      this.spend = spend.value;
      this.error = null;
    } else {
      this.error = `The team's spend could not be read. ${AppError.from(spend.reason).message}`;
    }
    if (reconciliation.status === "fulfilled") {
      this.reconciliation = reconciliation.value;
      this.reconcileError = null;
    } else {
      this.reconciliation = null;
      this.reconcileError = AppError.from(reconciliation.reason).message;
    }
  }

  /** The chart for the range, bars and theme. */
  async loadChart(): Promise<void> {
    const seq = ++this.#chartSeq;
    const range = this.range;
    if ("error" in range) return;
    try {
      const chart = await this.api.teamSpendChart(range, this.by, this.theme);
      if (seq !== this.#chartSeq) return;
      this.chart = chart;
      this.chartError = null;
    } catch (e) {
      if (seq !== this.#chartSeq) return;
      this.chartError = `The chart could not be drawn. ${AppError.from(e).message}`;
    }
  }

  /** Saves the figures (csv) or the chart (svg, png) where the person picks; says where. */
  async exportAs(file: SpendFile): Promise<void> {
    const range = this.range;
    if ("error" in range) {
      this.exportError = range.error;
      return;
    }
    await saveExport(this, file, () => this.api.teamSpendExport(range, this.by, file));
  }
}
