// KaTeX loads on first use (markdown.ts): before it has, math shows as its TeX source in a
// pending element; once it has, the same Markdown renders MathML, and listeners are told.
import { describe, expect, it, vi } from "vitest";

describe("math before KaTeX has loaded", () => {
  it("shows the TeX source, loads KaTeX, then renders MathML", async () => {
    vi.resetModules(); // a fresh markdown.ts: the test setup already loaded KaTeX in its copy
    const md = await import("./markdown");
    const before = md.renderMarkdown("Euler: $e^{i\\pi} + 1 = 0$");
    expect(before).toContain(md.MATH_PENDING);
    expect(before).toContain("$e^{i\\pi} + 1 = 0$");
    expect(before).not.toContain("<math");

    const ready = vi.fn();
    md.onMathReady(ready);
    await md.loadMath();
    expect(ready).toHaveBeenCalledOnce();

    const after = md.renderMarkdown("Euler: $e^{i\\pi} + 1 = 0$");
    expect(after).toContain("<math");
    expect(after).not.toContain(md.MATH_PENDING);

    // Subscribing after the load still hears about it (soon, not synchronously).
    const late = vi.fn();
    md.onMathReady(late);
    expect(late).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(late).toHaveBeenCalledOnce();
  });

  it("keeps the pending source inert: TeX that looks like HTML stays text", async () => {
    vi.resetModules();
    const md = await import("./markdown");
    const html = md.renderMarkdown("$<img src=x onerror=alert(1)>$");
    expect(html).not.toContain("<img");
  });
});
