/**
 * The sidebar's conversations, a page at a time. A long history (tens of thousands of
 * conversations) opens with its first page; the next one loads as the sidebar is scrolled near
 * its end, and a refresh re-reads as many as are shown, so nothing shown disappears and the
 * scroll position holds.
 */
import type { ConversationSummary } from "../ipc/client";

/** Conversations per page: more than a tall sidebar shows, so one page fills it. */
export const SIDEBAR_PAGE = 100;
/** The most the backend returns per call (it clamps larger limits to this). */
export const MAX_SIDEBAR_PAGE = 500;

/** Reads `limit` conversations after `after` (from the first without it), in the sidebar's
 * order; `undefined` when the read failed (the caller has told the user). */
export type PageReader = (
  after: ConversationSummary | null,
  limit: number,
) => Promise<ConversationSummary[] | undefined>;

export class ConversationListState {
  /** What is loaded, in the backend's order: pinned first, then the most recent. */
  items = $state.raw<ConversationSummary[]>([]);
  /** True once a page came back short: every conversation is loaded. */
  complete = $state(false);

  /** Reads run one at a time, so a page never lands on a list a refresh just replaced. */
  private queue: Promise<void> = Promise.resolve();
  private pendingMore: Promise<void> | null = null;
  private pendingRefresh: Promise<void> | null = null;

  constructor(
    private readonly read: PageReader,
    private readonly pageSize: number = SIDEBAR_PAGE,
  ) {}

  /** Starts from a first page read before the screen mounted (the launch reads), as if
   * `refresh` had read it. */
  seed(page: ConversationSummary[]): void {
    this.items = unique(page);
    this.complete = page.length < this.pageSize;
  }

  /** Loads the first page, or re-reads as many conversations as are loaded (after a send,
   * rename, pin or delete). Calls made before it starts share it. */
  refresh(): Promise<void> {
    this.pendingRefresh ??= this.enqueue(async () => {
      // From here on, a change the caller made may not be in what is read: another refresh
      // queues behind this one.
      this.pendingRefresh = null;
      await this.reread();
    });
    return this.pendingRefresh;
  }

  /** Loads the next page; a no-op once everything is loaded or while a page is loading. */
  more(): Promise<void> {
    if (this.complete) return Promise.resolve();
    this.pendingMore ??= this.enqueue(async () => {
      try {
        await this.next();
      } finally {
        this.pendingMore = null;
      }
    });
    return this.pendingMore;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async next(): Promise<void> {
    if (this.complete) return;
    const page = await this.read(this.items.at(-1) ?? null, this.pageSize);
    if (!page) return;
    this.items = unique([...this.items, ...page]);
    this.complete = page.length < this.pageSize;
  }

  private async reread(): Promise<void> {
    const want = Math.max(this.pageSize, this.items.length);
    const fresh: ConversationSummary[] = [];
    let complete = false;
    while (fresh.length < want) {
      const limit = Math.min(MAX_SIDEBAR_PAGE, want - fresh.length);
      const page = await this.read(fresh.at(-1) ?? null, limit);
      // A failed read keeps what is shown rather than a part of it.
      if (!page) return;
      fresh.push(...page);
      if (page.length < limit) {
        complete = true;
        break;
      }
    }
    this.items = unique(fresh);
    this.complete = complete;
  }
}

/** Drops repeats, keeping the first. One can come from a page read after a conversation was
 * unpinned (it moves down, past where the list has been read) but before the refresh; the
 * sidebar's keyed list must not hold an id twice. */
function unique(list: ConversationSummary[]): ConversationSummary[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
  const seen = new Set<string>();
  return list.filter((c) => {
    if (seen.has(c.id)) return false;
    seen.add(c.id);
    return true;
  });
}
