/**
 * The UI's only door to the Rust side. Components call `api.*` and get plain data or an
 * `AppError`; they never see Tauri, transport shapes or bindings directly.
 */
import { commands, events } from "./bindings";
import type {
  AppInfo,
  CustomProviderInput,
  CustomProviderUpdate,
  KeyCheck,
  Preferences,
  ProviderId,
  ProvidersOverview,
} from "./bindings";
import { AppError } from "./errors";

export { AppError };
export type {
  AnswerStats,
  AnswerStatus,
  AnswerView,
  Attachment,
  ChatEvent,
  ColumnSpec,
  ColumnView,
  ConversationSummary,
  ConversationView,
  ModelParams,
  ReasoningEffort,
  SearchHit,
  ToolCall,
  TurnView,
  AppInfo,
  BaseUrlSource,
  CustomProviderInput,
  CustomProviderUpdate,
  ErrorCode,
  KeyCheck,
  KeySource,
  KeyStatus,
  KeychainStatus,
  OpenRouterKeyInfo,
  Preferences,
  ProviderId,
  ProviderKind,
  ProviderView,
  ProvidersOverview,
  Theme,
} from "./bindings";

/** Awaits a command, turning any rejection (ours or Tauri's) into an `AppError`. */
export async function call<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (raw) {
    throw AppError.from(raw);
  }
}

export const api = {
  appInfo: (): Promise<AppInfo> => call(commands.appInfo()),
  settingsGet: (): Promise<Preferences> => call(commands.settingsGet()),
  settingsSave: (p: Preferences): Promise<Preferences> => call(commands.settingsSave(p)),
  providersOverview: (): Promise<ProvidersOverview> => call(commands.providersOverview()),
  keySave: (provider: ProviderId, key: string): Promise<ProvidersOverview> =>
    call(commands.keySave(provider, key)),
  keyRemove: (provider: ProviderId): Promise<ProvidersOverview> =>
    call(commands.keyRemove(provider)),
  keyTest: (provider: ProviderId): Promise<KeyCheck> => call(commands.keyTest(provider)),
  customProviderAdd: (input: CustomProviderInput): Promise<ProvidersOverview> =>
    call(commands.customProviderAdd(input)),
  customProviderUpdate: (update: CustomProviderUpdate): Promise<ProvidersOverview> =>
    call(commands.customProviderUpdate(update)),
  customProviderRemove: (provider: ProviderId): Promise<ProvidersOverview> =>
    call(commands.customProviderRemove(provider)),
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
