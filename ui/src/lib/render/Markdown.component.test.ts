import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { fireEvent, render } from "@testing-library/svelte";
import { flushSync } from "svelte";
import Markdown from "./Markdown.svelte";
import Reasoning from "./Reasoning.svelte";
import ToolCalls from "./ToolCalls.svelte";
import { renderMarkdown, splitBlocks } from "./markdown";
import { assertAllowed, assertInert, installTraps, loadCorpus, type Traps } from "./hostile-corpus";

// Count renders: the component must render completed blocks once and only the trailing block after.
vi.mock("./markdown", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./markdown")>();
  return { ...actual, renderMarkdown: vi.fn(actual.renderMarkdown) };
});
const renderSpy = vi.mocked(renderMarkdown);

const corpus = await loadCorpus();

/** The component's HTML without Svelte's anchor comments and inter-block whitespace. */
function shown(container: HTMLElement): string {
  return (container.querySelector(".md")?.innerHTML ?? "").replace(/<!--[^]*?-->/g, "");
}

let traps: Traps;
beforeEach(() => {
  traps = installTraps();
});
afterEach(() => {
  traps.restore();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("hostile corpus through <Markdown>", () => {
  test.each(corpus)("$name is inert", async ({ name, text }) => {
    const onlink = vi.fn();
    const { container } = render(Markdown, { props: { text, onlink } });
    assertAllowed(container, name);
    await assertInert(container, name, traps);
  });

  test.each(corpus)("$name is inert while streaming", async ({ name, text }) => {
    const { container, rerender } = render(Markdown, { props: { text: "", streaming: true } });
    for (let i = 1; i <= 8; i++) {
      await rerender({ text: text.slice(0, Math.ceil((text.length * i) / 8)) });
      await new Promise((r) => setTimeout(r, 20));
    }
    assertAllowed(container, `${name} (streaming)`);
    await assertInert(container, `${name} (streaming)`, traps);
  });
});

describe("clicks", () => {
  test("a link click calls onlink and never navigates", () => {
    const onlink = vi.fn();
    const { container } = render(Markdown, {
      props: { text: "Go to [docs](https://example.com/docs).", onlink },
    });
    const a = container.querySelector("a");
    expect(a, "link rendered").not.toBeNull();
    expect(a?.getAttribute("rel"), "rel").toBe("noopener noreferrer nofollow");
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    a?.dispatchEvent(click);
    expect(onlink, "onlink called with the URL").toHaveBeenCalledWith("https://example.com/docs");
    expect(click.defaultPrevented, "navigation prevented").toBe(true);
    const middle = new MouseEvent("auxclick", { bubbles: true, cancelable: true, button: 1 });
    a?.dispatchEvent(middle);
    expect(middle.defaultPrevented, "middle click prevented").toBe(true);
    expect(onlink, "auxclick does not open").toHaveBeenCalledTimes(1);
  });

  test("a click on a neutralised link is prevented and reports nothing", () => {
    const onlink = vi.fn();
    const { container } = render(Markdown, { props: { text: "[x](javascript:alert(1))", onlink } });
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    container.querySelector("a")?.dispatchEvent(click);
    expect(click.defaultPrevented, "prevented").toBe(true);
    expect(onlink, "no URL reported").not.toHaveBeenCalled();
  });

  test("the copy button copies the code text and says Copied", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const { container } = render(Markdown, {
      props: { text: "```rust\nfn main() {}\n```\n" },
    });
    const button = container.querySelector<HTMLButtonElement>("button[data-copy]");
    expect(button, "copy button").not.toBeNull();
    await fireEvent.click(button as HTMLButtonElement);
    await new Promise((r) => setTimeout(r, 0));
    expect(writeText, "clipboard written").toHaveBeenCalledWith("fn main() {}");
    expect(button?.textContent, "feedback").toBe("Copied");
  });

  test("without the clipboard API, copy falls back to execCommand", async () => {
    vi.stubGlobal("navigator", { ...navigator, clipboard: undefined });
    let copied = "";
    const exec = vi.fn(() => {
      copied = document.querySelector<HTMLTextAreaElement>("textarea.md-copy-buffer")?.value ?? "";
      return true;
    });
    Object.defineProperty(document, "execCommand", { value: exec, configurable: true });
    const { container } = render(Markdown, { props: { text: "```\nplain <b>\n```\n" } });
    await fireEvent.click(container.querySelector("button[data-copy]") as HTMLButtonElement);
    await new Promise((r) => setTimeout(r, 0));
    expect(exec, "execCommand('copy')").toHaveBeenCalledWith("copy");
    expect(copied, "textarea held the code").toBe("plain <b>");
    expect(document.querySelector("textarea"), "buffer removed").toBeNull();
  });
});

describe("ordinary Markdown in the component", () => {
  test("table, highlighted code, math, task list and link", () => {
    const text = [
      "| a | b |\n|---|---|\n| 1 | 2 |\n",
      "```rust\nlet x = 1;\n```\n",
      "Inline $a+b$ and\n\n$$\n\\sum_i i\n$$\n",
      "- [x] done\n- [ ] todo\n",
      "[site](https://example.com)\n",
    ].join("\n");
    const { container } = render(Markdown, { props: { text } });
    expect(container.querySelector("table"), "table").not.toBeNull();
    expect(
      container.querySelector("code.language-rust .hljs-keyword"),
      "highlighted",
    ).not.toBeNull();
    expect(container.querySelectorAll("math").length, "two math elements").toBe(2);
    expect(container.querySelectorAll("input[type=checkbox]").length, "task list").toBe(2);
    expect(container.querySelector("a")?.getAttribute("data-href"), "link").toBe(
      "https://example.com",
    );
  });
});

describe("streaming", () => {
  const full = [
    "# Streaming answer\n\n",
    "First paragraph with **bold** and a [link](https://example.com).\n\n",
    '```rust\nfn main() {\n\n    println!("hi");\n}\n```\n\n',
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    "Math $e^{i\\pi}+1=0$ inline.\n\n",
    "$$\n\\int_0^1 x\\,dx\n$$\n\n",
    "- one\n- two\n\n",
    "> a quote\n\n",
    "Closing words, and that is all.\n",
  ].join("");

  test("renders completed blocks once, the trailing block per frame, and ends like one-shot", async () => {
    vi.useFakeTimers();
    renderSpy.mockClear();
    const { container, rerender } = render(Markdown, { props: { text: "", streaming: true } });
    let frames = 0;
    let atFrame = renderSpy.mock.calls.length;
    for (let i = 1; i <= 200; i++) {
      await rerender({ text: full.slice(0, Math.ceil((full.length * i) / 200)) });
      expect(renderSpy.mock.calls.length, `step ${i}: no render before the frame`).toBe(atFrame);
      if (i % 10 === 0) {
        vi.advanceTimersToNextFrame();
        flushSync();
        frames++;
        atFrame = renderSpy.mock.calls.length;
      }
    }
    const blocks = splitBlocks(full);
    expect(blocks.length, "the sample has many blocks").toBeGreaterThanOrEqual(8);
    const rendered = renderSpy.mock.calls.map((c) => c[0]);
    for (const block of blocks.slice(0, -1)) {
      const n = rendered.filter((t) => t === block).length;
      expect(n, `completed block rendered once: ${JSON.stringify(block.slice(0, 30))}`).toBe(1);
    }
    expect(
      rendered.length,
      `renders (${rendered.length}) bounded by frames (${frames}) + blocks (${blocks.length})`,
    ).toBeLessThanOrEqual(frames + blocks.length);
    expect(
      rendered.every((t) => t.length < full.length),
      "the whole text is never re-rendered while streaming",
    ).toBe(true);

    renderSpy.mockClear();
    const oneShot = renderMarkdown(full);
    expect(shown(container), "streamed HTML equals a one-shot render").toBe(oneShot);

    await rerender({ text: full, streaming: false });
    expect(shown(container), "final HTML equals a one-shot render").toBe(oneShot);
  });

  test("falls back to setTimeout without requestAnimationFrame", async () => {
    vi.stubGlobal("requestAnimationFrame", undefined);
    const { container, rerender } = render(Markdown, { props: { text: "", streaming: true } });
    await rerender({ text: "Hello *there*" });
    expect(container.querySelector("em"), "not yet").toBeNull();
    await new Promise((r) => setTimeout(r, 40));
    flushSync();
    expect(container.querySelector("em")?.textContent, "rendered after the timeout").toBe("there");
  });
});

describe("Reasoning and ToolCalls", () => {
  test("reasoning is collapsed with a word count and renders Markdown when opened", async () => {
    const { container } = render(Reasoning, { props: { text: "Let me **think** about it." } });
    const details = container.querySelector("details");
    expect(details?.open, "collapsed by default").toBe(false);
    expect(container.querySelector("summary")?.textContent, "label").toMatch(/Reasoning.*5 words/);
    details?.setAttribute("open", "");
    details?.dispatchEvent(new Event("toggle"));
    flushSync();
    await new Promise((r) => setTimeout(r, 0));
    expect(container.querySelector("strong")?.textContent, "markdown inside").toBe("think");
  });

  test("tool call arguments are pretty JSON or raw text, never HTML", () => {
    const { container } = render(ToolCalls, {
      props: {
        calls: [
          { id: "c1", name: "search", arguments: '{"q":"x","n":2}' },
          { id: "c2", name: "bad", arguments: '<img src=x onerror="window.__pwned=1">' },
        ],
      },
    });
    const pres = container.querySelectorAll("pre");
    expect(pres[0]?.textContent, "pretty").toBe('{\n  "q": "x",\n  "n": 2\n}');
    expect(pres[1]?.textContent, "raw text").toBe('<img src=x onerror="window.__pwned=1">');
    expect(container.querySelector("img"), "no element from arguments").toBeNull();
  });
});
