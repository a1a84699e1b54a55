/**
 * What the Chat screen needs from the backend. `src/lib/ipc/chat.ts` implements it over Tauri
 * IPC; tests pass a fake. Every method rejects with an `AppError` (`code`, `message`,
 * `retryable`).
 */
import type {
  Attachment,
  ChatEvent,
  ColumnSpec,
  ConversationSummary,
  ConversationView,
  SearchHit,
} from "../ipc/client";
import type { CostPrediction, PredictInput, Signal } from "../ipc/chat";

export type { CostPrediction, PredictColumn, PredictInput, Signal } from "../ipc/chat";

/** A model as the picker lists it. Prices are USD per million tokens as exact decimal strings;
 * `null` means variable (never sorted or summed as a price). */
export interface ModelChoice {
  provider: string;
  /** The provider's name as people know it: what the picker shows, never the id. */
  providerName: string;
  id: string;
  name: string;
  contextLength: number | null;
  promptPerMillion: string | null;
  completionPerMillion: string | null;
  inputModalities: string[];
  supportsReasoning: boolean;
}

export type ExportFormat = "markdown" | "json";

/** Part of a conversation: the view holds only the page's turns. */
export interface ConversationPage {
  view: ConversationView;
  /** How many turns of the displayed path come before the page. */
  skipped: number;
}

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
  /** Writes the export to the user's downloads folder; resolves with the file's path. */
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
