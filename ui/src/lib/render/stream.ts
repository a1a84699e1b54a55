// Streaming Markdown into the DOM at a cost per frame that does not grow with the answer.
// Re-rendering the whole answer (or even its whole last block) every frame is quadratic over a
// stream: a long paragraph or code block is re-parsed, re-sanitized, re-highlighted and its DOM
// replaced tens of times a second, in every streaming column at once. Here completed blocks are
// rendered once and never touched again; the open (last) block is re-rendered only as often as
// its cost allows, and text that arrives in between is appended as a plain text node. Only the
// text after the blocks no append can change is split again (see `settledBlocks`).

import { hasRefDef, openRefDefAt, renderMarkdown, settledBlocks, splitBlocks } from "./markdown";

/** The open block waits about this many times its last render's cost before the next render:
 * each streaming answer then spends at most about 4% of the main thread on Markdown. */
const COST_FACTOR = 25;
/** However costly the open block, its Markdown catches up at least this often. */
const MAX_WAIT_MS = 400;

/** The frame (its time) in which some renderer last re-rendered an open block. Answers stream
 * side by side: at most one of them re-renders its open block per frame, so their costs never
 * pile up in one frame; the others show their tails one frame longer. */
let openRenderFrame = Number.NaN;

interface Block {
  /** The Markdown this block's nodes were rendered from. */
  source: string;
  nodes: ChildNode[];
}

/** Elements a tail of plain text must not go into: it would not show, or would mislead. */
const NO_TAIL = new Set([
  "math",
  "button",
  "input",
  "img",
  "br",
  "hr",
  "table",
  "thead",
  "tbody",
  "tr",
]);

/** Where text appended to a block goes: its last element, as deep as its last node is one. */
function tailHost(nodes: readonly ChildNode[]): Element | null {
  let host: Element | null = null;
  for (let i = nodes.length - 1; i >= 0 && !host; i--) {
    const node = nodes[i];
    if (node instanceof Element && !NO_TAIL.has(node.localName)) host = node;
  }
  while (host) {
    const last: ChildNode | null = host.lastChild;
    if (!(last instanceof Element) || NO_TAIL.has(last.localName)) break;
    host = last;
  }
  return host;
}

/**
 * Renders growing Markdown into `root` (which it owns while streaming). Every HTML string it
 * inserts comes from `render` (sanitized by {@link renderMarkdown}); the tail is a text node,
 * inert by construction.
 */
export class StreamRenderer {
  private blocks: Block[] = [];
  /** How many leading blocks no append can change (all rendered): what `update` splits starts
   * after them. */
  private settled = 0;
  /** The text of the settled blocks. */
  private settledText = "";
  /** No reference definition in any text extending `settledText` starts before this (a line
   * start): looking from here finds every one. */
  private refFrom = 0;
  /** Text of the open block that arrived after its last render, shown as is. */
  private tail: Text | null = null;
  private lastCost = 0;
  private renderedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly root: HTMLElement,
    private readonly render: (block: string) => string = renderMarkdown,
  ) {}

  /**
   * Shows `text` (the previous text plus appended deltas); `now` is the frame's time (the same
   * for every renderer in one frame). Returns how many ms until a call
   * with the same text would render more Markdown (the tail's), or `null` when all is rendered.
   */
  update(text: string, now: number = performance.now()): number | null {
    // The blocks are `splitBlocks(text)`: the settled ones and `sources`, the split of the rest.
    // A definition can join every block into one, and text that does not extend the settled
    // blocks (not an append) splits anew: both split the whole text.
    if (!text.startsWith(this.settledText) || hasRefDef(text, this.refFrom)) this.unsettle();
    const base = this.settled;
    const sources = splitBlocks(text.slice(this.settledText.length));
    const count = base + sources.length;
    let same = base;
    while (same < count && this.blocks[same]?.source === sources[same - base]) same++;
    const openAt = this.blocks.length - 1;
    const open = this.blocks[openAt];
    const grown = sources[openAt - base];
    if (same === count && same === this.blocks.length) {
      this.setTail("");
      return null;
    }
    const wait = Math.min(this.lastCost * COST_FACTOR, MAX_WAIT_MS);
    const onlyOpenGrew =
      open !== undefined &&
      same === openAt &&
      count === this.blocks.length &&
      grown !== undefined &&
      grown.startsWith(open.source);
    const due = now - this.renderedAt >= wait && openRenderFrame !== now;
    if (onlyOpenGrew && !due) {
      // From the end of what rendered visibly: a trailing newline the render dropped is part of
      // the new text ("para\n" + "more" shows as "para more", not "paramore").
      this.setTail(grown.slice(open.source.trimEnd().length));
      return Math.max(wait - (now - this.renderedAt), 1);
    }
    this.setTail("");
    const started = performance.now();
    for (const stale of this.blocks.splice(same)) for (const node of stale.nodes) node.remove();
    for (const source of sources.slice(same - base)) {
      this.blocks.push({ source, nodes: this.insert(this.render(source)) });
    }
    this.lastCost = performance.now() - started;
    this.renderedAt = now;
    if (onlyOpenGrew) openRenderFrame = now;
    this.settle(text, sources.slice(0, settledBlocks(sources)));
    return null;
  }

  /** Removes everything this renderer inserted. */
  clear(): void {
    this.setTail("");
    this.unsettle();
    for (const block of this.blocks.splice(0)) for (const node of block.nodes) node.remove();
  }

  /** Adds `sources` (rendered, and the next blocks of `text`) to the settled blocks. */
  private settle(text: string, sources: readonly string[]): void {
    if (sources.length === 0) return;
    const end = this.settledText.length + sources.reduce((n, s) => n + s.length, 0);
    this.refFrom = openRefDefAt(text, this.refFrom, end);
    this.settledText = text.slice(0, end);
    this.settled += sources.length;
  }

  private unsettle(): void {
    this.settled = 0;
    this.settledText = "";
    this.refFrom = 0;
  }

  private insert(html: string): ChildNode[] {
    // A <template>'s content is inert: nothing in it loads or runs before it is adopted.
    const template = this.root.ownerDocument.createElement("template");
    template.innerHTML = html;
    const nodes = Array.from(template.content.childNodes);
    this.root.append(template.content);
    return nodes;
  }

  private setTail(text: string): void {
    if (!text) {
      this.tail?.remove();
      this.tail = null;
      return;
    }
    if (this.tail?.isConnected) {
      this.tail.data = text;
      return;
    }
    const host = tailHost(this.blocks[this.blocks.length - 1]?.nodes ?? []) ?? this.root;
    this.tail = this.root.ownerDocument.createTextNode(text);
    // Code ends with a newline of the renderer's own: the tail goes before it, on the same line.
    const last = host.lastChild;
    if (last instanceof Text && last.data.endsWith("\n") && last.data.length > 1) {
      host.insertBefore(this.tail, last.splitText(last.data.length - 1));
    } else {
      host.append(this.tail);
    }
  }
}
