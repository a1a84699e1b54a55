/**
 * The UI's only door to the Rust side. Components call `api.*` and get plain data or an
 * `AppError`; they never see Tauri, transport shapes or bindings directly.
 */
import { commands, events } from "./bindings";
import type {
  AppInfo,
  Budget,
  BudgetAlert,
  BudgetStatus,
  BrowserCatalogue,
  ChartTheme,
  ChartView,
  CustomProviderInput,
  CustomProviderUpdate,
  Decision,
  KeyCheck,
  ModelChoice,
  ModelDetail,
  Preferences,
  ProviderId,
  ProvidersOverview,
  ReasoningEffort,
  RouteRequest,
  RouterConfig,
  RoutingHealth,
  ScreenSnapshot,
  ServedModels,
  SignedIn,
  TaskLearning,
  SpendFile,
  SpendGrouping,
  SpendReport,
  UserPrice,
} from "./bindings";
import { AppError } from "./errors";

export { AppError };
// Every generated type, under its generated name: bindings.ts is their one definition.
export type * from "./bindings";

/** Every reasoning effort, least first: what the editors offer. */
export const REASONING_EFFORTS: readonly ReasoningEffort[] = [
  "none",
  "minimal",
  "low",
  "medium",
  "high",
  "xhigh",
];

/** Awaits a command, turning any rejection (ours or Tauri's) into an `AppError`. */
export async function call<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (raw) {
    throw AppError.from(raw);
  }
}

/** Awaits a command returning Rust's `()` (it resolves with `null`): only completion matters. */
export async function done(pending: Promise<unknown>): Promise<void> {
  await call(pending);
}

/** The names of the saved routes. */
export async function routeNames(): Promise<string[]> {
  const config = await call(commands.routingGet());
  return (config.routes ?? []).map((r) => r.name);
}

