/** One piece of a search snippet: plain text, marked or not. Rendered as text, never as HTML. */
export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * Splits `snippet` at UTF-8 byte ranges `[start, end)` (as the search index reports them) into
 * text segments. Ranges are clamped, sorted and merged; a range that falls inside a multibyte
 * character is widened to whole characters.
 */
export function highlightSegments(
  snippet: string,
  highlights: readonly (readonly [number, number])[],
): Segment[] {
  const bytes = new TextEncoder().encode(snippet);
  const decoder = new TextDecoder();
  const isContinuation = (i: number) => i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80;
  const back = (i: number) => {
    let j = Math.max(0, Math.min(i, bytes.length));
    while (j > 0 && isContinuation(j)) j -= 1;
    return j;
  };
  const forward = (i: number) => {
    let j = Math.max(0, Math.min(i, bytes.length));
    while (isContinuation(j)) j += 1;
    return j;
  };
  const ranges = highlights
    .map(([s, e]) => [back(s), forward(e)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of ranges) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const out: Segment[] = [];
  let at = 0;
  const push = (s: number, e: number, mark: boolean) => {
    if (e > s) out.push({ text: decoder.decode(bytes.subarray(s, e)), mark });
  };
  for (const [s, e] of merged) {
    push(at, s, false);
    push(s, e, true);
    at = e;
  }
  push(at, bytes.length, false);
  return out;
}
