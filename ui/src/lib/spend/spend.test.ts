import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type {
  Budget,
  BudgetAlert,
  BudgetStatus,
  ChartTheme,
  KeyCheck,
  ProviderView,
  SpendReport,
} from "../ipc/client";
import { AppError } from "../ipc/errors";
import { moneyExact, parseDollars } from "../shared/money";
// The Rust side's own snapshots of charts plotters drew, light and dark.
import plottersSvg from "../../../../src-tauri/crates/reports/tests/snapshots/spend-by-day.svg?raw";
import plottersDarkSvg from "../../../../src-tauri/crates/reports/tests/snapshots/spend-by-day-dark.svg?raw";
import { applyTheme } from "../shared/theme";
import BudgetNotices from "./BudgetNotices.svelte";
import {
  barValue,
  checkDraft,
  emptyDraft,
  parseAlerts,
  remaining,
  subtractMoney,
  toDraft,
} from "./budgets";
import { sanitizeChart } from "../shared/chart";
import { NoticesState } from "./notices.svelte";
import { dateInput, lastDays, localMidnightMs, rangeMs } from "./range";
import SpendView from "./SpendView.svelte";
import { SpendState, type SpendApi } from "./spend.svelte";

const CHART = `<svg width="200" height="100" viewBox="0 0 200 100" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="200" height="100" fill="#FFFFFF" stroke="none"/>
<text x="10" y="20" font-family="sans-serif" font-size="12" fill="#282C34">Spend by day</text>
</svg>`;

function provider(id: string, name: string, keyed: boolean): ProviderView {
  return {
    id,
    kind: id === "openrouter" ? "open_router" : "open_ai",
    name,
    baseUrl: "https://example.test/v1",
    baseUrlSource: "default",
    defaultBaseUrl: "https://example.test/v1",
    baseUrlEnvVar: null,
    key: {
      source: keyed ? "keychain" : "none",
      masked: keyed ? "••••a1b2" : null,
      envVar: null,
      envShadowed: false,
    },
    notice: null,
  } as ProviderView;
}

function status(b: Partial<Budget>, over: Partial<BudgetStatus> = {}): BudgetStatus {
  return {
    budget: {
      id: "b1",
      name: "Daily cap",
      scope: "global",
      scopeValue: null,
      period: "day",
      limit: "0.007",
      alerts: [50, 80, 100],
      hard: true,
      ...b,
    },
    spent: "0",
    reserved: "0",
    unknownRequests: 0,
    periodStartMs: new Date(2026, 10, 24).getTime(),
    fraction: 0,
    exhausted: false,
    ...over,
  };
}

const REPORT: SpendReport = {
  grouping: "day",
  sinceMs: null,
  untilMs: null,
  total: "0.30000000000000001",
  unknownRequests: 2,
  rows: [
    {
      key: "2026-11-23",
      label: "2026-11-23",
      cost: "0.1",
      unknownRequests: 0,
      requests: 3,
      promptTokens: 1200,
      completionTokens: 300,
      reasoningTokens: 0,
      cachedTokens: 100,
    },
    {
      key: "2026-11-24",
      label: "2026-11-24",
      cost: "0.20000000000000001",
      unknownRequests: 2,
      requests: 4,
      promptTokens: 800,
      completionTokens: 700,
      reasoningTokens: 50,
      cachedTokens: 0,
    },
  ],
};

interface Fake extends SpendApi {
  budgets: BudgetStatus[];
  saved: Budget[];
  deleted: string[];
  reports: [string, number | null, number | null][];
  charts: string[];
  chartThemes: ChartTheme[];
  exports: string[];
  keyTests: number;
}

