import type { CacheSnapshot } from "virtua";
import type { ChatSeed } from "./chat.svelte";

/** Where the turn list was when Chat was left: enough to put it back without a jump. */
export interface SavedScroll {
  conversationId: string;
  /** How many turns were loaded; the measured sizes only fit the same turns. */
  turns: number;
  cache: CacheSnapshot | null;
  top: number;
  left: number;
}

/**
 * Where the user was on the Chat screen, kept at module level: ChatView and its Chat state are built
 * anew each time Chat shows, and leaving for another screen must not lose the open conversation,
 * its scroll position or a hidden sidebar.
 */
class ChatPlaceState {
  /** The conversation open in Chat: `undefined` until known in this run of the app (then the
   * backend's remembered one is asked for), `null` when none is open. */
  conversationId: string | null | undefined = undefined;
  scroll: SavedScroll | null = null;
  /** The user hid the conversations sidebar on a wide window. */
  sidebarHidden = $state(false);
  /** What the first Chat screen opens with, read at launch; taken once. */
  private seed: ChatSeed = {};

  /** Keeps the launch reads for the first Chat screen. */
  launched(seed: ChatSeed): void {
    this.seed = seed;
  }

  /** The launch reads, the first time (later screens ask the backend). */
  takeSeed(): ChatSeed {
    const seed = this.seed;
    this.seed = {};
    return seed;
  }

  /** Forgets everything (a new run of the app, or a test). */
  reset(): void {
    this.conversationId = undefined;
    this.scroll = null;
    this.sidebarHidden = false;
    this.seed = {};
  }
}

export const chatPlace = new ChatPlaceState();
