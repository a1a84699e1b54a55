/**
 * The report's date range. `<input type="date">` gives local calendar days; the ledger counts
 * Unix ms. A day starts at local midnight (DST included: the Date constructor works in local
 * time), and the "to" day is inclusive, so the range ends at the next local midnight.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `<input type="date">` value ("2026-11-24") → local midnight of that day, Unix ms. */
export function localMidnightMs(date: string, plusDays = 0): number | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(y, mo - 1, d);
  // Reject dates the constructor rolled over (2026-02-31).
  if (day.getFullYear() !== y || day.getMonth() !== mo - 1 || day.getDate() !== d) return null;
  return new Date(y, mo - 1, d + plusDays).getTime();
}

/** A local date as `<input type="date">` wants it. */
export function dateInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The report's range in ms: from local midnight of `since` to local midnight after `until`
 * (the whole `until` day is in). An empty date is open-ended; an error when from is after to.
 */
export function rangeMs(
  since: string,
  until: string,
): { sinceMs: number | null; untilMs: number | null } | { error: string } {
  const s = since.trim() === "" ? null : localMidnightMs(since);
  const u = until.trim() === "" ? null : localMidnightMs(until, 1);
  if (since.trim() !== "" && s === null) return { error: "The start date is not a date." };
  if (until.trim() !== "" && u === null) return { error: "The end date is not a date." };
  if (s !== null && u !== null && s >= u) return { error: "The start date is after the end date." };
  return { sinceMs: s, untilMs: u };
}

/** The last `days` days up to and including `now`'s, as date inputs. */
export function lastDays(days: number, nowMs: number): { since: string; until: string } {
  const now = new Date(nowMs);
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return { since: dateInput(from), until: dateInput(now) };
}
