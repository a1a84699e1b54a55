import type { ShownTheme, Theme } from "../ipc/client";

/** The theme the document shows: "system" resolved to one of these (defined in Rust). */
export type { ShownTheme };

const dark = () => window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
let unwatch: (() => void) | undefined;
const listeners = new Set<(theme: ShownTheme) => void>();

/** Applies a theme to the document; "system" follows the OS and keeps following it. */
export function applyTheme(theme: Theme): void {
  unwatch?.();
  unwatch = undefined;
  const set = () => {
    const before = shownTheme();
    const resolved = theme === "system" ? (dark() ? "dark" : "light") : theme;
    document.documentElement.dataset.theme = resolved;
    if (resolved !== before) for (const listener of listeners) listener(resolved);
  };
  set();
  if (theme === "system" && window.matchMedia) {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    query.addEventListener("change", set);
    unwatch = () => query.removeEventListener("change", set);
  }
}

/** The theme the document shows now (light until one is applied). */
export function shownTheme(): ShownTheme {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/**
 * Calls `listener` whenever the shown theme changes (a new preference, or the OS switching
 * while the preference is "system"), for what the stylesheet cannot recolour, such as the
 * spend chart drawn in Rust. Returns an unsubscribe.
 */
export function onThemeShown(listener: (theme: ShownTheme) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
