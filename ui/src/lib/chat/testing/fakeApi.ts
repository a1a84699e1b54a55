import type {
  AnswerStats,
  AnswerView,
  ChatEvent,
  ColumnView,
  ConversationSummary,
  ConversationView,
  CostPrediction,
  ModelChoice,
  SearchHit,
  TurnView,
} from "../../ipc/client";
import type { ChatStateApi } from "../chat.svelte";
import type { ChatSettings, SendKey } from "../settings";
import { model } from "../../shared/testing";

/** Built here once for every screen's tests; Chat's tests reach it through this file. */
export { model };

export function stats(over: Partial<AnswerStats> = {}): AnswerStats {
  return {
    promptTokens: 10,
    completionTokens: 20,
    reasoningTokens: 0,
    cachedTokens: 0,
    cost: null,
    costSource: "unknown",
    ttftMs: 100,
    latencyMs: 1000,
    tokensPerSecond: 20,
    servedBy: null,
    model: null,
    provider: "openrouter",
    providerName: "OpenRouter",
    route: null,
    attempts: 1,
    ...over,
  };
}

export function column(id: string, position: number, model = "openai/gpt-4o-mini"): ColumnView {
  return {
    id,
    position,
    spec: {
      provider: "openrouter",
      model,
      params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
    },
    active: true,
    totalCost: "0",
    unknownCosts: 0,
  };
}

export function answer(over: Partial<AnswerView> & { id: string; columnId: string }): AnswerView {
  return {
    turnId: "t1",
    content: "",
    reasoning: "",
    toolCalls: [],
    status: "complete",
    error: null,
    stats: stats(),
    attempt: 1,
    attempts: 1,
    thumb: null,
    best: false,
    citations: [],
    ...over,
  };
}

export function turn(over: Partial<TurnView> & { id: string }): TurnView {
  return {
    text: "hello",
    attachments: [],
    answers: [],
    version: 1,
    versions: 1,
    createdMs: 0,
    ...over,
  };
}

export function conversation(over: Partial<ConversationView> = {}): ConversationView {
  return {
    id: "c1",
    title: "First",
    pinned: false,
    columns: [column("col-a", 0)],
    turns: [],
    totalCost: "0",
    unknownCosts: 0,
    ...over,
  };
}

export function prediction(
  over: Partial<CostPrediction> & { columnId: string | null },
): CostPrediction {
  return {
    promptTokens: 1240,
    countedWith: "o200k_base",
    inputCost: "0.00186",
    maxOutputTokens: 16384,
    maxCost: "0.0121",
    routedTo: null,
    ...over,
  };
}

