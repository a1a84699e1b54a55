import type { Theme } from "../ipc/client";

const dark = () => window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
let unwatch: (() => void) | undefined;

/** Applies a theme to the document; "system" follows the OS and keeps following it. */
export function applyTheme(theme: Theme): void {
  unwatch?.();
  unwatch = undefined;
  const set = () => {
    const resolved = theme === "system" ? (dark() ? "dark" : "light") : theme;
    document.documentElement.dataset.theme = resolved;
  };
  set();
  if (theme === "system" && window.matchMedia) {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    query.addEventListener("change", set);
    unwatch = () => query.removeEventListener("change", set);
  }
}
