/**
 * Exact price arithmetic for the Models screen. Prices arrive as decimal strings per million
 * tokens ("0.15"); they are compared and multiplied as scaled BigInts, never as floats, so a
 * sort or a sample cost is exactly what the price list says.
 */

/** Every price the backend sends has at most this many decimals (`Usd` is exact to 1e-12). */
const SCALE = 12;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A non-negative decimal string as an integer count of 1e-12 units, for sorting; `null` when
 * it is not one (absent, variable or malformed prices never sort as a number).
 */
export function sortUnits(amount: string | null): bigint | null {
  if (amount === null) return null;
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  const [, whole = "0", frac = ""] = m;
  const kept = frac.slice(0, SCALE).padEnd(SCALE, "0");
  return BigInt(whole + kept);
}

function render(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole;
}

/**
 * What `tokens` tokens cost at `perMillion` dollars per million, exactly, as a decimal string;
 * `null` when the price is unknown. `tokens` must be a whole, non-negative number.
 */
export function tokensCost(perMillion: string | null, tokens: number): string | null {
  if (perMillion === null || !Number.isSafeInteger(tokens) || tokens < 0) return null;
  const m = DECIMAL.exec(perMillion.trim());
  if (!m) return null;
  const [, whole = "0", frac = ""] = m;
  // price × tokens / 1e6: the division only moves the decimal point six places.
  return render(BigInt(whole + frac) * BigInt(tokens), frac.length + 6);
}

/** Adds non-negative decimal strings exactly; `null` if any is unknown. */
export function addExact(amounts: readonly (string | null)[]): string | null {
  let scale = 0;
  const parts: { units: bigint; scale: number }[] = [];
  for (const a of amounts) {
    if (a === null) return null;
    const m = DECIMAL.exec(a.trim());
    if (!m) return null;
    const [, whole = "0", frac = ""] = m;
    parts.push({ units: BigInt(whole + frac), scale: frac.length });
    scale = Math.max(scale, frac.length);
  }
  const total = parts.reduce((sum, p) => sum + p.units * 10n ** BigInt(scale - p.scale), 0n);
  return render(total, scale);
}
