/**
 * Money, for every screen. Amounts arrive from Rust as exact decimal strings ("0.00703425");
 * they are summed and compared as scaled BigInts, never as floats. `null` is an unknown cost:
 * counted, never $0.
 *
 * THE PRECISION RULE (the one place it is written down; the Rust chart in
 * src-tauri/crates/reports/src/chart.rs follows the same scan rule for its title and axis):
 *
 * - Exact where the user checks a figure: the cost of a request (an answer's, an agent step's,
 *   a sample request's worked out from list prices), a ledger or report row, a budget's spent,
 *   limit and what is left, an account's figures, a price the user typed, a total the user
 *   reconciles. `moneyExact` shows every digit the ledger has, trailing zeros trimmed, at least
 *   two decimals: "$0.00703425", "$1.50", "$0.00". Nothing is rounded, so two screens showing
 *   the same amount always agree.
 * - Rounded where the user scans: chart titles and axes, summary chips, lists of catalogue
 *   prices, the router's float predictions. `moneyScan` shows two decimals at $1 or more
 *   ("$12.35") and otherwise four significant digits, trailing zeros trimmed ("$0.007034",
 *   "$0.15", "$0.0375"), rounded half away from zero. A non-zero amount never reads as $0.
 *
 * Both put the sign before the dollar: "-$0.50".
 */

