/**
 * A conversation's private switch over Tauri IPC. Kept apart from `ChatApi` so the Chat state
 * does not change for it; the switch takes this (or a fake) directly.
 */
import { commands } from "./bindings";
import type { ConversationView } from "./bindings";
import { call } from "./client";

export interface PrivacyApi {
  /** Makes the conversation private (its OpenRouter requests ask for zero data retention and
   * no data collection) or not; resolves with the conversation as now shown. */
  setPrivate(conversationId: string, on: boolean): Promise<ConversationView>;
}

export const privacyApi: PrivacyApi = {
  setPrivate: (id, on) => call(commands.conversationSetPrivate(id, on)),
};
