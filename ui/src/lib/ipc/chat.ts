/**
 * The Chat screen's backend over Tauri IPC: `ChatApi` says what the backend offers the screen and
 * `chatApi` implements it with the generated commands. Each send gets its own `Channel`, so
 * events of concurrent sends never mix. The interface lives here, beside its implementation, so
 * the transport imports no screen; the Chat state takes the slice it uses (`ChatStateApi`) and
 * tests pass a fake. Every method rejects with an `AppError` (`code`, `message`, `retryable`).
 */
import { Channel } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type {
  Attachment,
  ChatEvent,
  ColumnSpec,
  ConversationPage,
  ConversationSummary,
  ConversationView,
  CostPrediction,
  ExportFormat,
  ModelChoice,
  PredictInput,
  SearchHit,
  Signal,
} from "./bindings";
import { call, done, routeNames } from "./client";

export interface ChatApi {
  /** The sidebar a page at a time: the `limit` conversations (at most 500) after `after`, the
   * first ones when `null`; pinned first, then the most recent. A short page is the last. */
  listConversationPage(
    after: ConversationSummary | null,
    limit: number,
  ): Promise<ConversationSummary[]>;
  openConversation(id: string): Promise<ConversationView>;
  /** The `limit` turns of the displayed path just before `beforeTurnId` (the latest when
   * `null`): a long conversation opens with its tail and pages older turns in on scroll. */
  openConversationPage(
    id: string,
    beforeTurnId: string | null,
    limit: number,
  ): Promise<ConversationPage>;
  createConversation(columns: ColumnSpec[]): Promise<ConversationView>;
  setColumns(conversationId: string, columns: ColumnSpec[]): Promise<ConversationView>;
  renameConversation(id: string, title: string): Promise<void>;
  pinConversation(id: string, pinned: boolean): Promise<void>;
  deleteConversation(id: string): Promise<void>;
  continueWithColumn(conversationId: string, columnId: string): Promise<ConversationView>;
  /** Shows another version (edit) of a turn; the answers of that branch come with it. */
  selectTurnVersion(turnId: string, version: number): Promise<ConversationView>;
  /** Shows another attempt (regeneration) of a column's answer. */
  selectAttempt(answerId: string, attempt: number): Promise<ConversationView>;

  /** Sends to every active column; events stream through `onEvent` until every answer has
   * finished or failed. Resolves then. */
  send(
    conversationId: string,
    text: string,
    attachments: Attachment[],
    onEvent: (event: ChatEvent) => void,
  ): Promise<void>;
  regenerate(
    conversationId: string,
    turnId: string,
    columnId: string,
    onEvent: (event: ChatEvent) => void,
  ): Promise<void>;
  /** Edits an earlier user message: a new version of the turn, answered by every active
   * column; the old version and its answers stay as a branch. */
  editAndResend(turnId: string, text: string, onEvent: (event: ChatEvent) => void): Promise<void>;
  stopAnswer(answerId: string): Promise<void>;
  stopAll(conversationId: string): Promise<void>;

  search(query: string): Promise<SearchHit[]>;
  /** Asks where to save (a native dialog); resolves with the path, `null` when cancelled. */
  exportConversation(id: string, format: ExportFormat): Promise<string | null>;
  importConversation(json: string): Promise<ConversationView>;
  models(): Promise<ModelChoice[]>;
  /** What the message would cost per column before it is sent: prompt tokens (and how they
   * were counted), the input cost and the most the request can cost. One entry per column, in
   * the order given. */
  predict(input: PredictInput): Promise<CostPrediction[]>;
  /** The names of the saved routes a column can send through. */
  routes(): Promise<string[]>;
  /** The user's verdict on an answer (thumbs, or a comparison's winner and losers); the smart
   * routing strategy learns from it. */
  rate(answerId: string, signal: Signal): Promise<void>;
}

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
  exportConversation: (id, format) => call(commands.conversationExport(id, format)),
  importConversation: (json) => call(commands.conversationImport(json)),
  predict: (input) => call(commands.chatPredict(input)),
  rate: (answerId, signal) => done(commands.answerRate(answerId, signal)),
  routes: routeNames,
  models: () => call(commands.modelsList()),
};