/** A decimal as an integer count of `10^-scale` units. */
export interface Scaled {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A decimal string ("-0.5", " 12 ") as scaled units; `null` when it is not one. */
export function parseMoney(amount: string): Scaled | null {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  const [, sign = "", whole = "0", frac = ""] = m;
  const units = BigInt(whole + frac) * (sign === "-" ? -1n : 1n);
  return { units, scale: frac.length };
}

function rescale(v: Scaled, scale: number): bigint {
  return v.units * 10n ** BigInt(scale - v.scale);
}

/** Scaled units as the shortest exact decimal string ("0.3", "12"). */
export function renderMoney(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** A dollar amount as people type it: an optional "$", digits, an optional fraction. */
const DOLLARS = /^\$?\s*(\d+(?:\.\d+)?|\.\d+)$/;

/** "$5.50" / "5.5" / ".5" → "5.50" / "5.5" / "0.5"; `null` when it is not a plain decimal. */
export function parseDollars(text: string): string | null {
  const m = DOLLARS.exec(text.trim().replace(/,/g, ""));
  if (!m?.[1]) return null;
  const value = m[1].startsWith(".") ? `0${m[1]}` : m[1];
  return value;
}

/** A sum of known costs and a count of unknown ones. */
export interface MoneyTotal {
  /** The exact sum of known amounts, as a decimal string ("0" when none). */
  total: string;
  /** How many amounts were unknown (`null`) or unreadable. */
  unknown: number;
}

/** Sums decimal strings exactly; `null` (or anything unparseable) counts as unknown. */
export function sumMoney(amounts: readonly (string | null)[]): MoneyTotal {
  const parsed: Scaled[] = [];
  let unknown = 0;
  for (const a of amounts) {
    const p = a === null ? null : parseMoney(a);
    if (p) parsed.push(p);
    else unknown += 1;
  }
  const scale = parsed.reduce((s, p) => Math.max(s, p.scale), 0);
  const units = parsed.reduce((sum, p) => sum + rescale(p, scale), 0n);
  return { total: renderMoney(units, scale), unknown };
}

/** Compares two decimal strings exactly: negative, zero or positive like a sort comparator. */
export function compareMoney(a: string, b: string): number {
  const pa = parseMoney(a);
  const pb = parseMoney(b);
  if (!pa || !pb) return 0;
  const scale = Math.max(pa.scale, pb.scale);
  const d = rescale(pa, scale) - rescale(pb, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Non-negative units as dollars with at least two decimals and the sign in front. */
function dollars(abs: bigint, scale: number, negative: boolean): string {
  const [whole, frac = ""] = renderMoney(abs, scale).split(".");
  const body = `${whole}.${frac.padEnd(2, "0")}`;
  return negative && abs !== 0n ? `-$${body}` : `$${body}`;
}

/** `abs` (at `scale`) rounded half away from zero to `keep` decimals. */
function roundTo(abs: bigint, scale: number, keep: number): Scaled {
  if (scale <= keep) return { units: abs, scale };
  const cut = 10n ** BigInt(scale - keep);
  return { units: (abs + cut / 2n) / cut, scale: keep };
}

/**
 * A figure the user checks: every digit, trailing zeros trimmed, at least two decimals
 * ("$0.00703425", "$1.50", "$0.00"). See the rule at the top of this file.
 */
export function moneyExact(amount: string): string {
  const p = parseMoney(amount);
  if (!p) return `$${amount.trim()}`;
  const negative = p.units < 0n;
  return dollars(negative ? -p.units : p.units, p.scale, negative);
}

/**
 * A figure the user scans: two decimals at $1 or more, else four significant digits
 * ("$12.35", "$0.007034"). See the rule at the top of this file. A number (the router's float
 * predictions) is read by its shortest decimal form first.
 */
export function moneyScan(amount: string | number): string {
  const text = typeof amount === "number" ? decimalOf(amount) : amount;
  const p = text === null ? null : parseMoney(text);
  if (!p) return `$${String(amount).trim()}`;
  const negative = p.units < 0n;
  const abs = negative ? -p.units : p.units;
  const one = 10n ** BigInt(p.scale);
  let keep = 2;
  if (abs !== 0n && abs < one) {
    // Leading zeros after the point, then four significant digits.
    const zeros = p.scale - abs.toString().length;
    keep = zeros + 4;
  }
  let r = roundTo(abs, p.scale, keep);
  // 0.99996 rounds up to 1.0000: at a dollar or more it is two decimals.
  if (keep > 2 && r.units >= 10n ** BigInt(r.scale)) r = roundTo(r.units, r.scale, 2);
  return dollars(r.units, r.scale, negative);
}

/** A float as a plain decimal string (no exponent) of at most 15 significant digits. */
function decimalOf(x: number): string | null {
  if (!Number.isFinite(x)) return null;
  const [mantissa = "0", exp = "0"] = x.toPrecision(15).split("e");
  const negative = mantissa.startsWith("-");
  const [whole = "0", frac = ""] = mantissa.replace("-", "").split(".");
  const shift = Number(exp);
  const digits = whole + frac;
  const point = whole.length + shift;
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${negative ? "-" : ""}${out}`;
}

/**
 * Fixed-decimal display kept for callers not yet moved to `moneyExact`/`moneyScan`: up to
 * `digits` decimals (rounded half up), at least two; a non-zero amount too small to show is
 * "<$0.000001", never "$0.00".
 */
export function formatUsd(amount: string, digits = 6): string {
  const p = parseMoney(amount);
  if (!p) return `$${amount}`;
  let units = p.units;
  let scale = p.scale;
  if (scale > digits) {
    const cut = 10n ** BigInt(scale - digits);
    const negative = units < 0n;
    const abs = negative ? -units : units;
    const rounded = (abs + cut / 2n) / cut;
    if (rounded === 0n && abs !== 0n) {
      return `${negative ? ">-" : "<"}$0.${"0".repeat(Math.max(digits - 1, 0))}1`;
    }
    units = negative ? -rounded : rounded;
    scale = digits;
  }
  const text = renderMoney(units, scale);
  const [whole, frac = ""] = text.split(".");
  const shown = frac.length < 2 ? frac.padEnd(2, "0") : frac;
  const body = `${whole}.${shown}`;
  return body.startsWith("-") ? `-$${body.slice(1)}` : `$${body}`;
}

/** A total the user reconciles, with its unknowns: "$0.30 +2 unknown" (exact). */
export function formatTotal(t: MoneyTotal): string {
  return t.unknown > 0 ? `${moneyExact(t.total)} +${t.unknown} unknown` : moneyExact(t.total);
}

/** A list price per million tokens ("$0.15/M", scanned), or "variable" when there is none. */
export function formatPrice(perMillion: string | null): string {
  return perMillion === null ? "variable" : `${moneyScan(perMillion)}/M`;
}
