import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { REMOTE_IMAGE_NOTE, renderMarkdown, splitBlocks } from "./markdown";
import {
  assertAllowed,
  assertInert,
  installTraps,
  loadCorpus,
  pwned,
  type Traps,
} from "./hostile-corpus";

const corpus = await loadCorpus();

/** Puts HTML into the live document, like `{@html}` does, and stops any navigation. */
function attach(html: string): HTMLElement {
  const box = document.createElement("div");
  box.addEventListener("click", (e) => e.preventDefault());
  box.innerHTML = html;
  document.body.append(box);
  return box;
}

let traps: Traps;
beforeEach(() => {
  traps = installTraps();
});
afterEach(() => {
  traps.restore();
  document.body.innerHTML = "";
});

describe("hostile corpus through renderMarkdown", () => {
  test("the corpus is there and large enough", () => {
    expect(
      corpus.length,
      "tests/fixtures/hostile/ should hold at least 30 payloads",
    ).toBeGreaterThanOrEqual(30);
  });

  test("the harness detects an unsanitized payload (control)", async () => {
    const box = attach(
      `<img src="x" onerror="window.__pwned='control'"><p onclick="__TAURI_INTERNALS__.invoke('key_remove')">p</p>`,
    );
    box.querySelector("img")?.dispatchEvent(new Event("error"));
    box.querySelector("p")?.click();
    expect(traps.invoke, "the forged invoke reaches the spy").toHaveBeenCalledWith("key_remove");
    await new Promise((r) => setTimeout(r, 0));
    expect(pwned(), "jsdom runs inline handlers, so the corpus tests can see a payload fire").toBe(
      "control",
    );
  });

  test.each(corpus)("$name is inert", async ({ name, text }) => {
    let html = "";
    expect(() => (html = renderMarkdown(text)), `${name}: renderMarkdown threw`).not.toThrow();
    const box = attach(html);
    assertAllowed(box, name);
    await assertInert(box, name, traps);
  });

  test.each(corpus)("$name is inert when split into blocks", async ({ name, text }) => {
    const box = attach(splitBlocks(text).map(renderMarkdown).join(""));
    assertAllowed(box, `${name} (blocks)`);
    await assertInert(box, `${name} (blocks)`, traps);
  });
});

