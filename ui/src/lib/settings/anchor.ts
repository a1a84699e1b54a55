/**
 * Settings opened at one place (a "no key" error's button, the composer's hint about the send
 * key): the element with id `settings-${anchor}` is scrolled to the top of the view, its first
 * field takes the focus, and it is outlined for a moment so the eye finds it.
 */

/** How long the outline stays, in ms. */
const HIGHLIGHT_MS = 2000;

/**
 * The first field a person would type in or choose with (of a group of radios, the chosen
 * one, as Tab would reach it), else the first button.
 */
function firstField(el: HTMLElement): HTMLElement | null {
  const first =
    el.querySelector<HTMLInputElement>(
      "input:not([disabled]):not([type='hidden']), select:not([disabled]), textarea:not([disabled])",
    ) ?? el.querySelector<HTMLElement>("button:not([disabled])");
  if (first instanceof HTMLInputElement && first.type === "radio") {
    const chosen = [...el.querySelectorAll<HTMLInputElement>("input[type='radio']:checked")].find(
      (r) => r.name === first.name && !r.disabled,
    );
    return chosen ?? first;
  }
  return first;
}

/**
 * Shows the element for `anchor` in `doc`; `false` when there is none (say, a custom provider
 * deleted since), which leaves Settings at its top.
 */
export function showSettingsAnchor(anchor: string, doc: Document = document): boolean {
  const el = doc.getElementById(`settings-${anchor}`);
  if (!el) return false;
  // jsdom has no scrollIntoView; the webview does.
  el.scrollIntoView?.({ block: "start" });
  firstField(el)?.focus({ preventScroll: true });
  el.classList.add("anchored");
  setTimeout(() => el.classList.remove("anchored"), HIGHLIGHT_MS);
  return true;
}
