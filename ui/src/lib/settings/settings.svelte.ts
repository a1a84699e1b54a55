import { AppError, api as realApi } from "../ipc/client";
import { moneyExact } from "../shared/money";
import { SignInState } from "./signIn.svelte";
import type {
  Api,
  AppInfo,
  KeyCheck,
  Preferences,
  ProviderId,
  ProvidersOverview,
} from "../ipc/client";

/** What the Settings screen needs of the backend (and what its tests fake). */
export type SettingsApi = Pick<
  Api,
  | "appInfo"
  | "settingsGet"
  | "settingsSave"
  | "providersOverview"
  | "keySave"
  | "keyRemove"
  | "keyTest"
  | "keyExtraAdd"
  | "keyExtraRemove"
  | "keyEnable"
  | "customProviderAdd"
  | "customProviderUpdate"
  | "customProviderRemove"
  | "openrouterSignIn"
  | "openrouterSignInCancel"
>;

/** The Settings screen's state: providers and their masked keys, preferences, app facts. */
export class SettingsState {
  overview = $state<ProvidersOverview | null>(null);
  preferences = $state<Preferences | null>(null);
  info = $state<AppInfo | null>(null);
  loadError = $state<AppError | null>(null);
  /** "Sign in with OpenRouter" on OpenRouter's card; the new key lands in `overview`. */
  readonly signIn: SignInState;

  constructor(private readonly api: SettingsApi = realApi) {
    this.signIn = new SignInState(api, (overview) => (this.overview = overview));
  }

  async load(): Promise<void> {
    try {
      const [overview, preferences, info] = await Promise.all([
        this.api.providersOverview(),
        this.api.settingsGet(),
        this.api.appInfo(),
      ]);
      this.overview = overview;
      this.preferences = preferences;
      this.info = info;
      this.loadError = null;
    } catch (e) {
      this.loadError = AppError.from(e);
    }
  }

  async refreshProviders(): Promise<void> {
    this.overview = await this.api.providersOverview();
  }

  async saveKey(provider: ProviderId, key: string): Promise<void> {
    this.overview = await this.api.keySave(provider, key);
  }

  async removeKey(provider: ProviderId): Promise<void> {
    this.overview = await this.api.keyRemove(provider);
  }

  async addExtraKey(provider: ProviderId, label: string, key: string): Promise<void> {
    this.overview = await this.api.keyExtraAdd(provider, label, key);
  }

  async removeExtraKey(provider: ProviderId, label: string): Promise<void> {
    this.overview = await this.api.keyExtraRemove(provider, label);
  }

  /** Uses a key the provider refused again; `default` is the main key. */
  async enableKey(provider: ProviderId, label: string): Promise<void> {
    this.overview = await this.api.keyEnable(provider, label);
  }

  testKey(provider: ProviderId): Promise<KeyCheck> {
    return this.api.keyTest(provider);
  }

  async addCustom(name: string, baseUrl: string, apiKey: string): Promise<void> {
    this.overview = await this.api.customProviderAdd({
      name,
      baseUrl,
      apiKey: apiKey.trim() === "" ? null : apiKey,
    });
  }

  async updateCustom(id: ProviderId, name: string, baseUrl: string): Promise<void> {
    this.overview = await this.api.customProviderUpdate({ id, name, baseUrl });
  }

  async removeCustom(id: ProviderId): Promise<void> {
    this.overview = await this.api.customProviderRemove(id);
  }

  async savePreferences(next: Preferences): Promise<void> {
    this.preferences = await this.api.settingsSave(next);
    // Base URL overrides change what the provider list shows.
    this.overview = await this.api.providersOverview();
  }
}

/** An account figure the user checks against the provider's own page: exact (../shared/money). */
export function usd(amount: string | null): string {
  return amount === null ? "an unknown amount" : moneyExact(amount);
}

/** One line describing a successful key check. */
export function describeCheck(check: KeyCheck): string {
  const parts = [`Key works · ${check.latencyMs} ms`];
  const or = check.openrouter;
  if (or) {
    parts.push(
      or.limitUsd === null
        ? `${usd(or.usageUsd)} used, no limit`
        : `${usd(or.usageUsd)} used of ${usd(or.limitUsd)}` +
            (or.limitRemainingUsd === null ? "" : ` (${usd(or.limitRemainingUsd)} left)`),
    );
    if (or.isFreeTier) parts.push("free tier");
  }
  if (check.modelsVisible !== null) {
    parts.push(`${check.modelsVisible} model${check.modelsVisible === 1 ? "" : "s"} visible`);
  }
  return parts.join(" · ");
}
