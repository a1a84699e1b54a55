import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { renderMarkdown, splitBlocks } from "./markdown";
import { StreamRenderer } from "./stream";
import { assertAllowed, assertInert, installTraps, loadCorpus, type Traps } from "./hostile-corpus";

const corpus = await loadCorpus();

const answer = [
  "# Streaming answer\n\n",
  "First paragraph with **bold** and a [link](https://example.com).\n\n",
  '```rust\nfn main() {\n\n    println!("hi");\n}\n```\n\n',
  "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
  "Math $e^{i\\pi}+1=0$ inline.\n\n",
  "$$\n\\int_0^1 x\\,dx\n$$\n\n",
  "- one\n- two\n\n",
  "> a quote\n\n",
  "A long closing paragraph that keeps growing, word after word, and that is all.\n",
].join("");

/** `text` cut into `n` growing prefixes. */
function prefixes(text: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => text.slice(0, Math.ceil((text.length * (i + 1)) / n)));
}

/** A render that costs at least `ms`, so the open block is throttled. */
function slow(ms: number): (block: string) => string {
  return (block) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // spin: the cost is the point
    }
    return renderMarkdown(block);
  };
}

/** `text` cut into growing prefixes by deltas of 1 to 9 characters (the same cuts every run). */
function deltas(text: string): string[] {
  const cuts: string[] = [];
  let seed = 7;
  for (let at = 0; at < text.length;) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    at = Math.min(text.length, at + 1 + (seed % 9));
    cuts.push(text.slice(0, at));
  }
  return cuts;
}

/** A long answer of `n` sections that end lists, math, HTML, code and quotes in turn, and where
 * a block can merge with the next only once its line has grown ("1" then "1.", "1.5"). */
const sections = (n: number): string =>
  Array.from({ length: n }, (_, i) =>
    [
      `## Part ${i}\n\n`,
      `Paragraph ${i} with **bold**, \`code\` and a [link](https://example.com/${i}).\n\n`,
      i % 4 === 0 ? "- one\n- two\n\n1. three\n\n" : "",
      i % 4 === 1 ? "- item\n\n1.5 is a number, not an item.\n\n" : "",
      i % 4 === 2 ? "$$\nx^2\n\ny\n$$\n\n<!-- a\n\ncomment -->\n\n" : "",
      i % 4 === 3 ? "<pre>\nraw\n\nblock</pre>\n\n> quote\n\n    indented code\n\n" : "",
      `\`\`\`ts\nconst n${i} = ${i};\n\nconsole.log(n${i});\n\`\`\`\n\n`,
      "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    ].join(""),
  ).join("");
const longAnswer = sections(8);

/** A render that marks each block, so the DOM shows where the text was split, and caches (the
 * same blocks recur from step to step). */
function marked(): (block: string) => string {
  const cache = new Map<string, string>();
  return (block) => {
    const html = cache.get(block) ?? `<div class="block">${renderMarkdown(block)}</div>`;
    cache.set(block, html);
    return html;
  };
}

/** Streams `steps` rendering at every step, and checks the DOM is at every step exactly what
 * `splitBlocks` of the whole text gives, each block rendered once. */
function expectBlockwise(root: HTMLElement, steps: readonly string[]): void {
  const render = marked();
  const r = new StreamRenderer(root, render);
  let now = 0;
  for (const text of steps) {
    now += 1000; // every call is past any wait: Markdown all the way
    expect(r.update(text, now), "nothing left to render").toBeNull();
    expect(root.innerHTML, `blocks after ${text.length} characters`).toBe(
      splitBlocks(text).map(render).join(""),
    );
  }
}

/** Every prefix of `text`, one character apart. */
const chars = (text: string): string[] =>
  Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));

let root: HTMLElement;
let traps: Traps;
beforeEach(() => {
  traps = installTraps();
  root = document.createElement("div");
  root.addEventListener("click", (e) => e.preventDefault());
  document.body.append(root);
});
afterEach(() => {
  traps.restore();
  document.body.innerHTML = "";
});