function fakeApi(opts: { keyed?: boolean; keyFails?: boolean } = {}): Fake {
  const fake: Fake = {
    budgets: [],
    saved: [],
    deleted: [],
    reports: [],
    charts: [],
    chartThemes: [],
    exports: [],
    keyTests: 0,
    budgetsList: async () => fake.budgets,
    budgetSave: async (b) => {
      if (b.name === "bad") {
        throw new AppError({ code: "invalid_input", message: "no good", retryable: false });
      }
      const saved = { ...b, id: b.id || `id-${fake.saved.length + 1}` };
      fake.saved.push(saved);
      fake.budgets = [
        ...fake.budgets.filter((s) => s.budget.id !== saved.id),
        status(saved, { spent: "0" }),
      ];
      return saved;
    },
    budgetDelete: async (id) => {
      fake.deleted.push(id);
      fake.budgets = fake.budgets.filter((s) => s.budget.id !== id);
    },
    spendReport: async (grouping, since, until) => {
      fake.reports.push([grouping, since, until]);
      return { ...REPORT, grouping, sinceMs: since, untilMs: until };
    },
    spendChart: async (_g, _s, _u, view, theme) => {
      fake.charts.push(view);
      fake.chartThemes.push(theme);
      return CHART;
    },
    spendExport: async (_g, _s, _u, _v, file) => {
      fake.exports.push(file);
      return `/home/me/Downloads/switchboard-spend.${file}`;
    },
    keyTest: async (): Promise<KeyCheck> => {
      fake.keyTests += 1;
      if (opts.keyFails) {
        throw new AppError({ code: "network", message: "offline", retryable: true });
      }
      return {
        latencyMs: 12,
        modelsVisible: null,
        openrouter: {
          label: "sk-or…a1b2",
          usageUsd: "0.42",
          limitUsd: "10",
          limitRemainingUsd: "9.58",
          isFreeTier: false,
        },
      };
    },
    clientKeysList: async () => [],
    providersOverview: async () => ({
      keychain: { available: true, backend: "Secret Service", detail: null },
      providers: [
        provider("openrouter", "OpenRouter", opts.keyed ?? true),
        provider("openai", "OpenAI", false),
      ],
    }),
  };
  return fake;
}

const noEvents = () => () => {};
const NOW = new Date(2026, 10, 24, 15, 30).getTime();

describe("date range", () => {
  it("starts at local midnight and ends at the next local midnight (inclusive until)", () => {
    expect(localMidnightMs("2026-11-24")).toBe(new Date(2026, 10, 24).getTime());
    const r = rangeMs("2026-11-01", "2026-11-24");
    expect(r).toEqual({
      sinceMs: new Date(2026, 10, 1).getTime(),
      untilMs: new Date(2026, 10, 25).getTime(),
    });
  });

  it("crosses month and year ends, and one day is a whole day", () => {
    expect(rangeMs("2026-12-31", "2026-12-31")).toEqual({
      sinceMs: new Date(2026, 11, 31).getTime(),
      untilMs: new Date(2027, 0, 1).getTime(),
    });
  });

  it("leaves an empty end open and rejects reversed or impossible dates", () => {
    expect(rangeMs("", "")).toEqual({ sinceMs: null, untilMs: null });
    expect(rangeMs("2026-11-02", "")).toEqual({
      sinceMs: new Date(2026, 10, 2).getTime(),
      untilMs: null,
    });
    expect(rangeMs("2026-11-25", "2026-11-24")).toHaveProperty("error");
    expect(rangeMs("2026-02-31", "")).toHaveProperty("error");
    expect(rangeMs("", "2026-02-30")).toHaveProperty("error");
    expect(localMidnightMs("24/11/2026")).toBeNull();
  });

  it("defaults to the last 30 days, today included", () => {
    expect(lastDays(30, NOW)).toEqual({ since: "2026-10-26", until: "2026-11-24" });
    expect(dateInput(new Date(2026, 0, 5))).toBe("2026-01-05");
  });
});

