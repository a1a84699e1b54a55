import { afterEach, describe, expect, it, vi } from "vitest";
import { scrollRegion } from "./scrollRegion";

/** A box whose content is `content` px wide inside `width` px. */
function box(width: number, content: number): HTMLElement {
  const el = document.createElement("div");
  Object.defineProperty(el, "clientWidth", { configurable: true, get: () => width });
  Object.defineProperty(el, "scrollWidth", { configurable: true, get: () => content });
  return el;
}

describe("scrollRegion", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("makes a pane whose content overflows a focusable, named region", () => {
    const el = box(300, 640);
    scrollRegion(el, "Report table");
    expect(el.tabIndex, "reachable by Tab").toBe(0);
    expect(el.getAttribute("role")).toBe("region");
    expect(el.getAttribute("aria-label")).toBe("Report table");
  });

  it("adds no tab stop while everything fits, and follows size changes", () => {
    let resize: () => void = () => {};
    vi.stubGlobal(
      "ResizeObserver",
      class {
        constructor(callback: () => void) {
          resize = callback;
        }
        observe(): void {}
        disconnect(): void {}
      },
    );
    let width = 800;
    const el = box(0, 640);
    Object.defineProperty(el, "clientWidth", { configurable: true, get: () => width });
    const action = scrollRegion(el, "Targets");
    expect(el.hasAttribute("tabindex")).toBe(false);
    expect(el.hasAttribute("role")).toBe(false);

    width = 320;
    resize();
    expect(el.tabIndex).toBe(0);
    action.update("Targets considered");
    expect(el.getAttribute("aria-label")).toBe("Targets considered");

    width = 900;
    resize();
    expect(el.hasAttribute("tabindex"), "fits again: no tab stop").toBe(false);
    action.destroy();
  });
});
