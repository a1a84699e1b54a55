/**
 * Exact money for the Chat screen. Amounts arrive as decimal strings ("0.000123"); they are summed
 * and compared as scaled BigInts, never as floats. `null` is an unknown cost: counted, never $0.
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

/**
 * "$0.0123" for the eye. Shows up to `digits` decimals (rounded half up, for display only;
 * the exact amount belongs in a tooltip), at least two. A non-zero amount too small to show is
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

/** A total with its unknowns, e.g. "$0.30 +2 unknown". */
export function formatTotal(t: MoneyTotal): string {
  return t.unknown > 0 ? `${formatUsd(t.total)} +${t.unknown} unknown` : formatUsd(t.total);
}

/** A price per million tokens, or "variable" when the catalogue has none. */
export function formatPrice(perMillion: string | null): string {
  return perMillion === null ? "variable" : `${formatUsd(perMillion, 4)}/M`;
}