describe("budget form", () => {
  it("accepts dollars as exact decimals and alerts as sorted unique percents", () => {
    expect(parseDollars("$5")).toBe("5");
    expect(parseDollars(" 0.007 ")).toBe("0.007");
    expect(parseDollars(".5")).toBe("0.5");
    expect(parseDollars("1,000.25")).toBe("1000.25");
    expect(parseDollars("0.1234567890123456789")).toBe("0.1234567890123456789");
    for (const bad of ["", "abc", "1e3", "-1", "5.", "1.2.3", "$"]) {
      expect(parseDollars(bad), bad).toBeNull();
    }
    expect(parseAlerts("80, 50,100, 50")).toEqual([50, 80, 100]);
    expect(parseAlerts("50% 90%")).toEqual([50, 90]);
    expect(parseAlerts("")).toEqual([]);
    expect(parseAlerts("50, x")).toBeNull();
    expect(parseAlerts("0")).toBeNull();
    expect(parseAlerts("12.5")).toBeNull();
  });

  it("names each wrong field and builds the budget when all are right", () => {
    const bad = checkDraft({ ...emptyDraft(), scope: "model", limit: "0", alerts: "a" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.errors).sort()).toEqual(["alerts", "limit", "name", "scopeValue"]);
    }
    const good = checkDraft({
      ...emptyDraft(),
      name: " Daily cap ",
      scope: "provider",
      scopeValue: "openrouter",
      period: "day",
      limit: "$0.007",
      alerts: "100, 50",
      hard: true,
    });
    expect(good).toEqual({
      ok: true,
      budget: {
        id: "",
        name: "Daily cap",
        scope: "provider",
        scopeValue: "openrouter",
        period: "day",
        limit: "0.007",
        alerts: [50, 100],
        hard: true,
      },
    });
    const global = checkDraft({ ...emptyDraft(), name: "x", limit: "1", scopeValue: "stale" });
    expect(global.ok && global.budget.scopeValue).toBeNull();
  });

  it("round-trips a saved budget through the draft", () => {
    const b = status({ scope: "model", scopeValue: "openai/gpt-4o" }).budget;
    const again = checkDraft(toDraft(b));
    expect(again).toEqual({ ok: true, budget: b });
  });
});

describe("money", () => {
  it("subtracts and shows amounts exactly, never through floats", () => {
    // As floats, 0.3 - 0.1 is 0.19999999999999998.
    expect(subtractMoney("0.3", "0.1")).toBe("0.2");
    expect(subtractMoney("0.007", "0.006004")).toBe("0.000996");
    expect(remaining(status({ limit: "10.00" }, { spent: "0.000000000000000001" }))).toBe(
      "9.999999999999999999",
    );
    expect(remaining(status({ limit: "1" }, { spent: "1.5" }))).toBe("0");
    expect(moneyExact("0.006004")).toBe("$0.006004");
    expect(moneyExact("12.5")).toBe("$12.50");
    expect(moneyExact("0.0000001"), "every digit, never rounded to $0").toBe("$0.0000001");
  });

  it("fills the bar from the fraction, or from the exact comparison when there is none", () => {
    expect(barValue(status({}, { fraction: 0.5 }))).toBe(0.5);
    expect(barValue(status({ limit: "1" }, { fraction: null, spent: "1" }))).toBe(1);
    expect(barValue(status({ limit: "1" }, { fraction: null, spent: "0.99" }))).toBe(0);
  });
});

