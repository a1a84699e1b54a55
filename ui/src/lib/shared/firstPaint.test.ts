import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ScreenSnapshot } from "../ipc/client";
import {
  OVERLAY_ID,
  SETTLE_MS,
  handOver,
  keepForNextLaunch,
  overlayShown,
  snapshot,
  snapshotOf,
} from "./firstPaint";

function screen(): HTMLElement {
  const app = document.createElement("div");
  app.className = "app s-1";
  app.innerHTML =
    '<nav class="n"><button class="b">Chat</button></nav>' +
    '<main><div class="list" style="contain: size; height: 600px;">' +
    '<div class="row" style="position: absolute; top: 120px;">one</div></div></main>';
  document.body.append(app);
  return app;
}

/** The element `css` finds under `root`; the test fails if there is none. */
function one(root: ParentNode, css: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(css);
  if (!found) throw new Error(`no ${css}`);
  return found;
}

/** jsdom lays nothing out, so scroll offsets are set by hand. */
function scrolled(element: Element, by: number): void {
  Object.defineProperty(element, "scrollTop", { configurable: true, get: () => by });
}

afterEach(() => {
  document.body.innerHTML = "";
  vi.useRealTimers();
});

describe("the kept screen", () => {
  it("carries inline styles and scroll offsets as data, and leaves the live screen alone", () => {
    const app = screen();
    scrolled(one(app, ".list"), 480.5);
    const kept = new DOMParser().parseFromString(snapshotOf(app), "text/html").body;
    const list = one(kept, ".list");
    expect(list.getAttribute("style")).toBeNull();
    expect(list.getAttribute("data-fp-style")).toBe("contain: size; height: 600px;");
    expect(list.getAttribute("data-fp-scroll")).toBe("480.5");
    expect(one(kept, ".row").getAttribute("data-fp-style")).toBe("position: absolute; top: 120px;");
    expect(one(kept, ".n").hasAttribute("data-fp-scroll")).toBe(false);
    expect(one(app, ".list").getAttribute("style")).toBe("contain: size; height: 600px;");
    expect(app.querySelector("[data-fp-style]")).toBeNull();
  });

  it("records the theme and platform it was drawn in", () => {
    document.documentElement.dataset.theme = "dark";
    const taken = snapshot(screen(), "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15");
    expect(taken.theme).toBe("dark");
    expect(taken.platform).toBe("linux");
  });

  it("is removed by the hand-over", () => {
    const overlay = document.createElement("div");
    overlay.id = OVERLAY_ID;
    document.body.append(overlay);
    expect(overlayShown()).toBe(true);
    handOver();
    expect(overlayShown()).toBe(false);
    handOver(); // nothing there: nothing happens
  });
});

describe("keeping the screen", () => {
  let saved: ScreenSnapshot[];
  const save = async (s: ScreenSnapshot) => {
    saved.push(s);
  };
  beforeEach(() => {
    saved = [];
    vi.useFakeTimers();
  });

  it("saves once the screen has settled, and again only when it changed", async () => {
    const app = screen();
    const stop = keepForNextLaunch({ screen: app, ready: () => true, save });
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 100);
    expect(saved).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(saved).toHaveLength(1);

    // A change restarts the wait; the same markup again is not saved twice.
    one(app, ".row").textContent = "two";
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 2);
    one(app, ".row").textContent = "three";
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 2 + 10);
    expect(saved).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    expect(saved).toHaveLength(2);
    expect(saved[1]?.html).toContain("three");
    window.dispatchEvent(new Event("resize"));
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(saved).toHaveLength(2);

    stop();
    one(app, ".row").textContent = "four";
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(saved).toHaveLength(2);
  });

  it("waits while the screen is not ready (streaming), and while the saved one shows", async () => {
    const app = screen();
    let ready = false;
    const overlay = document.createElement("div");
    overlay.id = OVERLAY_ID;
    document.body.append(overlay);
    const stop = keepForNextLaunch({ screen: app, ready: () => ready, save });
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 3);
    expect(saved).toHaveLength(0);
    overlay.remove();
    one(app, ".row").textContent = "settled";
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 3);
    expect(saved).toHaveLength(0);
    ready = true;
    await vi.advanceTimersByTimeAsync(SETTLE_MS + 10);
    expect(saved).toHaveLength(1);
    stop();
  });

  it("a failed save costs only the early paint", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const stop = keepForNextLaunch({
      screen: screen(),
      ready: () => true,
      save: () => Promise.reject(new Error("disk full")),
    });
    await vi.advanceTimersByTimeAsync(SETTLE_MS + 10);
    expect(warn).toHaveBeenCalledWith("the screen was not kept", expect.any(Error));
    stop();
    warn.mockRestore();
  });
});
