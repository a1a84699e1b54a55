/**
 * Whole counts (tokens, requests) as the UI writes them: "1,240", as `toLocaleString("en-US")`
 * writes them.
 *
 * Whole numbers are grouped here by hand rather than by `Intl.NumberFormat`: the first Intl
 * number formatter a page builds loads ICU's number data, 8–16 ms of JavaScriptCore's start-up
 * profile (issue 17), and the chat screen's first content shows token counts. Anything else
 * (a fraction, a number too large to print in full) goes to one shared Intl formatter, built on
 * first use.
 */
let formatter: Intl.NumberFormat | undefined;

export function formatCount(v: number): string {
  // A comma wherever the digits left are a multiple of three (`\B`: never right after the sign).
  if (Number.isSafeInteger(v) && !Object.is(v, -0))
    return String(v).replace(/\B(?=(\d{3})+$)/g, ",");
  formatter ??= new Intl.NumberFormat("en-US");
  return formatter.format(v);
}
