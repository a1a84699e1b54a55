/**
 * Marks, once per page load, the moment the first screen's content has been painted:
 * `performance.mark("switchboard:first-content")`. The start-up benchmark
 * (`tests/benches/launch.rs`) reads it; the bare-window baseline sets the same mark the same
 * way, two animation frames after its content is in the DOM (the second frame starts once
 * the first has been painted).
 *
 * When the screen saved at the last run was painted first (`shared/firstPaint.ts`), the page's
 * loader has set that mark already; the live screen then removes the saved one in the frame it
 * paints in, and marks `switchboard:live` when that frame is done.
 *
 * Work that can wait for that paint (loading highlight.js, in `main.ts`) registers with
 * {@link afterFirstContent}.
 */
import { handOver, overlayShown } from "./firstPaint";

export const FIRST_CONTENT = "switchboard:first-content";

/** When the live screen replaced the saved one (only when one was shown). */
export const LIVE = "switchboard:live";

let marked = false;
let painted = false;
const waiting: (() => void)[] = [];

export function markFirstContent(): void {
  if (marked) return;
  marked = true;
  // Where the time goes (tests/benches/launch.rs prints these): the content is in the DOM, the
  // frame that lays it out and paints it starts, and that frame is done.
  performance.mark("switchboard:content-in-dom");
  const saved = overlayShown();
  requestAnimationFrame(() => {
    performance.mark("switchboard:frame");
    // Before this frame's layout: it paints the live screen alone, with nothing in between.
    if (saved) handOver();
    requestAnimationFrame(() => {
      performance.mark(saved ? LIVE : FIRST_CONTENT);
      painted = true;
      // After the frame, not in it: the mark stays where the paint was.
      setTimeout(() => waiting.splice(0).forEach((run) => run()), 0);
    });
  });
}

/** Runs `work` once the first content has been painted (at once if it has been). */
export function afterFirstContent(work: () => void): void {
  if (painted) work();
  else waiting.push(work);
}
