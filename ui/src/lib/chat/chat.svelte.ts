import { SvelteMap } from "svelte/reactivity";
import { AppError } from "../ipc/client";
import type {
  AnswerStats,
  AnswerView,
  Attachment,
  ChatEvent,
  ColumnSpec,
  ColumnView,
  ConversationPage,
  ConversationSummary,
  ConversationView,
  CostPrediction,
  ExportFormat,
  ModelChoice,
  PredictColumn,
  PredictInput,
  SearchHit,
  TurnView,
} from "../ipc/client";
import type { ChatApi } from "../ipc/chat";
import { latestPromptTokens, describeContext, type ContextUsage } from "./context";
import { pickDefaultModel } from "./defaults";
import { compareMoney, sumMoney, type MoneyTotal } from "../shared/money";
import { chatPlace } from "./place.svelte";
import { detachedChatSettings, type ChatSettings, type SendKey } from "./settings";
import { ConversationListState } from "./sidebarList.svelte";

export { DEFAULT_MODEL } from "./defaults";

/** What the Chat state needs of the backend (and what its tests fake). */
export type ChatStateApi = Pick<
  ChatApi,
  | "listConversationPage"
  | "openConversation"
  | "openConversationPage"
  | "createConversation"
  | "setColumns"
  | "renameConversation"
  | "pinConversation"
  | "deleteConversation"
  | "continueWithColumn"
  | "selectTurnVersion"
  | "selectAttempt"
  | "send"
  | "regenerate"
  | "editAndResend"
  | "stopAnswer"
  | "stopAll"
  | "search"
  | "exportConversation"
  | "importConversation"
  | "models"
  | "predict"
  | "routes"
  | "rate"
>;

/**
 * What Chat opens with when it was read before the screen mounted (the launch reads,
 * `shared/launch.ts`); anything missing is asked for as usual.
 */
export interface ChatSeed {
  /** The sidebar's first page. */
  conversations?: ConversationSummary[];
  /** The conversation open when the app last closed (`null`: none). */
  lastConversation?: string | null;
  /** That conversation's latest page. */
  page?: ConversationPage;
  /** The providers with a key. */
  keyed?: string[];
  sendKey?: SendKey;
}

export const MAX_COLUMNS = 8;
/**
 * Turns per page of a long conversation. Opening sends only the latest page over IPC (a
 * 10,000-turn conversation is megabytes of JSON), and scrolling up pages older turns in.
 */
export const PAGE_TURNS = 50;
/** How long typing must pause before the composer asks for a cost prediction. */
export const PREDICT_DEBOUNCE_MS = 250;

export interface Notice {
  id: number;
  message: string;
}

/** Why a streaming answer is held back (a rate limit, a busy target, a fallback), until text
 * arrives or it ends. */
export interface Waiting {
  /** For about how long, ms. */
  ms: number;
  /** Why, for a person. */
  reason: string;
}

/** "Waiting ~2 s: rate limit openrouter: 60 requests/min reached". */
export function describeWaiting(w: Waiting): string {
  if (w.ms <= 0) return `Waiting: ${w.reason}`;
  const about =
    w.ms < 1000
      ? `${Math.round(w.ms)} ms`
      : w.ms < 90_000
        ? `${Math.round(w.ms / 1000)} s`
        : `${Math.round(w.ms / 60_000)} min`;
  return `Waiting ~${about}: ${w.reason}`;
}

/** Costs that streamed in since the view was last loaded, per column. */
interface Streamed {
  costs: (string | null)[];
}

/** What a streaming call knows that the events do not carry. */
type RunContext =
  | { kind: "send"; text: string; attachments: Attachment[] }
  | { kind: "edit"; turnId: string; text: string }
  | { kind: "regenerate" };

export function emptyStats(): AnswerStats {
  return {
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
    cost: null,
    costSource: "unknown",
    ttftMs: null,
    latencyMs: null,
    tokensPerSecond: null,
    servedBy: null,
    model: null,
    provider: null,
    providerName: null,
    route: null,
    attempts: 0,
  };
}

/**
 * The Chat screen's state: the sidebar's conversations, the open conversation, answers streaming
 * into it, totals and notices. Streaming answers live inside `view` itself (deep `$state`), so a
 * delta touches one answer's `content` and only that card re-renders.
 */
