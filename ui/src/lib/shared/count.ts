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
  if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
    const digits = String(Math.abs(v));
    const head = digits.length % 3 || 3;
    let out = digits.slice(0, head);
    for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
    return v < 0 ? `-${out}` : out;
  }
  formatter ??= new Intl.NumberFormat("en-US");
  return formatter.format(v);
}
