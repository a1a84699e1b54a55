// An answer as plain text: what the rendered Markdown reads as, without its syntax. Walks the
// same tokens the renderer draws (lexMarkdown) rather than the rendered DOM: KaTeX's MathML and
// the code blocks' copy buttons would otherwise leak into the text, and block boundaries
// (paragraphs, list items, table rows) would be lost to textContent.

import type { Token, Tokens } from "marked";
import { lexMarkdown } from "./markdown";

/** Untrusted Markdown → the text it renders as: no `**`, `#`, backticks or link targets;
 * paragraphs separated by a blank line, list items on their own lines, table cells by tabs. */
export function markdownToPlainText(markdown: string): string {
  return blocks(lexMarkdown(markdown), "\n\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function blocks(tokens: readonly Token[], separator: string): string {
  return tokens
    .map(block)
    .filter((text) => text !== "")
    .join(separator);
}

function block(token: Token): string {
  switch (token.type) {
    case "space":
    case "def":
    case "hr":
    case "checkbox":
      return "";
    case "code":
      return (token as Tokens.Code).text;
    case "heading":
    case "paragraph":
      return inline((token as Tokens.Paragraph).tokens);
    case "text": {
      const text = token as Tokens.Text;
      return text.tokens ? inline(text.tokens) : decodeEntities(text.text);
    }
    case "blockquote":
      return blocks((token as Tokens.Blockquote).tokens, "\n\n");
    case "list":
      return list(token as Tokens.List);
    case "table":
      return table(token as Tokens.Table);
    case "html":
      return stripTags((token as Tokens.HTML).text).trim();
    default:
      return textOf(token);
  }
}

function list(token: Tokens.List): string {
  const start = typeof token.start === "number" ? token.start : 1;
  return token.items
    .map((item, i) => {
      const marker = token.ordered ? `${start + i}. ` : "• ";
      const box = item.task ? (item.checked ? "[x] " : "[ ] ") : "";
      const body = blocks(item.tokens, item.loose ? "\n\n" : "\n");
      // Continuation lines (a nested list, a second paragraph) line up under the text.
      const pad = " ".repeat(marker.length);
      const lines = body.split("\n").map((line, j) => (j === 0 || line === "" ? line : pad + line));
      return marker + box + lines.join("\n");
    })
    .join(token.loose ? "\n\n" : "\n");
}

function table(token: Tokens.Table): string {
  const row = (cells: readonly Tokens.TableCell[]) =>
    cells.map((cell) => inline(cell.tokens)).join("\t");
  return [row(token.header), ...token.rows.map(row)].join("\n");
}

function inline(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      switch (token.type) {
        case "text": {
          const text = token as Tokens.Text;
          return text.tokens ? inline(text.tokens) : decodeEntities(text.text);
        }
        case "escape":
        case "codespan":
          return (token as Tokens.Codespan).text;
        case "br":
          return "\n";
        case "strong":
        case "em":
        case "del":
        case "link":
          return inline((token as Tokens.Strong).tokens);
        case "image":
          return (token as Tokens.Image).text;
        case "html":
          return stripTags((token as Tokens.HTML).text);
        case "checkbox":
          return "";
        default:
          return textOf(token);
      }
    })
    .join("");
}

/** An extension's token (math keeps its TeX source) or anything newer marked adds. */
function textOf(token: Token): string {
  const text: unknown = (token as { text?: unknown }).text;
  return typeof text === "string" ? text : "";
}

/** Raw HTML in an answer renders without its tags (the sanitizer keeps their text). */
function stripTags(html: string): string {
  return decodeEntities(html.replace(/<!--[\s\S]*?-->/g, "").replace(/<\/?[a-z][^>]*>/gi, ""));
}

const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** The character references a browser would show as characters (`&amp;` → `&`). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code =
        ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