export class ChatState {
  /** The sidebar's conversations, loaded a page at a time. */
  readonly list = new ConversationListState((after, limit) =>
    this.guard(() => this.api.listConversationPage(after, limit)),
  );
  view = $state<ConversationView | null>(null);
  models = $state<ModelChoice[]>([]);
  modelsLoaded = $state(false);
  notices = $state<Notice[]>([]);
  /** How many streaming calls are in flight. */
  running = $state(0);
  searchQuery = $state("");
  searchHits = $state<SearchHit[]>([]);
  /** A turn to scroll to (set by search); `seq` makes repeated requests distinct. */
  scrollTarget = $state<{ turnId: string; seq: number } | null>(null);
  /** The last export: where it was saved and which conversation it was (the notice shows
   * only beside that conversation). */
  exported = $state<{ conversationId: string; path: string } | null>(null);
  streamed = $state<Record<string, Streamed>>({});
  /** How many turns of the displayed path precede `view.turns` and are not loaded yet. */
  olderTurns = $state(0);
  /** Saved route names a column can send through. */
  routes = $state<string[]>([]);
  /** Streaming answers held back, by answer id. */
  readonly waiting = new SvelteMap<string, Waiting>();
  /** A column whose parameters editor should open (asked from elsewhere: an answer's
   * "Set max tokens for this column"); the column header takes it once. */
  paramsRequest = $state<{ columnId: string; seq: number } | null>(null);
  /** The latest cost prediction for the composer's draft, by column id. */
  predictions = $state<Record<string, CostPrediction>>({});
  /** Which key sends from the composer (the user's preference). */
  sendKey = $state<SendKey>("ctrl_enter");
  /** The providers with a key; `null` until known. Decides a new chat's default model. */
  keyed = $state<string[] | null>(null);
  /** Whether the conversation to show first has been decided (the empty state waits for it,
   * so it does not flash before the remembered conversation opens). */
  restored = $state(false);

  /** Streaming answers by id: an index into `view` (whose objects are the reactive ones). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- an index, not state
  private live = new Map<string, AnswerView>();
  private noticeSeq = 0;
  private scrollSeq = 0;
  private searchSeq = 0;
  private predictSeq = 0;
  private predictTimer: ReturnType<typeof setTimeout> | undefined;
  /** Conversations asked for (opened, created, imported) by the user or a hand-off: only the
   * latest one asked for is shown when several are on their way, and the remembered one opens
   * only while this is 0, so it never replaces what they chose. */
  private navigations = 0;

  constructor(
    private readonly api: ChatStateApi,
    private readonly settings: ChatSettings = detachedChatSettings,
  ) {}

  get busy(): boolean {
    return this.running > 0;
  }

