import { afterEach, describe, expect, it, vi } from "vitest";
import { MARKER, withFirstPaint } from "./firstPaintPage";

/** index.html as Vite builds it. */
const BUILT = `<!doctype html>
<html lang="en">
  <head>
    <title>Switchboard</title>
    <script type="module" crossorigin src="/assets/index-Ab1.js"></script>
    <link rel="stylesheet" crossorigin href="/assets/index-Cd2.css">
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>`;

/** The page's inline loader, as served. */
function loaderSource(page: string): string {
  const found = /<script>([\s\S]*)<\/script>/.exec(page);
  if (!found?.[1]) throw new Error("no inline script");
  return found[1];
}

afterEach(() => {
  document.head.innerHTML = "";
  document.body.innerHTML = "";
  delete document.documentElement.dataset.theme;
  vi.unstubAllGlobals();
});

describe("the page's first-paint rewrite", () => {
  it("replaces the module script with the marker and a loader after #app", () => {
    const page = withFirstPaint(BUILT);
    expect(page).not.toContain('<script type="module"');
    expect(page).toContain('<link rel="stylesheet"');
    expect(page.indexOf('<div id="app"></div>')).toBeLessThan(page.indexOf(MARKER));
    expect(page.indexOf(MARKER)).toBeLessThan(page.indexOf("<script>"));
    expect(loaderSource(page)).toContain('"/assets/index-Ab1.js"');
  });

  it("refuses a page it does not recognise rather than ship one that never starts", () => {
    expect(() => withFirstPaint(BUILT.replace(/<script[^>]*><\/script>/, ""))).toThrow(
      /module script/,
    );
    expect(() => withFirstPaint(BUILT.replace('<div id="app"></div>', ""))).toThrow(/#app/);
  });
});

describe("the loader", () => {
  const started = () =>
    Array.from(document.head.querySelectorAll("script"), (s) => [s.type, s.getAttribute("src")]);

  it("starts the app at once when nothing was saved", () => {
    new Function(loaderSource(withFirstPaint(BUILT)))();
    expect(started()).toEqual([["module", "/assets/index-Ab1.js"]]);
  });

  it("restores the saved screen's state, lets it paint, then starts the app", () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (f: FrameRequestCallback) => frames.push(f));
    document.body.innerHTML =
      '<template id="first-paint-saved"><div id="first-paint" data-theme="dark" data-platform="linux">' +
      '<div class="list" data-fp-style="height: 600px; position: relative;" data-fp-scroll="40">' +
      "</div></div></template>";
    new Function(loaderSource(withFirstPaint(BUILT)))();
    expect(document.getElementById("first-paint-saved")).toBeNull();
    expect(document.body.firstElementChild?.id).toBe("first-paint");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(document.documentElement.dataset.platform).toBe("linux");
    const list = document.querySelector<HTMLElement>(".list");
    if (!list) throw new Error("no .list");
    expect(list.style.height).toBe("600px");
    expect(list.style.position).toBe("relative");
    expect(started()).toEqual([]);
    frames.shift()?.(0);
    expect(started()).toEqual([]);
    frames.shift()?.(0);
    expect(performance.getEntriesByName("switchboard:first-content")).toHaveLength(1);
    expect(started()).toEqual([["module", "/assets/index-Ab1.js"]]);
  });
});
