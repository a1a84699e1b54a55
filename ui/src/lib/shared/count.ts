/**
 * Whole counts (tokens, requests) as the UI writes them: "1,240". One formatter for the app:
 * `toLocaleString` builds a new Intl formatter on each call, and the first one loads ICU's number
 * data, which showed in the start-up profile (issue 17); this one is built on first use.
 */
let formatter: Intl.NumberFormat | undefined;

export function formatCount(v: number): string {
  formatter ??= new Intl.NumberFormat("en-US");
  return formatter.format(v);
}