describe("specific defences", () => {
  test("remote and svg images become placeholders showing the URL", () => {
    const box = attach(
      renderMarkdown(
        "![px](https://tracker.example/p.gif) ![s](data:image/svg+xml;base64,PHN2Zz4=) <img src=file:///etc/passwd>",
      ),
    );
    expect(box.querySelectorAll("img").length, "no <img> survives").toBe(0);
    const boxes = box.querySelectorAll(".md-image-placeholder");
    expect(boxes.length, "one placeholder per image").toBe(3);
    expect(boxes[0]?.textContent, "placeholder explains").toContain(REMOTE_IMAGE_NOTE);
    expect(boxes[0]?.textContent, "placeholder shows the URL as text").toContain(
      "https://tracker.example/p.gif",
    );
    expect(boxes[2]?.textContent, "file: URL shown").toContain("file:///etc/passwd");
  });

  test("inline raster data images are kept", () => {
    const box = attach(renderMarkdown("![dot](data:image/png;base64,iVBORw0KGgo=)"));
    expect(box.querySelector("img")?.getAttribute("src"), "png data URL kept").toBe(
      "data:image/png;base64,iVBORw0KGgo=",
    );
  });

  test("a link whose text is another URL shows its real destination", () => {
    const box = attach(renderMarkdown("[https://openrouter.ai/keys](https://evil.example/steal)"));
    const a = box.querySelector("a");
    expect(a?.classList.contains("md-link-mismatch"), "mismatch flagged").toBe(true);
    expect(a?.textContent, "real host shown").toContain("evil.example");
    expect(a?.getAttribute("title"), "title is the real URL").toBe("https://evil.example/steal");
  });

  test("links into the app (ipc.localhost) lose their href", () => {
    const box = attach(renderMarkdown("[x](http://ipc.localhost/key_remove)"));
    expect(box.querySelector("a")?.hasAttribute("href"), "no href to the IPC origin").toBe(false);
  });

  test("bad TeX shows its source and never throws", () => {
    const html = renderMarkdown("a $\\frac{$ b and $\\href{javascript:x}{y}$");
    expect(html, "source shown").toContain("\\frac{");
    expect(html, "no javascript: survives").not.toMatch(/href="javascript/i);
  });

  test("raw HTML cannot borrow the app's classes", () => {
    const box = attach(
      renderMarkdown('<div class="modal overlay md-image-placeholder hljs-keyword">x</div>'),
    );
    expect(box.querySelector("div")?.getAttribute("class"), "only renderer classes").toBe(
      "hljs-keyword",
    );
  });

  test("\\$ stays a dollar and prices are not math", () => {
    const box = attach(renderMarkdown("It costs \\$5, or $5 and $10 in total."));
    expect(box.querySelector("math"), "no math element").toBeNull();
    expect(box.textContent, "dollars kept").toContain("$5, or $5 and $10");
  });
});

describe("ordinary Markdown", () => {
  test("GFM table", () => {
    const box = attach(renderMarkdown("| a | b |\n|---|:-:|\n| 1 | 2 |\n"));
    expect(box.querySelectorAll("table th").length, "two header cells").toBe(2);
    expect(box.querySelector("td[align=center]")?.textContent, "alignment kept").toBe("2");
  });

  test("fenced rust block is highlighted and gets a copy button", () => {
    const box = attach(renderMarkdown("```rust\nfn main() {\n    let x = 1;\n}\n```\n"));
    const code = box.querySelector("pre code");
    expect(code?.classList.contains("language-rust"), "language class").toBe(true);
    expect(code?.querySelector(".hljs-keyword")?.textContent, "keyword token").toBe("fn");
    const button = box.querySelector("button[data-copy]");
    expect(button, "copy button present").not.toBeNull();
    expect(button?.getAttribute("type"), "plain button").toBe("button");
  });

  test("unknown language is plain escaped text", () => {
    const box = attach(renderMarkdown("```nosuchlang\n<b>x</b>\n```\n"));
    expect(box.querySelector("pre code b"), "no markup from code").toBeNull();
    expect(box.querySelector("pre code")?.textContent, "text kept").toBe("<b>x</b>\n");
  });

  test("inline and display math are MathML", () => {
    const box = attach(renderMarkdown("Inline $x^2$.\n\n$$\n\\frac{a}{b}\n$$\n"));
    const maths = box.querySelectorAll("math");
    expect(maths.length, "two math elements").toBe(2);
    expect(maths[1]?.getAttribute("display"), "display math").toBe("block");
    expect(box.querySelector("mfrac"), "fraction").not.toBeNull();
  });

  test("task list", () => {
    const box = attach(renderMarkdown("- [x] done\n- [ ] todo\n"));
    const boxes = box.querySelectorAll<HTMLInputElement>("input[type=checkbox]");
    expect(boxes.length, "two checkboxes").toBe(2);
    expect(boxes[0]?.checked, "first checked").toBe(true);
    expect(boxes[1]?.disabled, "read-only").toBe(true);
  });

  test("https link gets rel and data-href; strikethrough and autolinks work", () => {
    const box = attach(renderMarkdown("See [docs](https://example.com/a) ~~old~~ www.example.org"));
    const links = box.querySelectorAll("a");
    expect(links[0]?.getAttribute("rel"), "rel").toBe("noopener noreferrer nofollow");
    expect(links[0]?.getAttribute("data-href"), "data-href").toBe("https://example.com/a");
    expect(box.querySelector("del")?.textContent, "strikethrough").toBe("old");
    expect(links[1]?.getAttribute("data-href"), "autolink").toBe("http://www.example.org");
  });
});

describe("splitBlocks", () => {
  const doc = [
    "# Title\n\n",
    "Para one\nstill one.\n\n",
    "```js\nconst a = 1;\n\nconst b = 2;\n```\n\n",
    "1. a\n\n2. b\n\n   indented\n\n",
    "$$\nx\n\ny\n$$\n\n",
    "<pre>\n\nraw\n\n</pre>\n\n",
    "| t |\n|---|\n| 1 |\n",
  ];
  const text = doc.join("");

  test("splits only at safe blank lines", () => {
    expect(splitBlocks(text), "blocks").toEqual(doc);
  });

  test("joined block renders equal a one-shot render", () => {
    expect(splitBlocks(text).map(renderMarkdown).join(""), "same HTML").toBe(renderMarkdown(text));
  });

  test("reference definitions keep the text whole", () => {
    const t = "[a][r]\n\nmore\n\n[r]: https://example.com\n";
    expect(splitBlocks(t), "one block").toEqual([t]);
  });
});
