/**
 * Display text for the Models screen. Catalogue prices are scanned in lists, so they follow the
 * scan rule of ../shared/money (four significant digits below $1, cents above).
 */
import { moneyScan } from "../shared/money";
import type { PriceSheet } from "../ipc/client";

/**
 * "$3.00" per million tokens, "free", "variable", or "not set" (a custom server's model the
 * user has not priced); never "$0" for an unknown price.
 */
export function perMillion(prices: PriceSheet, which: "prompt" | "completion"): string {
  if (prices.variable) return "variable";
  if (prices.free) return "free";
  const amount = which === "prompt" ? prices.promptPerMillion : prices.completionPerMillion;
  return amount === null ? "not set" : moneyScan(amount);
}

/** An optional extra price ("—" when not charged apart). */
export function optionalUsd(amount: string | null): string {
  return amount === null ? "—" : moneyScan(amount);
}

/** "128K", "1.05M", "—". */
export function tokens(n: number | null): string {
  if (n === null) return "—";
  if (n >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (n >= 1_000) return `${trim(n / 1_000)}K`;
  return String(n);
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1).replace(/\.?0+$/, "");
}

/** "2025-05-12" from Unix seconds. */
export function day(unixSeconds: number | null): string {
  if (unixSeconds === null) return "—";
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** "99.5%". */
export function percent(x: number | null): string {
  return x === null ? "—" : `${x.toFixed(x >= 99.95 ? 0 : 1)}%`;
}

/** A number as OpenRouter reports it (latency units are ambiguous, so no unit is invented). */
export function stat(x: number | null, unit = ""): string {
  return x === null ? "—" : `${Number(x.toFixed(2))}${unit}`;
}

/** OpenRouter's endpoint status code in words. */
export function status(code: number | null): string {
  if (code === null) return "—";
  return code === 0 ? "up" : `degraded (${code})`;
}
