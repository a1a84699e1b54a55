/**
 * What the Chat screen reads from the rest of the app besides conversations: the conversation it
 * had open (kept across restarts), the composer's send key, which providers have a key, and when
 * those change. `appChatSettings` goes over IPC; tests pass a fake, and a Chat state built without
 * one gets `detachedChatSettings` (defaults, no IPC).
 */
import {
  api,
  onProvidersChanged,
  onSettingsChanged,
  type ProvidersOverview,
  type SendKey,
} from "../ipc/client";

export type { SendKey } from "../ipc/client";

export interface ChatSettings {
  /** The conversation open in Chat when the app last ran, if it still exists. */
  lastConversation(): Promise<string | null>;
  /** Remembers the conversation open in Chat (`null`: none). */
  saveLastConversation(id: string | null): Promise<void>;
  sendKey(): Promise<SendKey>;
  /** The providers with a key set (keychain or environment); `null` when that is not known. */
  providersWithKeys(): Promise<string[] | null>;
  /** Calls `handler` when preferences change; returns the unsubscribe. */
  onSettingsChanged(handler: () => void): () => void;
  /** Calls `handler` when keys or providers change; returns the unsubscribe. */
  onProvidersChanged(handler: () => void): () => void;
}

/** The providers with a key set (keychain or environment). */
export function providersWithKeys(overview: ProvidersOverview): string[] {
  return overview.providers.filter((p) => p.key.source !== "none").map((p) => p.id);
}

export const appChatSettings: ChatSettings = {
  lastConversation: () => api.lastConversationGet(),
  saveLastConversation: async (id) => {
    await api.lastConversationSave(id);
  },
  sendKey: async () => (await api.settingsGet()).chat.sendKey,
  providersWithKeys: async () => providersWithKeys(await api.providersOverview()),
  onSettingsChanged,
  onProvidersChanged,
};

/** Defaults and no IPC: nothing remembered, Ctrl+Enter sends, keys unknown. */
export const detachedChatSettings: ChatSettings = {
  lastConversation: async () => null,
  saveLastConversation: async () => {},
  sendKey: async () => "ctrl_enter",
  providersWithKeys: async () => null,
  onSettingsChanged: () => () => {},
  onProvidersChanged: () => () => {},
};