  /** Runs an api call; a failure becomes a visible notice, never an unhandled rejection. */
  async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (e) {
      this.notify(AppError.from(e).message);
      return undefined;
    }
  }

  notify(message: string): void {
    this.noticeSeq += 1;
    this.notices.push({ id: this.noticeSeq, message });
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Loads the lists and preferences, then opens the conversation to show first. What `seed`
   * holds (read before the screen mounted) is used instead of asking, so the first frame can
   * show the conversation. */
  async init(seed: ChatSeed = {}): Promise<void> {
    if (seed.sendKey) this.sendKey = seed.sendKey;
    if (seed.conversations) this.list.seed(seed.conversations);
    // The conversation to show first opens as soon as the list is in; only a new chat (no
    // conversation to reopen) has to wait for the models.
    const models = this.loadModels(seed.keyed);
    const listed = seed.conversations ? Promise.resolve() : this.refreshList();
    await Promise.all([
      listed.then(() => {
        performance.mark("switchboard:chat-list");
        return this.restore(models, seed);
      }),
      models,
      this.loadRoutes(),
      seed.sendKey ? undefined : this.loadSendKey(),
    ]);
  }

  /** Follows preference and provider changes while Chat shows; returns the unsubscribe. */
  watch(): () => void {
    const offSettings = this.settings.onSettingsChanged(() => void this.loadSendKey());
    const offProviders = this.settings.onProvidersChanged(() => void this.loadModels());
    return () => {
      offSettings();
      offProviders();
    };
  }

  async loadSendKey(): Promise<void> {
    try {
      this.sendKey = await this.settings.sendKey();
    } catch {
      // Without preferences the safe default stays: Enter never sends by surprise.
    }
  }

  /**
   * Opens what Chat showed last: the conversation open when the user left Chat (this run), else
   * the one open when the app last closed, if it still exists; else the most recent one; else,
   * with models to chat with, a new chat. Does nothing once the user (or "chat with this") has
   * opened something.
   */
  async restore(models: Promise<void> = Promise.resolve(), seed: ChatSeed = {}): Promise<void> {
    try {
      if (this.navigations > 0) return;
      let id = chatPlace.conversationId;
      if (id === undefined) {
        id =
          seed.lastConversation !== undefined
            ? seed.lastConversation
            : await this.settings.lastConversation().catch(() => null);
      }
      if (this.navigations > 0) return;
      const known = this.list.items;
      const newest = [...known].sort((a, b) => b.updatedMs - a.updatedMs)[0];
      // The remembered one may lie beyond the loaded pages, so it is asked for by id; one that
      // was deleted falls back to the newest without a notice.
      let page =
        id && (!this.list.complete || known.some((c) => c.id === id))
          ? seed.page?.view.id === id
            ? seed.page
            : await this.api.openConversationPage(id, null, PAGE_TURNS).catch(() => undefined)
          : undefined;
      if (!page && newest && this.navigations === 0) {
        page = await this.guard(() => this.api.openConversationPage(newest.id, null, PAGE_TURNS));
      }
      if (page) {
        performance.mark("switchboard:chat-page");
        if (this.navigations === 0) this.show(page.view, page.skipped);
      } else if (!newest) {
        await models;
        if (this.navigations === 0 && this.models.length > 0) await this.newChat();
      }
    } finally {
      this.restored = true;
    }
  }

  async loadRoutes(): Promise<void> {
    const routes = await this.guard(() => this.api.routes());
    if (routes) this.routes = routes;
  }

  /** Loads the models to chat with; `keyed` (the providers with a key) when already known. */
  async loadModels(keyed?: string[]): Promise<void> {
    const [models, withKeys] = await Promise.all([
      this.guard(() => this.api.models()),
      keyed ?? this.settings.providersWithKeys().catch(() => null),
    ]);
    if (models) this.models = models;
    this.keyed = withKeys;
    this.modelsLoaded = true;
  }

  /** The loaded conversations, pinned first, then the most recent. */
  get conversations(): ConversationSummary[] {
    return this.list.items;
  }

  /** Re-reads the sidebar's conversations, as many as are loaded. */
  refreshList(): Promise<void> {
    return this.list.refresh();
  }

  private show(view: ConversationView, olderTurns = 0): void {
    this.live.clear();
    this.streamed = {};
    this.waiting.clear();
    this.olderTurns = olderTurns;
    this.view = view;
    this.remember(view.id);
  }

  /** Keeps the open conversation for the next visit to Chat and the next start of the app. */
  private remember(id: string | null): void {
    if (chatPlace.conversationId === id) return;
    chatPlace.conversationId = id;
    this.settings.saveLastConversation(id).catch(() => {
      // Not remembering is harmless: the newest conversation opens instead.
    });
  }

  /** Opens a conversation at its latest turns; with `turnId` (a search hit), whole, so the
   * hit is there to scroll to. */
  async open(id: string, turnId?: string): Promise<void> {
    const seq = ++this.navigations;
    if (turnId) {
      const view = await this.guard(() => this.api.openConversation(id));
      if (!view || seq !== this.navigations) return;
      this.show(view);
    } else {
      const page = await this.guard(() => this.api.openConversationPage(id, null, PAGE_TURNS));
      if (!page || seq !== this.navigations) return;
      this.show(page.view, page.skipped);
    }
    if (turnId) {
      this.scrollSeq += 1;
      this.scrollTarget = { turnId, seq: this.scrollSeq };
    }
  }

  close(): void {
    this.remember(null);
    this.live.clear();
    this.streamed = {};
    this.waiting.clear();
    this.cancelPrediction();
    this.predictions = {};
    this.olderTurns = 0;
    this.view = null;
  }

  private loadingOlder = false;

  /** Loads the page of turns before the first loaded one; a no-op while one is loading. */
  async loadOlder(): Promise<void> {
    const view = this.view;
    const first = view?.turns[0];
    if (!view || !first || this.olderTurns === 0 || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      const page = await this.guard(() =>
        this.api.openConversationPage(view.id, first.id, PAGE_TURNS),
      );
      // Only if nothing replaced the view or its first turn meanwhile.
      if (!page || this.view !== view || view.turns[0]?.id !== first.id) return;
      view.turns.unshift(...page.view.turns);
      this.olderTurns = page.skipped;
    } finally {
      this.loadingOlder = false;
    }
  }

  /** The model a new column starts with, for the providers the user has connected. */
  defaultModel(): ModelChoice | undefined {
    return pickDefaultModel(this.models, this.keyed);
  }

  model(spec: ColumnSpec): ModelChoice | undefined {
    return this.models.find((m) => m.provider === spec.provider && m.id === spec.model);
  }

  defaultSpec(): ColumnSpec | undefined {
    const m = this.defaultModel();
    if (!m) return undefined;
    return {
      provider: m.provider,
      model: m.id,
      params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
    };
  }

  /** Starts a conversation on `columns` (the Models screen's "chat with this"), or on the
   * default model. */
  async newChat(columns?: readonly ColumnSpec[]): Promise<void> {
    const seq = ++this.navigations;
    let specs = columns?.slice(0, MAX_COLUMNS) ?? [];
    if (specs.length === 0) {
      if (!this.modelsLoaded) await this.loadModels();
      const spec = this.defaultSpec();
      if (!spec) {
        this.notify("No models are available. Add a key or a provider in Settings first.");
        return;
      }
      specs = [spec];
    }
    // An untouched conversation (opened for the user, nothing sent yet) is replaced rather
    // than left behind as an empty "New conversation" in the list.
    const empty =
      this.view && this.view.turns.length === 0 && this.olderTurns === 0 ? this.view.id : null;
    const view = await this.guard(() => this.api.createConversation(specs));
    if (!view) return;
    if (seq === this.navigations) this.show(view);
    if (empty) await this.api.deleteConversation(empty).catch(() => undefined);
    await this.refreshList();
  }

  async rename(id: string, title: string): Promise<void> {
    const trimmed = title.trim();
    if (!trimmed) return;
    const ok = await this.guard(async () => {
      await this.api.renameConversation(id, trimmed);
      return true;
    });
    if (!ok) return;
    if (this.view?.id === id) this.view.title = trimmed;
    await this.refreshList();
  }

  async pin(id: string, pinned: boolean): Promise<void> {
    const ok = await this.guard(async () => {
      await this.api.pinConversation(id, pinned);
      return true;
    });
    if (!ok) return;
    if (this.view?.id === id) this.view.pinned = pinned;
    await this.refreshList();
  }

  async remove(id: string): Promise<void> {
    const ok = await this.guard(async () => {
      await this.api.deleteConversation(id);
      return true;
    });
    if (!ok) return;
    if (this.view?.id === id) this.close();
    await this.refreshList();
  }

  async search(query: string): Promise<void> {
    this.searchQuery = query;
    this.searchSeq += 1;
    const seq = this.searchSeq;
    if (!query.trim()) {
      this.searchHits = [];
      return;
    }
    const hits = await this.guard(() => this.api.search(query));
    if (hits && seq === this.searchSeq) this.searchHits = hits;
  }

  // Columns

  /** Active columns, left to right. */
  get activeColumns(): ColumnView[] {
    return (this.view?.columns ?? []).filter((c) => c.active);
  }

  /** Every column left to right (retired ones still hold their old answers). */
  get columns(): ColumnView[] {
    return [...(this.view?.columns ?? [])].sort((a, b) => a.position - b.position);
  }

  private async applyColumns(specs: ColumnSpec[]): Promise<void> {
    const view = this.view;
    if (!view) return;
    const next = await this.guard(() => this.api.setColumns(view.id, specs));
    if (next) this.show(next);
  }

  async setColumnSpec(columnId: string, spec: ColumnSpec): Promise<void> {
    await this.applyColumns(this.activeColumns.map((c) => (c.id === columnId ? spec : c.spec)));
  }

  async addColumn(): Promise<void> {
    const cols = this.activeColumns;
    if (cols.length >= MAX_COLUMNS) return;
    const spec = this.defaultSpec() ?? cols[cols.length - 1]?.spec;
    if (!spec) return;
    await this.applyColumns([...cols.map((c) => c.spec), spec]);
  }

  async removeColumn(columnId: string): Promise<void> {
    const cols = this.activeColumns;
    if (cols.length <= 1) return;
    await this.applyColumns(cols.filter((c) => c.id !== columnId).map((c) => c.spec));
  }

  async continueWith(columnId: string): Promise<void> {
    const view = this.view;
    if (!view) return;
    const next = await this.guard(() => this.api.continueWithColumn(view.id, columnId));
    if (next) this.show(next);
  }

  async selectTurnVersion(turnId: string, version: number): Promise<void> {
    const next = await this.guard(() => this.api.selectTurnVersion(turnId, version));
    if (next) this.show(next);
  }

  async selectAttempt(answerId: string, attempt: number): Promise<void> {
    const next = await this.guard(() => this.api.selectAttempt(answerId, attempt));
    if (next) this.show(next);
  }

  // Streaming

  /** Sends to every active column. False when nothing was sent (so the composer keeps it). */
  async send(text: string, attachments: Attachment[]): Promise<boolean> {
    const view = this.view;
    if (!view || (!text.trim() && attachments.length === 0)) return false;
    const ctx: RunContext = { kind: "send", text, attachments };
    return this.run(view.id, (on) => this.api.send(view.id, text, attachments, on), ctx);
  }

  /** Thumbs on one answer: kept with the answer, and evidence for the smart routing strategy. */
  async rate(answerId: string, good: boolean): Promise<void> {
    const ok = await this.guard(async () => {
      await this.api.rate(answerId, good ? "thumb_up" : "thumb_down");
      return true;
    });
    const answer = this.answer(answerId);
    if (ok && answer) answer.thumb = good ? "up" : "down";
  }

  /** The user's pick among a turn's finished answers: the winner won, the others lost. Thumbs
   * given earlier stay as they were: a vote is a different verdict. */
  async vote(turn: TurnView, winnerId: string): Promise<void> {
    const finished = turn.answers.filter((a) => a.status === "complete");
    const done = await this.guard(async () => {
      for (const a of finished) {
        await this.api.rate(a.id, a.id === winnerId ? "won_comparison" : "lost_comparison");
      }
      return true;
    });
    if (done) {
      for (const a of finished) {
        const shown = this.answer(a.id);
        if (shown) shown.best = a.id === winnerId;
      }
    }
  }

  /** Asks the column's header to open its parameters editor. */
  editParams(columnId: string): void {
    this.paramsRequest = { columnId, seq: (this.paramsRequest?.seq ?? 0) + 1 };
  }

  /** The displayed answer with this id, through the state proxy. */
  private answer(id: string): AnswerView | undefined {
    for (const turn of this.view?.turns ?? []) {
      const found = turn.answers.find((a) => a.id === id);
      if (found) return found;
    }
    return undefined;
  }

  async regenerate(turnId: string, columnId: string): Promise<void> {
    const view = this.view;
    if (!view) return;
    await this.run(view.id, (on) => this.api.regenerate(view.id, turnId, columnId, on), {
      kind: "regenerate",
    });
  }

  async editAndResend(turnId: string, text: string): Promise<void> {
    const view = this.view;
    if (!view || !text.trim()) return;
    await this.run(view.id, (on) => this.api.editAndResend(turnId, text, on), {
      kind: "edit",
      turnId,
      text,
    });
  }

  async stopAnswer(answerId: string): Promise<void> {
    await this.guard(() => this.api.stopAnswer(answerId));
  }

  /** Stops every streaming answer; false when nothing was streaming. */
  stopAll(): boolean {
    const view = this.view;
    if (!view || !this.busy) return false;
    void this.guard(() => this.api.stopAll(view.id));
    return true;
  }

  private async run(
    conversationId: string,
    call: (onEvent: (e: ChatEvent) => void) => Promise<void>,
    ctx: RunContext,
  ): Promise<boolean> {
    this.running += 1;
    let started = false;
    let resolved: boolean;
    try {
      resolved =
        (await this.guard(async () => {
          await call((e) => {
            if (e.type === "started") started = true;
            if (this.view?.id === conversationId) this.handle(e, ctx);
          });
          return true;
        })) ?? false;
    } finally {
      this.running -= 1;
    }
    if (this.view?.id === conversationId && this.running === 0) {
      // As many turns as are loaded, so the refresh neither grows nor shrinks what is shown.
      const limit = Math.max(PAGE_TURNS, this.view.turns.length);
      const fresh = await this.guard(() =>
        this.api.openConversationPage(conversationId, null, limit),
      );
      if (fresh && this.view?.id === conversationId) this.show(fresh.view, fresh.skipped);
    }
    await this.refreshList();
    return resolved || started;
  }

  /** Applies one stream event to the open conversation. */
  handle(e: ChatEvent, ctx: RunContext = { kind: "regenerate" }): void {
    const view = this.view;
    if (!view) return;
    if (e.type === "started") {
      const turn = this.turnFor(view, e.turnId, ctx);
      const previous = turn.answers.find((a) => a.columnId === e.columnId);
      const answer: AnswerView = {
        id: e.answerId,
        columnId: e.columnId,
        turnId: e.turnId,
        content: "",
        reasoning: "",
        toolCalls: [],
        status: "streaming",
        error: null,
        stats: emptyStats(),
        attempt: previous ? previous.attempts + 1 : 1,
        attempts: previous ? previous.attempts + 1 : 1,
        thumb: null,
        best: false,
        citations: [],
      };
      if (previous) turn.answers[turn.answers.indexOf(previous)] = answer;
      else turn.answers.push(answer);
      // Read back through the state proxy, so mutations below are tracked.
      const tracked = turn.answers.find((a) => a.id === e.answerId);
      if (tracked) this.live.set(e.answerId, tracked);
      return;
    }
    const answer = this.live.get(e.answerId);
    if (!answer) return;
    switch (e.type) {
      case "waiting":
        this.waiting.set(e.answerId, { ms: e.ms, reason: e.reason });
        break;
      case "textDelta":
        this.stopWaiting(e.answerId);
        answer.content += e.text;
        break;
      case "reasoningDelta":
        this.stopWaiting(e.answerId);
        answer.reasoning += e.text;
        break;
      case "toolCall":
        this.stopWaiting(e.answerId);
        answer.toolCalls.push(e.call);
        break;
      case "finished":
        this.stopWaiting(e.answerId);
        answer.status = e.status;
        answer.stats = e.stats;
        answer.citations = e.citations;
        this.addStreamedCost(answer.columnId, e.stats.cost);
        break;
      case "failed":
        this.stopWaiting(e.answerId);
        answer.status = "failed";
        answer.error = e.error;
        answer.stats = e.stats;
        this.addStreamedCost(answer.columnId, e.stats.cost);
        break;
      default: {
        // Every variant is handled: a new one fails type-checking here. At run time an
        // unknown variant (from a newer backend) is ignored, as the contract says.
        const unknown: never = e;
        void unknown;
      }
    }
  }

  /** Clears an answer's waiting line. */
  private stopWaiting(answerId: string): void {
    this.waiting.delete(answerId);
  }

  // Cost prediction

  /**
   * Asks for the draft's cost per active column once typing pauses for `delayMs`. A newer draft
   * cancels the pending request and any answer still in flight; an empty draft clears the
   * prediction without asking.
   */
  schedulePrediction(
    text: string,
    attachments: Attachment[],
    delayMs: number = PREDICT_DEBOUNCE_MS,
  ): void {
    this.cancelPrediction();
    const view = this.view;
    const columns: PredictColumn[] = this.activeColumns.map((c) => ({
      id: c.id,
      spec: $state.snapshot(c.spec),
    }));
    if (!view || columns.length === 0 || (!text.trim() && attachments.length === 0)) {
      this.predictions = {};
      return;
    }
    const input: PredictInput = {
      conversationId: view.id,
      columns,
      text,
      attachments: $state.snapshot(attachments),
    };
    const seq = this.predictSeq;
    this.predictTimer = setTimeout(() => {
      this.predictTimer = undefined;
      void this.predict(input, seq);
    }, delayMs);
  }

  /** Drops the pending prediction request; an answer already on its way is ignored. */
  cancelPrediction(): void {
    this.predictSeq += 1;
    if (this.predictTimer !== undefined) clearTimeout(this.predictTimer);
    this.predictTimer = undefined;
  }

  private async predict(input: PredictInput, seq: number): Promise<void> {
    let result: CostPrediction[];
    try {
      result = await this.api.predict(input);
    } catch {
      // An estimate that cannot be made is simply not shown; sending will say what is wrong.
      if (seq === this.predictSeq) this.predictions = {};
      return;
    }
    if (seq !== this.predictSeq) return;
    const next: Record<string, CostPrediction> = {};
    result.forEach((p, i) => {
      const id = p.columnId ?? input.columns[i]?.id;
      if (id) next[id] = p;
    });
    this.predictions = next;
  }

  private addStreamedCost(columnId: string, cost: string | null): void {
    const entry = this.streamed[columnId];
    if (entry) entry.costs.push(cost);
    else this.streamed[columnId] = { costs: [cost] };
  }

  private turnFor(view: ConversationView, turnId: string, ctx: RunContext): TurnView {
    const existing = view.turns.find((t) => t.id === turnId);
    if (existing) return existing;
    const fresh: TurnView = {
      id: turnId,
      text: ctx.kind === "regenerate" ? "" : ctx.text,
      attachments: ctx.kind === "send" ? ctx.attachments : [],
      answers: [],
      version: 1,
      versions: 1,
      createdMs: Date.now(),
    };
    if (ctx.kind === "edit") {
      const at = view.turns.findIndex((t) => t.id === ctx.turnId);
      const old = view.turns[at];
      if (old) {
        fresh.attachments = old.attachments;
        fresh.versions = old.versions + 1;
        fresh.version = fresh.versions;
        view.turns.splice(at, view.turns.length - at, fresh);
        return view.turns[at] ?? fresh;
      }
    }
    view.turns.push(fresh);
    return view.turns[view.turns.length - 1] ?? fresh;
  }

  // Totals

  columnTotal(column: ColumnView): MoneyTotal {
    const extra = this.streamed[column.id]?.costs ?? [];
    const sum = sumMoney([column.totalCost, ...extra]);
    return { total: sum.total, unknown: column.unknownCosts + sum.unknown };
  }

  /** How full the column's model's context window is, by the latest answer's prompt. */
  contextUsage(column: ColumnView): ContextUsage {
    const tokens = latestPromptTokens(this.view?.turns ?? [], column.id);
    return describeContext(tokens, this.model(column.spec)?.contextLength ?? null);
  }

  conversationTotal(): MoneyTotal {
    const view = this.view;
    if (!view) return { total: "0", unknown: 0 };
    const extra = Object.values(this.streamed).flatMap((s) => s.costs);
    const sum = sumMoney([view.totalCost, ...extra]);
    return { total: sum.total, unknown: view.unknownCosts + sum.unknown };
  }

  /**
   * The fastest and the cheapest answer of the last turn, once every answer has finished and at
   * least two can be compared.
   */
  get badges(): { fastest: string | null; cheapest: string | null } {
    const none = { fastest: null, cheapest: null };
    const last = this.view?.turns[this.view.turns.length - 1];
    if (!last || last.answers.some((a) => a.status === "streaming")) return none;
    return pickBadges(last.answers);
  }

  // Export / import

  async exportAs(format: ExportFormat): Promise<void> {
    const view = this.view;
    if (!view) return;
    const path = await this.guard(() => this.api.exportConversation(view.id, format));
    if (path) this.exported = { conversationId: view.id, path };
  }

  async importJson(json: string): Promise<void> {
    const seq = ++this.navigations;
    const view = await this.guard(() => this.api.importConversation(json));
    if (!view) return;
    if (seq === this.navigations) this.show(view);
    await this.refreshList();
  }
}

/**
 * Fastest = lowest total time among complete answers; cheapest = lowest known cost. A badge
 * needs two or more answers to compare and a single winner: a tie for the lowest marks none.
 */
export function pickBadges(answers: readonly AnswerView[]): {
  fastest: string | null;
  cheapest: string | null;
} {
  const complete = answers.filter((a) => a.status === "complete");
  const timed = complete.filter((a) => a.stats.latencyMs !== null);
  const priced = complete.filter((a) => a.stats.cost !== null);
  return {
    fastest: soleLowest(timed, (a, b) => (a.stats.latencyMs ?? 0) - (b.stats.latencyMs ?? 0)),
    cheapest: soleLowest(priced, (a, b) => compareMoney(a.stats.cost ?? "0", b.stats.cost ?? "0")),
  };
}

/** The id of the one answer that is strictly lowest by `cmp`, if there are two or more. */
function soleLowest(
  answers: readonly AnswerView[],
  cmp: (a: AnswerView, b: AnswerView) => number,
): string | null {
  if (answers.length < 2) return null;
  const sorted = [...answers].sort(cmp);
  const [first, second] = sorted;
  if (!first || !second || cmp(first, second) === 0) return null;
  return first.id;
}
