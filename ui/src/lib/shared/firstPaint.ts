/**
 * The next launch's first paint (issue 17: start-up).
 *
 * While Chat is shown, its markup is kept (debounced, once the screen has settled) through
 * `first_paint_save`. At the next launch the shell serves it inside `index.html` as an inert
 * overlay, `#first-paint`, cleaned again in Rust (`switchboard_engine::FirstPaint`); the loader
 * `ui/vite.config.ts` puts into the page paints it before this bundle is even fetched. The live
 * screen takes over in the frame it first paints ({@link handOver}, called by
 * `firstContent.ts`), so a person sees the screen they left at once and never a mix of both.
 *
 * The page's CSP refuses inline styles, so inline `style` moves to `data-fp-style` (the loader
 * applies it through the CSSOM) and scroll offsets, which markup does not carry, to
 * `data-fp-scroll`.
 */
import type { ScreenSnapshot } from "../ipc/client";
import { platformOf } from "./platform";
import { shownTheme } from "./theme";

/** The overlay's id (also in the loader and in Rust). */
export const OVERLAY_ID = "first-paint";

/** How long the screen must stay unchanged before it is kept. */
export const SETTLE_MS = 1500;

/** Whether the saved screen is showing. */
export function overlayShown(doc: Document = document): boolean {
  return doc.getElementById(OVERLAY_ID) !== null;
}

/** Removes the saved screen, if it is there. */
export function handOver(doc: Document = document): void {
  doc.getElementById(OVERLAY_ID)?.remove();
}

/** The markup to keep for `screen`, with inline styles and scroll offsets as data attributes. */
export function snapshotOf(screen: HTMLElement): string {
  const copy = screen.cloneNode(true) as HTMLElement;
  const live = [screen, ...screen.querySelectorAll("*")];
  const copies = [copy, ...copy.querySelectorAll("*")];
  live.forEach((element, i) => {
    const kept = copies[i];
    if (!kept) return; // a clone has the same elements in the same order
    if (element.scrollTop > 0) kept.setAttribute("data-fp-scroll", String(element.scrollTop));
    const style = kept.getAttribute("style");
    if (style) {
      kept.setAttribute("data-fp-style", style);
      kept.removeAttribute("style");
    }
  });
  return copy.outerHTML;
}

/** What a kept screen needs to be drawn the same way. */
export function snapshot(screen: HTMLElement, userAgent = navigator.userAgent): ScreenSnapshot {
  return { html: snapshotOf(screen), theme: shownTheme(), platform: platformOf(userAgent) };
}

export interface Keeping {
  /** The element whose markup is kept (the app's root). */
  screen: HTMLElement;
  /** Whether now is a moment worth keeping (Chat settled: restored, nothing streaming). */
  ready: () => boolean;
  save: (snapshot: ScreenSnapshot) => Promise<void>;
}

/**
 * Keeps `screen` whenever it has been unchanged for {@link SETTLE_MS} and `ready()` says so.
 * Watches for changes to the markup, scrolling and the window's size; returns a stop.
 */
export function keepForNextLaunch({ screen, ready, save }: Keeping): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = "";
  const keep = () => {
    timer = undefined;
    if (!screen.isConnected || overlayShown()) return;
    if (!ready()) return schedule();
    const taken = snapshot(screen);
    if (taken.html === last) return;
    last = taken.html;
    // A failure only costs the next launch its early paint; the log has the reason.
    save(taken).catch((e: unknown) => console.warn("the screen was not kept", e));
  };
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(keep, SETTLE_MS);
  };
  const observer = new MutationObserver(schedule);
  observer.observe(screen, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
  screen.addEventListener("scroll", schedule, { capture: true, passive: true });
  window.addEventListener("resize", schedule);
  schedule();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    observer.disconnect();
    screen.removeEventListener("scroll", schedule, { capture: true });
    window.removeEventListener("resize", schedule);
  };
}