describe("chart sanitizing", () => {
  it("keeps the drawing and drops scripts, handlers, links and styles", () => {
    const hostile = CHART.replace(
      "</svg>",
      `<script>alert(1)</script><a href="javascript:alert(2)"><text>x</text></a>
       <rect onclick="alert(3)" style="fill:red" width="1" height="1"/>
       <foreignObject><div>html</div></foreignObject><image href="https://evil.test/x.png"/>
       <use href="#a"/></svg><img src=x onerror="alert(4)">`,
    );
    const host = document.createElement("div");
    host.append(sanitizeChart(`<?xml version="1.0"?>${hostile}`));
    const html = host.innerHTML;
    expect(host.querySelectorAll("svg")).toHaveLength(1);
    expect(host.querySelector("svg text")?.textContent).toContain("Spend by day");
    for (const bad of ["script", "onclick", "onerror", "style=", "foreignObject", "<img", "href"]) {
      expect(html, bad).not.toContain(bad);
    }
  });

  it("sanitizes the real plotters output without losing shapes", () => {
    const svg = plottersSvg;
    const host = document.createElement("div");
    host.append(sanitizeChart(svg));
    const count = (tag: string) => (svg.match(new RegExp(`<${tag}[ >]`, "g")) ?? []).length;
    for (const tag of ["rect", "line", "polyline", "text"]) {
      expect(host.querySelectorAll(tag).length, tag).toBe(count(tag));
    }
    expect(host.querySelector("svg")?.getAttribute("viewBox")).toBe("0 0 800 400");
  });

  it("leaves the chart no pixel size of its own, so it scales to fill its card", () => {
    const host = document.createElement("div");
    host.append(sanitizeChart(plottersSvg));
    const svg = host.querySelector("svg");
    expect(svg?.hasAttribute("width"), "no fixed width").toBe(false);
    expect(svg?.hasAttribute("height"), "no fixed height").toBe(false);
    expect(svg?.getAttribute("viewBox"), "its proportions kept").toBe("0 0 800 400");
    expect(svg?.getAttribute("aria-label"), "named by its caption").toBe(
      "Spend by day: $4.84 in all",
    );

    const sized = document.createElement("div");
    sized.append(sanitizeChart('<svg width="640" height="320"><rect/></svg>'));
    expect(sized.querySelector("svg")?.getAttribute("viewBox"), "made from its size").toBe(
      "0 0 640 320",
    );
  });
});