/** The backend's sidebar order as a comparison: by pinned, then last activity, then id. */
function sidebarOrder(a: ConversationSummary, b: ConversationSummary): number {
  return (
    Number(a.pinned) - Number(b.pinned) ||
    a.updatedMs - b.updatedMs ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** `n` unpinned conversations `c1`…`cn`, `c1` the most recent, for paging tests. */
export function manyConversations(n: number): ConversationSummary[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i + 1}`,
    title: `Conversation ${i + 1}`,
    pinned: false,
    updatedMs: n - i,
    totalCost: "0",
  }));
}

/** A streaming call the test drives: `emit` events, then `finish` (or `fail`) it. */
export interface Run {
  kind: "send" | "regenerate" | "editAndResend";
  args: unknown[];
  emit(e: ChatEvent): void;
  finish(): void;
  fail(err: unknown): void;
}

export type FakeChatApi = ChatStateApi & {
  /** What `openConversation` returns. */
  server: {
    view: ConversationView;
    list: ConversationSummary[];
    hits: SearchHit[];
    /** What `routes` returns. */
    routes: string[];
  };
  runs: Run[];
  calls: { name: string; args: unknown[] }[];
  called(name: string): unknown[][];
};

/** The Chat state's API over plain data; streaming calls wait for the test to drive them. */
export function fakeChatApi(
  view: ConversationView = conversation(),
  models: ModelChoice[] = [model({ id: "openai/gpt-4o-mini", inputModalities: ["text"] })],
): FakeChatApi {
  const server = {
    view,
    list: [
      {
        id: view.id,
        title: view.title,
        pinned: view.pinned,
        updatedMs: 1,
        totalCost: view.totalCost,
      },
    ] as ConversationSummary[],
    hits: [] as SearchHit[],
    routes: [] as string[],
  };
  const runs: Run[] = [];
  const calls: { name: string; args: unknown[] }[] = [];
  const log = (name: string, args: unknown[]) => calls.push({ name, args });
  const stream = (
    kind: Run["kind"],
    args: unknown[],
    onEvent: (e: ChatEvent) => void,
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      runs.push({ kind, args, emit: onEvent, finish: resolve, fail: reject });
    });
  const viewCall =
    (name: string) =>
    async (...args: unknown[]) => {
      log(name, args);
      return server.view;
    };
  return {
    server,
    runs,
    calls,
    called: (name) => calls.filter((c) => c.name === name).map((c) => c.args),
    listConversationPage: async (after, limit) => {
      log("listConversationPage", [after, limit]);
      // As the backend pages: sidebar order, keyset after `after`, limit clamped to 1..=500.
      const sorted = [...server.list].sort((a, b) => sidebarOrder(b, a));
      const rest = after ? sorted.filter((c) => sidebarOrder(c, after) < 0) : sorted;
      // Copies, as IPC delivers: a later change on the server does not reach what was read.
      return rest.slice(0, Math.min(Math.max(limit, 1), 500)).map((c) => ({ ...c }));
    },
    openConversation: viewCall("openConversation"),
    openConversationPage: async (id, before, limit) => {
      log("openConversationPage", [id, before, limit]);
      const turns = server.view.turns;
      const end = before === null ? turns.length : turns.findIndex((t) => t.id === before);
      if (end < 0) throw new Error(`turn ${before} is not on the displayed path`);
      const start = Math.max(0, end - limit);
      return { view: { ...server.view, turns: turns.slice(start, end) }, skipped: start };
    },
    createConversation: viewCall("createConversation"),
    setColumns: viewCall("setColumns"),
    continueWithColumn: viewCall("continueWithColumn"),
    selectTurnVersion: viewCall("selectTurnVersion"),
    selectAttempt: viewCall("selectAttempt"),
    importConversation: viewCall("importConversation"),
    renameConversation: async (...args) => void log("renameConversation", args),
    pinConversation: async (...args) => void log("pinConversation", args),
    deleteConversation: async (...args) => void log("deleteConversation", args),
    send: (id, text, attachments, onEvent) => {
      log("send", [id, text, attachments]);
      return stream("send", [id, text, attachments], onEvent);
    },
    regenerate: (id, turnId, columnId, onEvent) => {
      log("regenerate", [id, turnId, columnId]);
      return stream("regenerate", [id, turnId, columnId], onEvent);
    },
    editAndResend: (turnId, text, onEvent) => {
      log("editAndResend", [turnId, text]);
      return stream("editAndResend", [turnId, text], onEvent);
    },
    stopAnswer: async (...args) => void log("stopAnswer", args),
    stopAll: async (...args) => void log("stopAll", args),
    search: async (...args) => (log("search", args), server.hits),
    exportConversation: async (...args) => (log("exportConversation", args), "/tmp/out.md"),
    models: async () => models,
    predict: async (input) => {
      log("predict", [input]);
      return input.columns.map((c) => prediction({ columnId: c.id }));
    },
    routes: async () => (log("routes", []), server.routes),
    rate: async (...args) => void log("rate", args),
  };
}

/** Chat's settings over plain data: what `lastConversation` and `sendKey` answer, what was
 * saved, and `changeSettings`/`changeProviders` to fire the change events. */
export type FakeChatSettings = ChatSettings & {
  state: { last: string | null; sendKey: SendKey; keyed: string[] | null };
  saved: (string | null)[];
  asked: string[];
  changeSettings(): void;
  changeProviders(): void;
};

export function fakeChatSettings(over: Partial<FakeChatSettings["state"]> = {}): FakeChatSettings {
  const state: FakeChatSettings["state"] = {
    last: null,
    sendKey: "ctrl_enter",
    keyed: ["openrouter"],
    ...over,
  };
  const saved: (string | null)[] = [];
  const asked: string[] = [];
  const settingsHandlers = new Set<() => void>();
  const providerHandlers = new Set<() => void>();
  return {
    state,
    saved,
    asked,
    lastConversation: async () => (asked.push("lastConversation"), state.last),
    saveLastConversation: async (id) => {
      saved.push(id);
    },
    sendKey: async () => (asked.push("sendKey"), state.sendKey),
    providersWithKeys: async () => state.keyed,
    onSettingsChanged: (h) => (settingsHandlers.add(h), () => settingsHandlers.delete(h)),
    onProvidersChanged: (h) => (providerHandlers.add(h), () => providerHandlers.delete(h)),
    changeSettings: () => settingsHandlers.forEach((h) => h()),
    changeProviders: () => providerHandlers.forEach((h) => h()),
  };
}