describe("StreamRenderer", () => {
  test("rendering increments ends with the same HTML as one whole render", () => {
    const r = new StreamRenderer(root);
    let now = 0;
    for (const text of prefixes(answer, 97)) {
      now += 1000; // every call is past any wait: Markdown all the way
      expect(r.update(text, now), "nothing left to render").toBeNull();
    }
    expect(root.innerHTML, "same HTML as a whole render").toBe(renderMarkdown(answer));
  });

  test("a long answer streamed in small deltas splits as it would whole, at every step", () => {
    expectBlockwise(root, deltas(longAnswer));
  }, 20_000);

  test("a long answer streamed in small deltas ends with the HTML of one whole render", () => {
    const r = new StreamRenderer(root);
    let now = 0;
    for (const text of deltas(longAnswer)) r.update(text, (now += 1000));
    expect(root.innerHTML, "same HTML as a whole render").toBe(renderMarkdown(longAnswer));
  }, 20_000);

  test("a long answer streamed with throttled tails ends as it would whole", () => {
    const r = new StreamRenderer(root, slow(0.2));
    let now = 0;
    for (const [i, text] of deltas(longAnswer).entries()) {
      now += i % 5 === 0 ? 1000 : 1;
      r.update(text, now);
    }
    expect(r.update(longAnswer, now + 1000), "done").toBeNull();
    expect(root.innerHTML, "same HTML as a whole render").toBe(renderMarkdown(longAnswer));
  }, 20_000);

  test("blocks that a longer line or a later definition joins split as they would whole", () => {
    expectBlockwise(
      root,
      chars(
        [
          "1. first\n\n2. second, the same loose list once its line reads `2.`\n\n",
          "- a\n\n1.5 is a number, not an item\n\n",
          "[note\n\nspans blocks\nbut] is no label\n\nthen\n\n",
          "[d\n\nx\ny]: https://example.com/d\n\njoins everything\n",
        ].join(""),
      ),
    );
  }, 20_000);

  test.each([
    ["at the end", `${sections(3)}See [the docs][d].\n\n[d]: https://example.com/docs\n`],
    ["after its use", `[the docs][d]\n\n${sections(3)}[d]: https://example.com/docs\n`],
  ])(
    "a reference definition arriving %s joins the blocks it links",
    (_, text) => {
      expectBlockwise(root, deltas(text));
      root.innerHTML = "";
      const r = new StreamRenderer(root);
      let now = 0;
      for (const prefix of deltas(text)) r.update(prefix, (now += 1000));
      expect(root.innerHTML, "same HTML as a whole render").toBe(renderMarkdown(text));
      expect(
        root.querySelector('a[data-href="https://example.com/docs"]'),
        "linked",
      ).not.toBeNull();
    },
    20_000,
  );

  test("text that is not an append is split anew", () => {
    const r = new StreamRenderer(root);
    r.update(longAnswer, 1000);
    const other = longAnswer.replace("Part 0", "Part zero");
    r.update(other, 2000);
    expect(root.innerHTML).toBe(renderMarkdown(other));
    r.clear();
    r.update("# New\n\nanswer", 3000);
    expect(root.innerHTML).toBe(renderMarkdown("# New\n\nanswer"));
  });

  test("completed blocks keep their nodes; only the open block is replaced", () => {
    const r = new StreamRenderer(root);
    r.update("# Title\n\nfirst para", 0);
    const heading = root.querySelector("h1");
    r.update("# Title\n\nfirst paragraph\n\nsecond", 1000);
    r.update("# Title\n\nfirst paragraph\n\nsecond one", 2000);
    expect(root.querySelector("h1"), "the heading element is the same node").toBe(heading);
    expect(root.querySelectorAll("p").length, "two paragraphs").toBe(2);
  });

  test("a costly open block shows new text as plain text until its Markdown is due", () => {
    const r = new StreamRenderer(root, slow(2));
    r.update("Some **bold** start", 0);
    const wait = r.update("Some **bold** start and *more* <b>x</b>", 1);
    expect(wait, "asks to be called again when due").toBeGreaterThan(0);
    expect(root.textContent?.trim(), "every delta is shown").toBe(
      "Some bold start and *more* <b>x</b>",
    );
    expect(root.querySelector("em, b"), "the tail is text, never markup").toBeNull();
    expect(r.update("Some **bold** start and *more* <b>x</b>", 1 + (wait ?? 0)), "done").toBeNull();
    expect(root.innerHTML, "then rendered").toBe(
      renderMarkdown("Some **bold** start and *more* <b>x</b>"),
    );
  });

  test("side by side, at most one open block re-renders per frame", () => {
    const other = document.createElement("div");
    document.body.append(other);
    const a = new StreamRenderer(root, slow(1));
    const b = new StreamRenderer(other, slow(1));
    a.update("alpha", 0);
    b.update("beta", 0);
    a.update("alpha grows", 1000);
    const bWait = b.update("beta grows", 1000);
    expect(root.querySelector("p")?.textContent, "the first renders").toBe("alpha grows");
    expect(bWait, "the second waits a frame").not.toBeNull();
    expect(other.querySelector("p")?.textContent, "showing its tail meanwhile").toBe("beta grows");
    expect(b.update("beta grows", 1016), "then renders").toBeNull();
  });

  test("the tail of an open code block continues its last line", () => {
    const r = new StreamRenderer(root, slow(2));
    r.update("```js\nconst a = 1;\n", 0);
    r.update("```js\nconst a = 1;\nconst b", 1);
    expect(root.querySelector("code")?.textContent, "same code element, line by line").toBe(
      "const a = 1;\nconst b\n",
    );
  });

  test("clear removes everything it inserted", () => {
    const r = new StreamRenderer(root, slow(2));
    r.update("a\n\nb", 0);
    r.update("a\n\nb and c", 1);
    r.clear();
    expect(root.childNodes.length, "empty").toBe(0);
  });

  test.each(corpus)("$name streamed (with throttled tails) is inert", async ({ name, text }) => {
    const r = new StreamRenderer(root, slow(1));
    let now = 0;
    for (const [i, prefix] of prefixes(text, 12).entries()) {
      now += i % 3 === 0 ? 1000 : 1; // some steps render Markdown, others only append a tail
      r.update(prefix, now);
      assertAllowed(root, `${name} (step ${i})`);
    }
    r.update(text, now + 1000);
    assertAllowed(root, `${name} (end)`);
    await assertInert(root, name, traps);
  });
});
