import type { SendKey } from "../ipc/client";

/** What the Chat screen's global shortcuts do. */
export interface ShortcutHandlers {
  /** Ctrl/Cmd+Enter. */
  send(): void;
  /** Escape. Returns false if there was nothing to stop (so Escape keeps its other meanings). */
  stopAll(): boolean;
  /** Ctrl/Cmd+N. */
  newChat(): void;
  /** Ctrl/Cmd+K. */
  focusSearch(): void;
}

/** Which action a key event maps to, if any. */
export function shortcutFor(e: KeyboardEvent): keyof ShortcutHandlers | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key === "Enter") return "send";
  if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "n") return "newChat";
  if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "k") return "focusSearch";
  if (!mod && e.key === "Escape") return "stopAll";
  return null;
}

/** Listens on `target` for the shortcuts; returns the function that removes the listener. */
export function installShortcuts(target: Window, handlers: ShortcutHandlers): () => void {
  const onKey = (e: KeyboardEvent) => {
    const action = shortcutFor(e);
    if (!action) return;
    if (action === "stopAll") {
      if (handlers.stopAll()) e.preventDefault();
      return;
    }
    e.preventDefault();
    handlers[action]();
  };
  target.addEventListener("keydown", onKey);
  return () => target.removeEventListener("keydown", onKey);
}

/**
 * Whether a keydown in a message box sends under `sendKey`. With "enter", Enter sends and
 * Shift+Enter is a new line (Ctrl+Enter sends too); with "ctrl_enter", only Ctrl/Cmd+Enter
 * sends, which the window-wide shortcut already does, so the box itself sends on nothing. An
 * input method composing text (Enter picks a candidate) never sends.
 */
export function sendsOnKey(e: KeyboardEvent, sendKey: SendKey): boolean {
  if (e.key !== "Enter" || e.isComposing || e.keyCode === 229) return false;
  if (sendKey !== "enter") return false;
  return !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey;
}

/** How the composer says which key sends. */
export function sendHint(sendKey: SendKey): string {
  return sendKey === "enter" ? "Enter to send, Shift+Enter for a new line" : "Ctrl+Enter to send";
}