describe("chart theme", () => {
  /** ui/src/app.css as written (Vitest turns a `?raw` CSS import into an empty string). */
  async function appCss(): Promise<string> {
    const specifier = "node:fs"; // no @types/node in this project: keep the import untyped
    const fs = (await import(/* @vite-ignore */ specifier)) as {
      existsSync(path: string): boolean;
      readFileSync(path: string, encoding: "utf8"): string;
    };
    // Vitest runs from ui/ (npx -w ui) or from the repo root.
    const cwd = (globalThis as { process?: { cwd(): string } }).process?.cwd() ?? ".";
    const path = [`${cwd}/src/app.css`, `${cwd}/ui/src/app.css`].find((p) => fs.existsSync(p));
    if (!path) throw new Error(`app.css not found from ${cwd}`);
    return fs.readFileSync(path, "utf8");
  }
  /** The value of `--name` in the block of `css` whose selector is `selector`. */
  function cssVar(css: string, selector: string, name: string): string | undefined {
    const block = css.split(`${selector} {`)[1]?.split("}")[0] ?? "";
    return block
      .match(new RegExp(`--${name}:\\s*([^;]+);`))?.[1]
      ?.trim()
      .toLowerCase();
  }
  const background = (svg: string) => svg.match(/<rect[^>]* fill="(#[0-9A-Fa-f]{6})"/)?.[1];

  it("draws each theme's chart on that theme's card colour", async () => {
    const css = await appCss();
    const light = cssVar(css, ':root,\n:root[data-theme="light"]', "surface");
    const dark = cssVar(css, ':root[data-theme="dark"]', "surface");
    expect(light).toMatch(/^#[0-9a-f]{6}$/);
    expect(dark).toMatch(/^#[0-9a-f]{6}$/);
    expect(background(plottersSvg)?.toLowerCase()).toBe(light);
    expect(background(plottersDarkSvg)?.toLowerCase(), "ui/src/app.css and chart.rs agree").toBe(
      dark,
    );
  });
});

describe("SpendState", () => {
  it("asks for the report over the chosen local days, until inclusive", async () => {
    const api = fakeApi();
    const spend = new SpendState(api, NOW);
    spend.since = "2026-11-20";
    spend.until = "2026-11-24";
    spend.grouping = "model";
    await spend.loadReport();
    expect(api.reports.at(-1)).toEqual([
      "model",
      new Date(2026, 10, 20).getTime(),
      new Date(2026, 10, 25).getTime(),
    ]);
    expect(spend.report?.total).toBe(REPORT.total);
    spend.since = "2026-11-30";
    await spend.loadReport();
    expect(spend.reportError).toMatch(/after/);
    expect(api.reports).toHaveLength(1);
  });

  it("keeps the newest chart when an older request answers last", async () => {
    const api = fakeApi();
    const answers: ((svg: string) => void)[] = [];
    api.spendChart = (_g, _s, _u, view) => {
      api.charts.push(view);
      return new Promise((resolve) => answers.push(resolve));
    };
    const spend = new SpendState(api, NOW);
    const first = spend.loadChart();
    spend.view = "tokens";
    const second = spend.loadChart();
    answers[1]?.("<svg>tokens</svg>");
    await second;
    answers[0]?.("<svg>cost</svg>");
    await first;
    expect(api.charts).toEqual(["cost", "tokens"]);
    expect(spend.chart).toBe("<svg>tokens</svg>");
    expect(api.reports, "the table is not asked for").toEqual([]);
  });

  it("checks the OpenRouter key once, only when one is set", async () => {
    const api = fakeApi();
    const spend = new SpendState(api, NOW);
    await spend.load();
    await spend.refreshBudgets();
    expect(api.keyTests).toBe(1);
    expect(spend.account).toMatchObject({ state: "ok", info: { limitRemainingUsd: "9.58" } });

    const none = fakeApi({ keyed: false });
    const m2 = new SpendState(none, NOW);
    await m2.load();
    expect(none.keyTests).toBe(0);
    expect(m2.account).toEqual({ state: "none" });

    const failing = new SpendState(fakeApi({ keyFails: true }), NOW);
    await failing.load();
    expect(failing.account).toEqual({ state: "error", message: "offline" });
  });

  it("exports and remembers where the file went", async () => {
    const api = fakeApi();
    const spend = new SpendState(api, NOW);
    await spend.exportAs("png");
    expect(spend.exported).toEqual({
      file: "png",
      path: "/home/me/Downloads/switchboard-spend.png",
    });
  });
});

describe("SpendView", () => {
  afterEach(() => {
    delete document.documentElement.dataset.theme;
  });

  it("asks for the chart in the theme shown and redraws it when the theme changes", async () => {
    applyTheme("dark");
    const api = fakeApi();
    const spend = new SpendState(api, NOW);
    expect(spend.theme, "a model made in dark mode starts dark").toBe("dark");
    render(SpendView, { spend, listen: noEvents });
    await waitFor(() => expect(api.chartThemes).toEqual(["dark"]));

    applyTheme("light");
    await waitFor(() => expect(api.chartThemes).toEqual(["dark", "light"]));
    expect(api.charts, "the same chart, recoloured").toEqual(["cost", "cost"]);
    expect(api.reports, "the table is not fetched again").toHaveLength(1);

    // Applying the theme already shown asks for nothing.
    applyTheme("light");
    await fireEvent.change(screen.getByTestId("spend-view"), { target: { value: "tokens" } });
    await waitFor(() => expect(api.charts.at(-1)).toBe("tokens"));
    expect(api.chartThemes).toEqual(["dark", "light", "light"]);
  });

  it("lists budgets with their bar, figures and state", async () => {
    const api = fakeApi();
    api.budgets = [
      status(
        { id: "a", name: "Daily cap" },
        { spent: "0.006004", reserved: "0.0001", fraction: 0.857, unknownRequests: 2 },
      ),
      status(
        { id: "b", name: "Monthly", period: "month", limit: "5" },
        { spent: "5.01", fraction: 1.002, exhausted: true },
      ),
    ];
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const rows = await screen.findAllByTestId("budget-row");
    expect(rows).toHaveLength(2);
    const [first, second] = rows as [HTMLElement, HTMLElement];
    expect(first.dataset.exhausted).toBe("false");
    expect(first).toHaveTextContent("$0.006004 spent of $0.007");
    expect(first).toHaveTextContent("$0.000996 left");
    expect(first).toHaveTextContent("$0.0001 reserved");
    expect(first).toHaveTextContent("today, since");
    expect(first).toHaveTextContent("2 requests of unknown cost");
    expect(first.querySelector("meter")?.getAttribute("value")).toBe("0.857");
    expect(second.dataset.exhausted).toBe("true");
    expect(second).toHaveTextContent("refusing requests");
    expect(second).toHaveTextContent("this month");
    expect(second.querySelector("meter")?.getAttribute("value")).toBe("1");
    expect(await screen.findByTestId("openrouter-remaining")).toHaveTextContent("$9.58");
  });

  it("creates a budget from the form, showing field errors first", async () => {
    const api = fakeApi();
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const form = await screen.findByTestId("budget-form");
    await fireEvent.click(within(form).getByTestId("budget-save"));
    expect(form).toHaveTextContent("Give it a name.");
    expect(form).toHaveTextContent("A dollar amount");
    expect(api.saved).toHaveLength(0);

    await fireEvent.input(within(form).getByTestId("budget-name"), {
      target: { value: "OpenRouter daily" },
    });
    await fireEvent.change(within(form).getByTestId("budget-scope"), {
      target: { value: "provider" },
    });
    const provider = await within(form).findByTestId("budget-scope-value");
    expect(
      within(provider)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toContain("OpenAI");
    await fireEvent.change(provider, { target: { value: "openrouter" } });
    await fireEvent.change(within(form).getByTestId("budget-period"), {
      target: { value: "day" },
    });
    await fireEvent.input(within(form).getByTestId("budget-limit"), {
      target: { value: "0.10" },
    });
    await fireEvent.click(within(form).getByTestId("budget-hard"));
    await fireEvent.click(within(form).getByTestId("budget-save"));
    await waitFor(() => expect(api.saved).toHaveLength(1));
    expect(api.saved[0]).toEqual({
      id: "id-1",
      name: "OpenRouter daily",
      scope: "provider",
      scopeValue: "openrouter",
      period: "day",
      limit: "0.10",
      alerts: [50, 80, 100],
      hard: true,
    });
    expect(await screen.findByTestId("budget-row")).toHaveTextContent("OpenRouter daily");
  });

  it("shows the backend's validation error", async () => {
    const api = fakeApi();
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const form = await screen.findByTestId("budget-form");
    await fireEvent.input(within(form).getByTestId("budget-name"), { target: { value: "bad" } });
    await fireEvent.input(within(form).getByTestId("budget-limit"), { target: { value: "1" } });
    await fireEvent.click(within(form).getByTestId("budget-save"));
    expect(await within(form).findByRole("alert")).toHaveTextContent("no good");
  });

  it("edits and deletes (after a confirm)", async () => {
    const api = fakeApi();
    api.budgets = [status({ id: "a", name: "Daily cap" })];
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const row = await screen.findByTestId("budget-row");
    await fireEvent.click(within(row).getByRole("button", { name: "Edit budget Daily cap" }));
    const forms = screen.getAllByTestId("budget-form");
    expect(forms).toHaveLength(2);
    const edit = forms[0] as HTMLElement;
    expect(within(edit).getByTestId("budget-limit")).toHaveValue("0.007");
    await fireEvent.input(within(edit).getByTestId("budget-limit"), { target: { value: "0.02" } });
    await fireEvent.click(within(edit).getByTestId("budget-save"));
    await waitFor(() => expect(api.saved[0]).toMatchObject({ id: "a", limit: "0.02" }));

    const again = await screen.findByTestId("budget-row");
    await fireEvent.click(within(again).getByRole("button", { name: /Delete budget/ }));
    expect(api.deleted).toEqual([]);
    await fireEvent.click(within(again).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(api.deleted).toEqual(["a"]));
    await waitFor(() => expect(screen.queryByTestId("budget-row")).toBeNull());
  });

  it("shows the report: chart, exact rows and the total row, and exports", async () => {
    const api = fakeApi();
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const chart = await screen.findByTestId("spend-chart");
    await waitFor(() => expect(chart.querySelector("svg text")).toHaveTextContent("Spend by day"));
    const table = screen.getByTestId("spend-table");
    const rows = within(table).getAllByTestId("spend-row");
    expect(rows).toHaveLength(2);
    expect(rows[1], "a report cell is exact").toHaveTextContent("$0.20000000000000001 +2 unknown");
    expect(rows[0]).toHaveTextContent("1,200");
    const total = screen.getByTestId("spend-total");
    expect(total, "a total the user reconciles: every digit the ledger has").toHaveTextContent(
      "$0.30000000000000001",
    );
    expect(api.reports[0]).toEqual([
      "day",
      new Date(2026, 9, 26).getTime(),
      new Date(2026, 10, 25).getTime(),
    ]);

    await fireEvent.change(screen.getByTestId("spend-view"), { target: { value: "tokens" } });
    await waitFor(() => expect(api.charts.at(-1)).toBe("tokens"));
    expect(api.charts, "the view changes only the chart").toEqual(["cost", "tokens"]);
    expect(api.reports, "so the table is not fetched again").toHaveLength(1);

    await fireEvent.click(screen.getByTestId("spend-export-csv"));
    expect(await screen.findByTestId("spend-exported")).toHaveTextContent(
      "/home/me/Downloads/switchboard-spend.csv",
    );
  });

  it("refreshes the budgets when an alert arrives", async () => {
    const api = fakeApi();
    const handlers: ((a: BudgetAlert) => void)[] = [];
    const listen = (h: (a: BudgetAlert) => void) => {
      handlers.push(h);
      return () => handlers.splice(handlers.indexOf(h), 1);
    };
    render(SpendView, { spend: new SpendState(api, NOW), listen });
    await screen.findByTestId("budget-form");
    expect(screen.queryByTestId("budget-row")).toBeNull();
    api.budgets = [status({ id: "a" }, { spent: "0.0036", fraction: 0.51 })];
    expect(handlers).toHaveLength(1);
    for (const h of handlers) h(alert(50));
    expect(await screen.findByTestId("budget-row")).toHaveTextContent("$0.0036 spent");
  });

  it("notes a missing OpenRouter key quietly, without checking anything", async () => {
    const api = fakeApi({ keyed: false });
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    expect(await screen.findByTestId("openrouter-account")).toHaveTextContent(
      "No OpenRouter key is set",
    );
    expect(api.keyTests).toBe(0);
  });
});

function alert(threshold: number): BudgetAlert {
  return {
    budget: status({ id: "a" }).budget,
    threshold,
    spent: "0.0036",
    message: `Budget "Daily cap" ($0.007 a day for everything) is at ${threshold}%: $0.00 spent`,
  };
}

describe("BudgetNotices", () => {
  it("shows each alert until dismissed", async () => {
    let fire: (a: BudgetAlert) => void = () => {};
    const unsubscribe = vi.fn();
    const listen = (h: (a: BudgetAlert) => void) => {
      fire = h;
      return unsubscribe;
    };
    const view = render(BudgetNotices, { listen });
    expect(screen.queryByTestId("budget-notice")).toBeNull();
    fire(alert(50));
    fire(alert(80));
    const notices = await screen.findAllByTestId("budget-notice");
    expect(notices).toHaveLength(2);
    expect(notices[0]).toHaveAttribute("role", "status");
    expect(notices[1]).toHaveTextContent("is at 80%");
    // The backend's sentence rounds to cents; the exact figures sit beside it.
    expect(notices[1]).toHaveTextContent("Exactly $0.0036 of $0.007 today.");
    await fireEvent.click(
      within(notices[0] as HTMLElement).getByRole("button", { name: /Dismiss/ }),
    );
    await waitFor(() => expect(screen.getAllByTestId("budget-notice")).toHaveLength(1));
    view.unmount();
    expect(unsubscribe).toHaveBeenCalled();
  });

  it("keeps a few, newest last, and replaces a repeated threshold", () => {
    const n = new NoticesState();
    for (const t of [10, 20, 30, 40, 50, 50]) n.push(alert(t));
    expect(n.items.map((i) => i.alert.threshold)).toEqual([20, 30, 40, 50]);
  });
});
