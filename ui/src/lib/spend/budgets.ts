/**
 * Budgets as the Spend screen edits and shows them. Money stays an exact decimal string from the
 * ledger to the screen: limits are validated as decimals, never parsed into floats, and amounts
 * are compared and subtracted as scaled integers (../shared/money).
 */
import { compareMoney, moneyExact, parseDollars, sumMoney } from "../shared/money";
import { PERIODS } from "../shared/periods";
import type { Budget, BudgetPeriod, BudgetScope, BudgetStatus } from "../ipc/client";

export const SCOPES: { id: BudgetScope; label: string }[] = [
  { id: "global", label: "Everything" },
  { id: "provider", label: "One provider" },
  { id: "model", label: "One model" },
  { id: "agent", label: "One agent" },
  { id: "conversation", label: "One conversation" },
  { id: "client", label: "One client (local API key)" },
];

/** A budget as the form holds it: every field as typed. */
export interface BudgetDraft {
  /** "" for a new budget. */
  id: string;
  name: string;
  scope: BudgetScope;
  scopeValue: string;
  period: BudgetPeriod;
  /** Dollars, as typed ("5", "0.50", "$12.5"). */
  limit: string;
  /** Percentages, comma-separated ("50, 80, 100"). */
  alerts: string;
  hard: boolean;
}

export type DraftField = "name" | "scopeValue" | "limit" | "alerts";

/** Either a budget ready to save, or a message per field that is wrong. */
export type DraftCheck =
  { ok: true; budget: Budget } | { ok: false; errors: Partial<Record<DraftField, string>> };

export function emptyDraft(): BudgetDraft {
  return {
    id: "",
    name: "",
    scope: "global",
    scopeValue: "",
    period: "month",
    limit: "",
    alerts: "50, 80, 100",
    hard: false,
  };
}

export function toDraft(b: Budget): BudgetDraft {
  return {
    id: b.id,
    name: b.name,
    scope: b.scope,
    scopeValue: b.scopeValue ?? "",
    period: b.period,
    limit: b.limit,
    alerts: b.alerts.join(", "),
    hard: b.hard,
  };
}

/** "50, 80,100" → [50, 80, 100] (sorted, deduplicated); `null` when a part is not 1–1000. */
export function parseAlerts(text: string): number[] | null {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim().replace(/%$/, ""))
    .filter((p) => p !== "");
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return null;
    const n = Number(p);
    if (n < 1 || n > 1000) return null;
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

export function checkDraft(d: BudgetDraft): DraftCheck {
  const errors: Partial<Record<DraftField, string>> = {};
  const name = d.name.trim();
  if (name === "") errors.name = "Give it a name.";
  const scopeValue = d.scopeValue.trim();
  if (d.scope === "client" && scopeValue === "") {
    errors.scopeValue = "Choose a client key.";
  } else if (d.scope !== "global" && scopeValue === "") {
    errors.scopeValue = `Say which ${d.scope}.`;
  }
  const limit = parseDollars(d.limit);
  if (limit === null) errors.limit = "A dollar amount, like 5 or 0.50.";
  else if (compareMoney(limit, "0") <= 0) errors.limit = "More than $0.";
  const alerts = parseAlerts(d.alerts);
  if (alerts === null) errors.alerts = "Whole percentages from 1 to 1000, separated by commas.";
  if (Object.keys(errors).length > 0 || limit === null || alerts === null) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    budget: {
      id: d.id,
      name,
      scope: d.scope,
      scopeValue: d.scope === "global" ? null : scopeValue,
      period: d.period,
      limit,
      alerts,
      hard: d.hard,
    },
  };
}

/** `a - b`, exactly. */
export function subtractMoney(a: string, b: string): string {
  const negated = b.startsWith("-") ? b.slice(1) : `-${b}`;
  return sumMoney([a, negated]).total;
}

/**
 * "$5 a day for provider openrouter", "$5 a day for client claude-code": a custom provider and a
 * client key by their names (the backend's `scopeLabel`), never their ids.
 */
export function describeBudget(b: Budget): string {
  const per = PERIODS.find((p) => p.id === b.period)?.per ?? b.period;
  return `${moneyExact(b.limit)} ${per} ${budgetScopeText(b)}`.trim();
}

function budgetScopeText(b: Budget): string {
  if (b.scope === "global") return "for everything";
  if (b.scopeLabel) return `for ${b.scope} ${b.scopeLabel}`;
  if (b.scope === "client") return "for a removed client key";
  if (b.scope === "provider" && b.scopeValue?.startsWith("custom:")) {
    return "for a removed provider";
  }
  return `for ${b.scope} ${b.scopeValue ?? ""}`;
}

/** The bar's value, 0–1+ (display only; the figures beside it are exact). */
export function barValue(s: BudgetStatus): number {
  if (s.fraction !== null && Number.isFinite(s.fraction)) return Math.max(0, s.fraction);
  return compareMoney(s.spent, s.budget.limit) >= 0 ? 1 : 0;
}

/** What is left of the limit, exactly; "0" when spent past it. */
export function remaining(s: BudgetStatus): string {
  const left = subtractMoney(s.budget.limit, s.spent);
  return compareMoney(left, "0") < 0 ? "0" : left;
}

/** Whether the spend reached the limit (for soft budgets too). */
export function overLimit(s: BudgetStatus): boolean {
  return compareMoney(s.spent, s.budget.limit) >= 0;
}

const CURRENT: Record<BudgetPeriod, string> = {
  day: "today",
  week: "this week",
  month: "this month",
  all: "all time",
};

/** The period a status counts, e.g. "this week, since Mon, 23 Nov"; "all time" for `all`. */
export function periodText(s: BudgetStatus): string {
  const current = CURRENT[s.budget.period];
  if (s.budget.period === "all" || s.periodStartMs === 0) return current;
  const since = new Date(s.periodStartMs).toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
  });
  return `${current}, since ${since}`;
}
