import { cleanup } from "@testing-library/svelte";
import { afterEach, beforeEach, vi } from "vitest";
import { FakeResizeObserver, installScrollShim } from "../../shared/testing";
import { chatPlace } from "../place.svelte";

/** What a test file adds to each test's set-up or tear-down, run after the shared steps. */
export interface ChatScreenHooks {
  before?: () => void;
  after?: () => void;
}

/**
 * Readies each test of the file (or `describe` block) it is called in to mount the Chat screen:
 * jsdom gets a ResizeObserver and the scrolling the virtualizer needs, and Chat's remembered place
 * starts empty. Afterwards the components are unmounted first (the virtualizer attaches a tick
 * after mount and needs ResizeObserver), then the globals and scrolling are put back.
 */
export function setUpChatScreen(hooks: ChatScreenHooks = {}): void {
  let restoreScroll: () => void = () => {};
  beforeEach(() => {
    vi.stubGlobal("ResizeObserver", FakeResizeObserver);
    restoreScroll = installScrollShim();
    chatPlace.reset();
    hooks.before?.();
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    restoreScroll();
    hooks.after?.();
  });
}
