// highlight.js loads after the first paint or on first use (markdown.ts): before it has, code
// shows as plain text in a pending element; once it has, the same Markdown renders highlighted
// code, and listeners are told.
import { describe, expect, it, vi } from "vitest";

const RUST = "```rust\nfn main() { let x = 1 < 2; }\n```";

describe("code before highlight.js has loaded", () => {
  it("shows the code as escaped text, loads highlight.js, then highlights", async () => {
    vi.resetModules(); // a fresh markdown.ts: the test setup already loaded it in its copy
    const md = await import("./markdown");
    const before = md.renderMarkdown(RUST);
    expect(before).toContain(md.CODE_PENDING);
    expect(before).toContain("let x = 1 &lt; 2;");
    expect(before).not.toContain("hljs");

    const ready = vi.fn();
    md.onHighlightingReady(ready);
    await md.loadHighlighting();
    expect(ready).toHaveBeenCalledOnce();

    const after = md.renderMarkdown(RUST);
    expect(after).toContain('class="hljs language-rust"');
    expect(after).toContain('<span class="hljs-keyword">fn</span>');
    expect(after).not.toContain(md.CODE_PENDING);
  });

  it("does not mark code without a language as pending, nor load anything for it", async () => {
    vi.resetModules();
    const md = await import("./markdown");
    const html = md.renderMarkdown("```\nplain <b>text</b>\n```");
    expect(html).not.toContain(md.CODE_PENDING);
    expect(html).toContain("plain &lt;b&gt;text&lt;/b&gt;");
  });
});
