import type { ColumnSpec } from "../ipc/client";
import type { Screen } from "./screens";

/**
 * Which screen is shown, and hand-offs between screens (the Models screen's "chat with this"
 * opens Chat with a new conversation on that model). One instance for the app.
 */
class Navigation {
  screen = $state<Screen>("chat");
  /** Columns the Chat screen should start a new conversation with, once, when it shows. */
  chatWith = $state<ColumnSpec[] | null>(null);

  go(screen: Screen): void {
    this.screen = screen;
  }

  /** Opens Chat with a new conversation comparing `columns`. */
  openChat(columns: ColumnSpec[]): void {
    this.chatWith = columns;
    this.screen = "chat";
  }

  /** The pending columns, handed over once. */
  takeChatWith(): ColumnSpec[] | null {
    const columns = this.chatWith;
    this.chatWith = null;
    return columns;
  }
}

export const navigation = new Navigation();
