/**
 * Exact price arithmetic for the Models screen. Prices arrive as decimal strings per million
 * tokens ("0.15"); they are compared and multiplied as scaled BigInts (../shared/money), never as
 * floats, so a sort or a sample cost is exactly what the price list says.
 */
import { parseMoney, renderMoney, sumMoney, type Scaled } from "../shared/money";

/** Every price the backend sends has at most this many decimals (`Usd` is exact to 1e-12). */
const SCALE = 12;

/** A price: a non-negative decimal string; `null` for anything else (a sign included). */
function parsePrice(amount: string): Scaled | null {
  return amount.trim().startsWith("-") ? null : parseMoney(amount);
}

/**
 * A non-negative decimal string as an integer count of 1e-12 units, for sorting; `null` when
 * it is not one (absent, variable or malformed prices never sort as a number).
 */
export function sortUnits(amount: string | null): bigint | null {
  const p = amount === null ? null : parsePrice(amount);
  if (!p) return null;
  // Decimals past the twelfth are cut, not rounded.
  return p.scale <= SCALE
    ? p.units * 10n ** BigInt(SCALE - p.scale)
    : p.units / 10n ** BigInt(p.scale - SCALE);
}

/**
 * What `tokens` tokens cost at `perMillion` dollars per million, exactly, as a decimal string;
 * `null` when the price is unknown. `tokens` must be a whole, non-negative number.
 */
export function tokensCost(perMillion: string | null, tokens: number): string | null {
  if (perMillion === null || !Number.isSafeInteger(tokens) || tokens < 0) return null;
  const p = parsePrice(perMillion);
  if (!p) return null;
  // price × tokens / 1e6: the division only moves the decimal point six places.
  return renderMoney(p.units * BigInt(tokens), p.scale + 6);
}

/** Adds non-negative decimal strings exactly; `null` if any is unknown. */
export function addExact(amounts: readonly (string | null)[]): string | null {
  if (amounts.some((a) => a === null || !parsePrice(a))) return null;
  return sumMoney(amounts).total;
}