export const api = {
  appInfo: (): Promise<AppInfo> => call(commands.appInfo()),
  /** Keeps the chat screen for the next launch's first paint (shared/firstPaint.ts). */
  firstPaintSave: (snapshot: ScreenSnapshot): Promise<void> =>
    done(commands.firstPaintSave(snapshot)),
  settingsGet: (): Promise<Preferences> => call(commands.settingsGet()),
  /** The conversation that was open in Chat, if it still exists (reopened after a restart). */
  lastConversationGet: (): Promise<string | null> => call(commands.lastConversationGet()),
  lastConversationSave: (id: string | null): Promise<null> =>
    call(commands.lastConversationSave(id)),
  settingsSave: (p: Preferences): Promise<Preferences> => call(commands.settingsSave(p)),
  providersOverview: (): Promise<ProvidersOverview> => call(commands.providersOverview()),
  keySave: (provider: ProviderId, key: string): Promise<ProvidersOverview> =>
    call(commands.keySave(provider, key)),
  keyRemove: (provider: ProviderId): Promise<ProvidersOverview> =>
    call(commands.keyRemove(provider)),
  keyTest: (provider: ProviderId): Promise<KeyCheck> => call(commands.keyTest(provider)),
  keyExtraAdd: (provider: ProviderId, label: string, key: string): Promise<ProvidersOverview> =>
    call(commands.keyExtraAdd(provider, label, key)),
  keyExtraRemove: (provider: ProviderId, label: string): Promise<ProvidersOverview> =>
    call(commands.keyExtraRemove(provider, label)),
  keyEnable: (provider: ProviderId, label: string): Promise<ProvidersOverview> =>
    call(commands.keyEnable(provider, label)),
  /**
   * Signs in with OpenRouter in the system browser; resolves once the new key is in the keychain
   * (the key itself never comes back). `limit` (USD, e.g. "5") asks for a spending limit on the
   * new key; `SignedIn.limit` says whether the key has it. Rejects with code `cancelled` after
   * `openrouterSignInCancel` (show nothing), `timeout` after 5 minutes, otherwise a message.
   */
  openrouterSignIn: (limit: string | null = null): Promise<SignedIn> =>
    call(commands.openrouterSignIn(limit)),
  /** Cancels the sign-in under way; resolves with whether one was. */
  openrouterSignInCancel: (): Promise<boolean> => call(commands.openrouterSignInCancel()),
  customProviderAdd: (input: CustomProviderInput): Promise<ProvidersOverview> =>
    call(commands.customProviderAdd(input)),
  customProviderUpdate: (update: CustomProviderUpdate): Promise<ProvidersOverview> =>
    call(commands.customProviderUpdate(update)),
  customProviderRemove: (provider: ProviderId): Promise<ProvidersOverview> =>
    call(commands.customProviderRemove(provider)),
  modelsList: (): Promise<ModelChoice[]> => call(commands.modelsList()),
  modelsBrowse: (refresh: boolean): Promise<BrowserCatalogue> =>
    call(commands.modelsBrowse(refresh)),
  modelDetail: (provider: ProviderId, id: string): Promise<ModelDetail> =>
    call(commands.modelDetail(provider, id)),
  servedModels: (provider: ProviderId, refresh: boolean): Promise<ServedModels> =>
    call(commands.servedModels(provider, refresh)),
  modelPrices: (): Promise<UserPrice[]> => call(commands.modelPrices()),
  modelPriceSet: (
    provider: ProviderId,
    model: string | null,
    promptPerMillion: string,
    completionPerMillion: string,
  ): Promise<UserPrice[]> =>
    call(commands.modelPriceSet(provider, model, promptPerMillion, completionPerMillion)),
  modelPriceRemove: (provider: ProviderId, model: string | null): Promise<UserPrice[]> =>
    call(commands.modelPriceRemove(provider, model)),
  routingGet: (): Promise<RouterConfig> => call(commands.routingGet()),
  routingSave: (config: RouterConfig): Promise<RouterConfig> => call(commands.routingSave(config)),
  routingExplain: (request: RouteRequest): Promise<Decision> =>
    call(commands.routingExplain(request)),
  routingHealth: (): Promise<RoutingHealth> => call(commands.routingHealth()),
  routingLearned: (): Promise<TaskLearning[]> => call(commands.routingLearned()),
  routingExport: (): Promise<string | null> => call(commands.routingExport()),
  routingImport: (toml: string): Promise<RouterConfig> => call(commands.routingImport(toml)),
  budgetsList: (): Promise<BudgetStatus[]> => call(commands.budgetsList()),
  budgetSave: (budget: Budget): Promise<Budget> => call(commands.budgetSave(budget)),
  budgetDelete: async (id: string): Promise<void> => {
    await call(commands.budgetDelete(id));
  },
  spendReport: (
    grouping: SpendGrouping,
    sinceMs: number | null,
    untilMs: number | null,
  ): Promise<SpendReport> => call(commands.spendReport(grouping, sinceMs, untilMs)),
  spendChart: (
    grouping: SpendGrouping,
    sinceMs: number | null,
    untilMs: number | null,
    view: ChartView,
    theme: ChartTheme,
  ): Promise<string> => call(commands.spendChart(grouping, sinceMs, untilMs, view, theme)),
  spendExport: (
    grouping: SpendGrouping,
    sinceMs: number | null,
    untilMs: number | null,
    view: ChartView,
    file: SpendFile,
  ): Promise<string | null> => call(commands.spendExport(grouping, sinceMs, untilMs, view, file)),
};

export type Api = typeof api;

/** Calls `handler` whenever keys or providers change (in any window). Returns an unsubscribe. */
export function onProvidersChanged(handler: () => void): () => void {
  return subscribe(events.providersChanged.listen(() => handler()));
}

/** Calls `handler` whenever preferences change (in any window). Returns an unsubscribe. */
export function onSettingsChanged(handler: () => void): () => void {
  return subscribe(events.settingsChanged.listen(() => handler()));
}

/** Calls `handler` with each budget alert (a threshold crossed). Returns an unsubscribe. */
export function onBudgetAlerted(handler: (alert: BudgetAlert) => void): () => void {
  return subscribe(events.budgetAlerted.listen((e) => handler(e.payload)));
}

function subscribe(pending: Promise<() => void>): () => void {
  let unlisten: (() => void) | undefined;
  let cancelled = false;
  pending.then(
    (u) => (cancelled ? u() : (unlisten = u)),
    () => undefined,
  );
  return () => {
    cancelled = true;
    unlisten?.();
  };
}
