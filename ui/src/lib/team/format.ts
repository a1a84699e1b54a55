/**
 * How the Team screen words and sums OpenRouter's figures. Money stays an exact decimal string
 * (../shared/money); days are UTC calendar days, the days OpenRouter counts usage and resets
 * limits by.
 */
import { compareMoney, moneyExact, sumMoney } from "../shared/money";
import type { LimitReset, TeamKey, TeamSpend, TeamSpendRow } from "../ipc/client";

/** A reset as the forms offer it: OpenRouter's periods, or never. */
export type ResetChoice = LimitReset | "never";

export const RESETS: { id: ResetChoice; label: string; per: string }[] = [
  { id: "daily", label: "Daily", per: "day" },
  { id: "weekly", label: "Weekly (Monday)", per: "week" },
  { id: "monthly", label: "Monthly (the 1st)", per: "month" },
  { id: "never", label: "Never", per: "" },
];

/** `"5"`, `"daily"` → "$5.00 / day"; never resetting → "$5.00 in all"; no limit → "No limit". */
export function limitText(limit: string | null, reset: LimitReset | null): string {
  if (limit === null) return "No limit";
  const per = RESETS.find((r) => r.id === reset)?.per;
  return per ? `${moneyExact(limit)} / ${per}` : `${moneyExact(limit)} in all`;
}

/** The UTC calendar day of `ms`, as `<input type="date">` and OpenRouter write it. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Monday of `ms`'s week (UTC), when OpenRouter's weekly limits reset. */
export function mondayUtc(ms: number): string {
  const d = new Date(ms);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return utcDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - sinceMonday));
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar day (`2026-02-31` is not). */
export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && utcDay(ms) === text;
}

/** Why the range cannot be asked for, or `null` when it can. */
export function rangeProblem(since: string, until: string, today: string): string | null {
  if (!isDay(since)) return "The start date is not a date.";
  if (!isDay(until)) return "The end date is not a date.";
  if (since > until) return "The start date is after the end date.";
  if (until > today)
    return `The range ends after today (${today}, UTC); nothing is spent then yet.`;
  return null;
}

/** A key's expiry as a UTC day, "Never", and whether it has passed. */
export function expiry(expiresAt: string | null, nowMs: number): { text: string; past: boolean } {
  if (expiresAt === null) return { text: "Never", past: false };
  const ms = Date.parse(expiresAt);
  if (!Number.isFinite(ms)) return { text: expiresAt, past: false };
  return { text: utcDay(ms), past: ms <= nowMs };
}

/**
 * The moment a key chosen to expire on `day` stops working: the end of that UTC day, so it
 * still works all of the day shown.
 */
export function expiryMoment(day: string): string {
  return `${day}T23:59:59Z`;
}

/** Where a key stands, in a word. */
export function keyState(key: TeamKey, nowMs: number): "active" | "disabled" | "expired" {
  if (key.disabled) return "disabled";
  return expiry(key.expiresAt, nowMs).past ? "expired" : "active";
}

/** One line of a totals table. */
export interface SpendTotal {
  id: string;
  label: string;
  /** OpenRouter credits, exact. */
  usage: string;
  /** BYOK cost on the providers' own accounts, exact. */
  byokUsage: string;
  /** Requests OpenRouter counted (it does not count today's). */
  requests: number;
}

/** Today's spend before OpenRouter has split it by model. */
export const TODAY_BY_MODEL = "Today (not yet split by model)";

/** The rows summed per key or per model, costliest first, amounts exact. */
export function totalsBy(rows: readonly TeamSpendRow[], by: "key" | "model"): SpendTotal[] {
  const groups = new Map<string, { label: string; rows: TeamSpendRow[] }>();
  for (const r of rows) {
    const id = by === "key" ? r.keyHash : (r.model ?? "");
    const label = by === "key" ? r.keyName : (r.model ?? TODAY_BY_MODEL);
    const group = groups.get(id) ?? { label, rows: [] };
    group.rows.push(r);
    groups.set(id, group);
  }
  return [...groups.entries()]
    .map(([id, g]) => ({
      id,
      label: g.label,
      usage: sumMoney(g.rows.map((r) => r.usage)).total,
      byokUsage: sumMoney(g.rows.map((r) => r.byokUsage)).total,
      requests: g.rows.reduce((n, r) => n + (r.requests ?? 0), 0),
    }))
    .sort((a, b) => compareMoney(b.usage, a.usage) || a.label.localeCompare(b.label));
}

/** The footer of either table: OpenRouter's own totals for the range. */
export function grandTotal(spend: TeamSpend): SpendTotal {
  return {
    id: "total",
    label: "Total",
    usage: spend.total,
    byokUsage: spend.byokTotal,
    requests: spend.requests,
  };
}
