/**
 * The Chat screen's backend over Tauri IPC: implements `ChatApi` with the generated commands.
 * Each send gets its own `Channel`, so events of concurrent sends never mix.
 */
import { Channel } from "@tauri-apps/api/core";
import type { ChatApi, ExportFormat, ModelChoice } from "../chat/api";
import { commands } from "./bindings";
import type { ChatEvent } from "./bindings";
import { call, done, routeNames } from "./client";

// The prediction types are not re-exported by client.ts yet; the Chat screen takes them from here.
export type { CostPrediction, PredictColumn, PredictInput, Signal } from "./bindings";

function channel(onEvent: (event: ChatEvent) => void): Channel<ChatEvent> {
  const ch = new Channel<ChatEvent>();
  ch.onmessage = onEvent;
  return ch;
}

export const chatApi: ChatApi = {
  listConversationPage: (after, limit) => call(commands.conversationListPage(after, limit)),
  openConversation: (id) => call(commands.conversationOpen(id)),
  openConversationPage: (id, before, limit) => call(commands.conversationPage(id, before, limit)),
  createConversation: (columns) => call(commands.conversationCreate(columns)),
  setColumns: (id, columns) => call(commands.conversationSetColumns(id, columns)),
  renameConversation: (id, title) => done(commands.conversationRename(id, title)),
  pinConversation: (id, pinned) => done(commands.conversationPin(id, pinned)),
  deleteConversation: (id) => done(commands.conversationDelete(id)),
  continueWithColumn: (id, columnId) => call(commands.conversationContinueWith(id, columnId)),
  selectTurnVersion: (turnId, version) => call(commands.conversationSelectVersion(turnId, version)),
  selectAttempt: (answerId, attempt) => call(commands.conversationSelectAttempt(answerId, attempt)),
  send: async (conversationId, text, attachments, onEvent) => {
    await call(commands.chatSend({ conversationId, text, attachments }, channel(onEvent)));
  },
  regenerate: async (conversationId, turnId, columnId, onEvent) => {
    await call(commands.chatRegenerate({ conversationId, turnId, columnId }, channel(onEvent)));
  },
  editAndResend: async (turnId, text, onEvent) => {
    await call(commands.chatEditResend(turnId, text, channel(onEvent)));
  },
  stopAnswer: (answerId) => done(commands.chatStop(answerId)),
  stopAll: (conversationId) => done(commands.chatStopAll(conversationId)),
  search: (query) => call(commands.conversationSearch(query)),
  exportConversation: (id, format: ExportFormat) => call(commands.conversationExport(id, format)),
  importConversation: (json) => call(commands.conversationImport(json)),
  predict: (input) => call(commands.chatPredict(input)),
  rate: (answerId, signal) => done(commands.answerRate(answerId, signal)),
  routes: routeNames,
  models: async (): Promise<ModelChoice[]> => {
    const models = await call(commands.modelsList());
    return models.map((m) => ({
      provider: m.provider,
      providerName: m.providerName,
      id: m.id,
      name: m.name,
      contextLength: m.contextLength,
      promptPerMillion: m.promptPerMillion,
      completionPerMillion: m.completionPerMillion,
      inputModalities: m.inputModalities,
      supportsReasoning: m.supportsReasoning,
    }));
  },
};
