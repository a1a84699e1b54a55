// Model output is untrusted. This module turns it into HTML that can run no script, call no IPC,
// navigate nothing and load nothing remote. Pipeline: marked (GFM + math) → DOMPurify with a strict
// allow-list → a post-pass over the sanitized DOM (links, images, task-list inputs, copy buttons).
// The CSP in src-tauri/tauri.conf.json is the second line of defence, not the first.

import { Marked, type Token, type Tokens, type TokenizerAndRendererExtension } from "marked";
import DOMPurify from "dompurify";
import type Katex from "katex";

/** Links: web and mail only, plus in-document anchors. */
export const SAFE_LINK = /^(?:https?:|mailto:|#)/i;
/** Images: inline raster data only. Everything else becomes a placeholder. */
export const SAFE_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;
export const REMOTE_IMAGE_NOTE = "remote image not loaded";

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * A part of the renderer loaded on first use: until it is in, what needs it renders as plain
 * text in a "pending" element, and `Markdown.svelte` renders again once it has loaded.
 */
interface LazyPart<T> {
  get(): T | null;
  /** Loads the part (once); resolves when it is in. */
  load(): Promise<void>;
  /** Calls `listener` once the part has loaded (soon after, if it already has); returns the
   * unsubscribe. */
  onReady(listener: () => void): () => void;
}

function lazyPart<T>(importer: () => Promise<T>): LazyPart<T> {
  let value: T | null = null;
  let loading: Promise<void> | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    load() {
      loading ??= importer().then((v) => {
        value = v;
        for (const listener of listeners) listener();
        listeners.clear();
      });
      return loading;
    },
    onReady(listener) {
      if (value) {
        let live = true;
        queueMicrotask(() => live && listener());
        return () => (live = false);
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * KaTeX is a third of the app's JavaScript and only answers with math need it, so it is loaded
 * on first use rather than at start-up (issue 17: launch time, idle memory). Until it is in,
 * math shows as its TeX source in a `md-math-pending` element.
 */
const math = lazyPart<typeof Katex>(() => import("katex").then((m) => m.default));
/** Loads KaTeX (once); resolves when math renders. */
export const loadMath = math.load;
/** Calls `listener` once KaTeX has loaded; returns the unsubscribe. */
export const onMathReady = math.onReady;

/**
 * highlight.js: code shows unhighlighted in a `md-code-pending` element until it is in. The
 * app loads it right after its first paint, so in practice only that paint goes without.
 */
const highlighting = lazyPart(() => import("./highlighting"));
/** Loads highlight.js (once); resolves when code is highlighted. */
export const loadHighlighting = highlighting.load;
/** Calls `listener` once highlight.js has loaded; returns the unsubscribe. */
export const onHighlightingReady = highlighting.onReady;

/** Markup of code rendered before highlight.js loaded. */
export const CODE_PENDING = "md-code-pending";

/** Markup of math rendered before KaTeX loaded. */
export const MATH_PENDING = "md-math-pending";

function renderTex(tex: string, displayMode: boolean): string {
  const katex = math.get();
  if (!katex) {
    void loadMath();
    const tag = displayMode ? "pre" : "code";
    const delim = displayMode ? "$$" : "$";
    return `<${tag} class="${MATH_PENDING}">${escapeHtml(delim + tex + delim)}</${tag}>`;
  }
  try {
    return katex.renderToString(tex, {
      displayMode,
      output: "mathml", // MathML only: no inline styles, nothing for the CSP to block
      throwOnError: true,
      trust: false, // no \href, \url, \htmlClass, \includegraphics …
      strict: "ignore",
      maxExpand: 1000,
      maxSize: 20,
    });
  } catch {
    const tag = displayMode ? "pre" : "code";
    const delim = displayMode ? "$$" : "$";
    return `<${tag} class="md-math-error" title="Invalid TeX">${escapeHtml(delim + tex + delim)}</${tag}>`;
  }
}

interface MathToken extends Tokens.Generic {
  type: "mathBlock" | "mathInline";
  text: string;
  display: boolean;
}

const mathBlock: TokenizerAndRendererExtension = {
  name: "mathBlock",
  level: "block",
  start: (src) => src.match(/^ {0,3}\$\$/m)?.index,
  tokenizer(src) {
    const m = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/.exec(src);
    if (!m || !m[1]?.trim()) return undefined;
    return { type: "mathBlock", raw: m[0], text: m[1].trim(), display: true } as MathToken;
  },
  renderer: (token) => `<div class="md-math">${renderTex(token.text as string, true)}</div>\n`,
};

const mathInline: TokenizerAndRendererExtension = {
  name: "mathInline",
  level: "inline",
  start: (src) => (src.indexOf("$") >= 0 ? src.indexOf("$") : undefined),
  tokenizer(src) {
    const display = /^\$\$(?!\$)((?:\\.|[^\\$])+?)\$\$/.exec(src);
    if (display?.[1]?.trim()) {
      return { type: "mathInline", raw: display[0], text: display[1].trim(), display: true };
    }
    // `$x$`: no space just inside the dollars and no digit right after, so "$5 and $10" stays text.
    const inline = /^\$(?![\s$])((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)/.exec(src);
    if (inline?.[1]) {
      return { type: "mathInline", raw: inline[0], text: inline[1], display: false };
    }
    return undefined;
  },
  renderer: (token) => renderTex(token.text as string, token.display === true),
};

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  extensions: [mathBlock, mathInline],
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const name = (lang ?? "").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
      const label = name.replace(/[^a-z0-9+#._-]/g, "").slice(0, 32);
      const highlighter = highlighting.get();
      if (!highlighter && name !== "") void highlighting.load();
      const highlighted = highlighter?.highlight(text, name) ?? null;
      const body = highlighted ?? escapeHtml(text);
      const cls =
        highlighted !== null
          ? ` class="hljs language-${label}"`
          : !highlighter && name !== ""
            ? ` class="${CODE_PENDING}"`
            : "";
      const head = label ? `<span class="md-code-lang">${escapeHtml(label)}</span>` : "";
      return `<div class="md-code"><div class="md-code-bar">${head}</div><pre><code${cls}>${body}\n</code></pre></div>\n`;
    },
  },
});

const ALLOWED_TAGS = [
  // HTML
  "a",
  "abbr",
  "b",
  "blockquote",
  "br",
  "caption",
  "cite",
  "code",
  "col",
  "colgroup",
  "dd",
  "del",
  "details",
  "dfn",
  "div",
  "dl",
  "dt",
  "em",
  "figcaption",
  "figure",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "i",
  "img",
  "input",
  "ins",
  "kbd",
  "li",
  "mark",
  "ol",
  "p",
  "pre",
  "q",
  "s",
  "samp",
  "small",
  "span",
  "strong",
  "sub",
  "summary",
  "sup",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "u",
  "ul",
  "var",
  "wbr",
  // MathML as KaTeX emits it (no SVG at all)
  "math",
  "annotation",
  "semantics",
  "menclose",
  "merror",
  "mfrac",
  "mi",
  "mmultiscripts",
  "mn",
  "mo",
  "mover",
  "mpadded",
  "mphantom",
  "mprescripts",
  "mroot",
  "mrow",
  "ms",
  "mspace",
  "msqrt",
  "mstyle",
  "msub",
  "msubsup",
  "msup",
  "mtable",
  "mtd",
  "mtext",
  "mtr",
  "munder",
  "munderover",
];

const ALLOWED_ATTR = [
  "href",
  "src",
  "alt",
  "title",
  "class",
  "colspan",
  "rowspan",
  "align",
  "start",
  "type",
  "checked",
  "disabled",
  "open",
  "dir",
  "lang",
  // MathML presentation attributes
  "display",
  "displaystyle",
  "mathvariant",
  "mathcolor",
  "mathsize",
  "scriptlevel",
  "stretchy",
  "fence",
  "separator",
  "lspace",
  "rspace",
  "width",
  "height",
  "depth",
  "voffset",
  "accent",
  "accentunder",
  "linethickness",
  "columnalign",
  "columnspacing",
  "columnlines",
  "rowalign",
  "rowspacing",
  "rowlines",
  "frame",
  "encoding",
  "minsize",
  "maxsize",
  "movablelimits",
  "symmetric",
  "notation",
  "largeop",
];

const purify = DOMPurify();
// The original src of every <img>, before sanitizing strips it, to show it in the placeholder.
const imageSources = new WeakMap<Element, string>();
purify.addHook("uponSanitizeElement", (node, data) => {
  if (data.tagName === "img" && node instanceof Element) {
    imageSources.set(node, node.getAttribute("src") ?? "");
  }
});
const PURIFY_CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  // DOMPurify tests every non-URI-safe attribute value against this, so plain values ("center",
  // "application/x-tex") must pass. The strict link/image allow-lists are enforced in postProcess.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  ALLOW_DATA_ATTR: false, // every data-* in the output is ours (data-href, data-copy)
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  SAFE_FOR_XML: true,
  WHOLE_DOCUMENT: false,
  RETURN_DOM: true as const,
  FORCE_BODY: true, // a leading <frameset> must not replace the body
  FORBID_TAGS: ["style", "script", "svg", "form", "iframe", "frame", "object", "embed"],
  FORBID_ATTR: ["style", "id", "name", "xlink:href", "action", "formaction", "srcset"],
};

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Links into the app's own origins (IPC, asset, localhost) are never links. */
function isAppHost(href: string): boolean {
  const host = hostOf(href);
  return host !== null && /(?:^|\.)localhost(?::\d+)?$/.test(host);
}

/** Link text that itself reads as a URL (`https://…` or `www.…`) pointing somewhere else. */
function misleads(text: string, href: string): boolean {
  const t = text.trim();
  const shown = /^https?:\/\//i.test(t) ? t : /^www\./i.test(t) ? `https://${t}` : null;
  if (shown === null) return false;
  const a = hostOf(shown);
  const b = hostOf(href);
  return a !== null && b !== null && a.replace(/^www\./, "") !== b.replace(/^www\./, "");
}

function placeholder(doc: Document, url: string, alt: string): HTMLElement {
  const box = doc.createElement("span");
  box.className = "md-image-placeholder";
  const note = doc.createElement("span");
  note.className = "md-image-note";
  note.textContent = REMOTE_IMAGE_NOTE;
  box.append(note);
  if (alt) {
    const a = doc.createElement("span");
    a.className = "md-image-alt";
    a.textContent = alt;
    box.append(a);
  }
  const u = doc.createElement("code");
  u.className = "md-image-url";
  u.textContent = url || "(no address)";
  box.append(u);
  return box;
}

/**
 * Classes the renderer itself emits (highlight.js, KaTeX, ours). Anything else a model writes is
 * dropped, so raw HTML cannot borrow the app's global classes (overlays, fake buttons).
 */
const SAFE_CLASS =
  /^(?:hljs(?:-[a-z-]+)?|[a-z]+_|language-[a-z0-9+#._-]+|katex(?:-display)?|md-(?:code|code-bar|code-lang|code-pending|math|math-error|math-pending))$/;

function postProcess(body: HTMLElement): void {
  const doc = body.ownerDocument;
  for (const el of Array.from(body.querySelectorAll("[class]"))) {
    const keep = Array.from(el.classList).filter((c) => SAFE_CLASS.test(c));
    if (keep.length > 0) el.setAttribute("class", keep.join(" "));
    else el.removeAttribute("class");
  }
  // Only <a> may carry a link; MathML href and friends are dropped.
  for (const el of Array.from(body.querySelectorAll("[href]"))) {
    if (el.localName !== "a") el.removeAttribute("href");
  }
  for (const el of Array.from(body.querySelectorAll("[src]"))) {
    if (el.localName !== "img") el.removeAttribute("src");
  }
  for (const a of Array.from(body.querySelectorAll("a"))) {
    const href = (a.getAttribute("href") ?? "").trim();
    a.removeAttribute("target");
    if (!href || !SAFE_LINK.test(href) || isAppHost(href)) {
      a.removeAttribute("href");
      continue;
    }
    a.setAttribute("rel", "noopener noreferrer nofollow");
    if (href.startsWith("#")) continue;
    a.setAttribute("data-href", href);
    a.setAttribute("title", href);
    if (misleads(a.textContent ?? "", href)) {
      a.classList.add("md-link-mismatch");
      const dest = doc.createElement("span");
      dest.className = "md-link-dest";
      dest.textContent = ` (→ ${hostOf(href) ?? href})`;
      a.append(dest);
    }
  }
  for (const img of Array.from(body.querySelectorAll("img"))) {
    const src = (img.getAttribute("src") ?? "").trim();
    if (SAFE_IMAGE.test(src)) continue;
    const original = (imageSources.get(img) ?? src).trim();
    img.replaceWith(placeholder(doc, original, img.getAttribute("alt") ?? ""));
  }
  for (const input of Array.from(body.querySelectorAll("input"))) {
    if (input.getAttribute("type") !== "checkbox") {
      input.remove();
      continue;
    }
    input.setAttribute("disabled", "");
  }
  for (const bar of Array.from(body.querySelectorAll(".md-code > .md-code-bar"))) {
    const button = doc.createElement("button");
    button.setAttribute("type", "button");
    button.setAttribute("data-copy", "");
    button.className = "md-copy";
    button.textContent = "Copy";
    bar.append(button);
  }
}

/** Untrusted Markdown (model output) → sanitized HTML, safe for `{@html}`. */
export function renderMarkdown(text: string): string {
  const raw = marked.parse(text, { async: false });
  const body = purify.sanitize(raw, PURIFY_CONFIG) as HTMLElement | null; // RETURN_DOM: <body>
  if (!body) return "";
  postProcess(body);
  return body.innerHTML;
}

/** The tokens the renderer sees for `text` (with the math extensions), for other views of the
 * same Markdown (an answer copied as plain text). */
export function lexMarkdown(text: string): Token[] {
  return marked.lexer(text);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const RAW_BLOCK_OPEN = /<(script|pre|style|textarea)\b/gi;
const LIST_ITEM = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const REF_DEF = /^ {0,3}\[[^\]]+\]:/m;

/**
 * Splits Markdown at boundaries where rendering the parts separately gives the same HTML as
 * rendering the whole: blank lines outside code fences, `$$` math, raw HTML blocks and comments,
 * and not before an indented line or a list item (loose lists). Reference definitions can be used
 * anywhere, so text with one is never split.
 */
export function splitBlocks(text: string): string[] {
  if (REF_DEF.test(text)) return [text];
  const lines = text.split(/(?<=\n)/);
  const blocks: string[] = [];
  let current = "";
  let fence: { char: string; len: number } | null = null;
  let blank = false;
  for (const line of lines) {
    const bare = line.replace(/\n$/, "");
    if (fence) {
      const m = FENCE.exec(bare);
      if (
        m?.[1] &&
        m[1][0] === fence.char &&
        m[1].length >= fence.len &&
        !bare.slice(m[0].length).trim()
      ) {
        fence = null;
      }
      current += line;
      continue;
    }
    const isBlank = bare.trim() === "";
    if (!isBlank && blank && current && canBreak(current, bare)) {
      blocks.push(current);
      current = "";
    }
    blank = isBlank;
    const open = FENCE.exec(bare);
    if (open?.[1] && !(open[1][0] === "`" && bare.slice(open[0].length).includes("`"))) {
      fence = { char: open[1][0] ?? "`", len: open[1].length };
    }
    current += line;
  }
  if (current) blocks.push(current);
  return blocks;
}

/**
 * Whether `text` has a reference definition ({@link splitBlocks} then keeps it whole). `from`
 * must be a line start; definitions starting before it are not looked for.
 */
export function hasRefDef(text: string, from = 0): boolean {
  return REF_DEF.test(from === 0 ? text : text.slice(from));
}

/**
 * Where in `text.slice(from, end)` (a block boundary ends it; `from` is a line start) a
 * reference definition completed by text appended later could start: the first line starting
 * with a `[` that no `]` follows before `end` (a `]` ends a label for good, and the text itself
 * has no definition), or `end` when there is none.
 */
export function openRefDefAt(text: string, from: number, end: number): number {
  const part = text.slice(from, end);
  const closed = part.lastIndexOf("]");
  const label = /^ {0,3}\[/gm; // line starts as REF_DEF sees them
  label.lastIndex = closed < 0 ? 0 : part.lastIndexOf("\n", closed) + 1;
  for (let m = label.exec(part); m; m = label.exec(part)) {
    if (m.index + m[0].length - 1 > closed) return from + m.index;
  }
  return end;
}

/**
 * How many leading `blocks` (the result of {@link splitBlocks} on text without a reference
 * definition) text appended to it cannot change. A break before a block is decided by that
 * block's first line alone, so every break is final once that line is complete; the last block
 * can always grow, and the one before it can still merge with it while the last's first line is
 * incomplete (`"- a\n\n1"` splits, `"- a\n\n1."` does not).
 */
export function settledBlocks(blocks: readonly string[]): number {
  const last = blocks[blocks.length - 1];
  if (last === undefined) return 0;
  return Math.max(0, blocks.length - (last.includes("\n") ? 1 : 2));
}

function canBreak(before: string, next: string): boolean {
  if (/^[ \t]/.test(next)) return false;
  if (LIST_ITEM.test(next) && before.split("\n").some((l) => LIST_ITEM.test(l.trimStart()))) {
    return false; // a list after a blank line may continue a loose list
  }
  if ((before.match(/\$\$/g)?.length ?? 0) % 2 === 1) return false;
  if (before.lastIndexOf("<!--") > before.lastIndexOf("-->")) return false;
  for (const m of before.matchAll(RAW_BLOCK_OPEN)) {
    const tag = m[1]?.toLowerCase() ?? "";
    if (!new RegExp(`</${tag}>`, "i").test(before.slice(m.index))) return false;
  }
  return true;
}
