/**
 * Marks, once per page load, the moment the first screen's content has been painted:
 * `performance.mark("switchboard:first-content")`. The start-up benchmark
 * (`tests/benches/launch.rs`) reads it; the bare-window baseline sets the same mark the same
 * way, two animation frames after its content is in the DOM (the second frame starts once
 * the first has been painted).
 */
export const FIRST_CONTENT = "switchboard:first-content";

let marked = false;

export function markFirstContent(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark(FIRST_CONTENT)));
}
