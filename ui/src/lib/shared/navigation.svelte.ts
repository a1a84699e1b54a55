import type { ColumnSpec } from "../ipc/client";
import type { Screen } from "./screens";

/**
 * Which screen is shown, and hand-offs between screens (the Models screen's "chat with this"
 * opens Chat with a new conversation on that model). One instance for the app.
 */
class NavigationState {
  screen = $state<Screen>("chat");
  /** Columns the Chat screen should start a new conversation with, once, when it shows. */
  chatWith = $state<ColumnSpec[] | null>(null);
  /** What Settings should scroll to and focus once it has loaded (`settings-${anchor}`). */
  settingsAnchor = $state<string | null>(null);

  go(screen: Screen): void {
    this.screen = screen;
  }

  /**
   * Opens Settings at one place, such as `provider-openrouter` from a "no key" error or
   * `preferences-chat` for the Enter-to-send setting: Settings scrolls to and focuses the
   * element with id `settings-${anchor}` once rendered. `null` opens it at the top.
   */
  openSettings(anchor: string | null): void {
    this.settingsAnchor = anchor;
    this.screen = "settings";
  }

  /** The place Settings was asked to show, handed over once (Settings calls it after load). */
  takeSettingsAnchor(): string | null {
    const anchor = this.settingsAnchor;
    this.settingsAnchor = null;
    return anchor;
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

export const navigation = new NavigationState();
