import type { Screen } from "../shared/screens";

/** The screens Ctrl+1 … Ctrl+7 open, in the navigation's order. */
const NUMBERED: readonly Screen[] = [
  "chat",
  "models",
  "routing",
  "agents",
  "spend",
  "localApi",
  "team",
];

/**
 * The screen a key press opens: Ctrl+1 … Ctrl+7 for the first seven, Ctrl+, for Settings; `null`
 * for anything else, including the same keys with Shift, Alt or Meta held (those belong to the
 * system or to other shortcuts). The physical key (`code`) counts as well as the character, so
 * layouts where the digits need Shift (AZERTY) work too.
 */
export function screenForKey(e: KeyboardEvent): Screen | null {
  if (!e.ctrlKey || e.shiftKey || e.altKey || e.metaKey) return null;
  if (e.key === "," || e.code === "Comma") return "settings";
  const digit = /^[1-7]$/.test(e.key) ? e.key : /^Digit[1-7]$/.test(e.code) ? e.code.slice(5) : "";
  return digit === "" ? null : (NUMBERED[Number(digit) - 1] ?? null);
}

/**
 * Listens on `target` for the screen shortcuts, wherever focus is (a textarea included: these
 * keys type nothing there). A key another handler already took (a modal dialog) is left alone.
 * Returns the function that removes the listener.
 */
export function installScreenShortcuts(target: Window, go: (screen: Screen) => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    const screen = screenForKey(e);
    if (!screen) return;
    e.preventDefault();
    go(screen);
  };
  target.addEventListener("keydown", onKey);
  return () => target.removeEventListener("keydown", onKey);
}
