import { AppError, api as realApi } from "../ipc/client";
import { ProvidersState, type ProvidersApi } from "../shared/providers.svelte";
import { SignInState } from "./signIn.svelte";
import type { Api, AppInfo, Preferences, ProviderId } from "../ipc/client";

/** What the Settings screen needs of the backend (and what its tests fake). */
export type SettingsApi = ProvidersApi &
  Pick<
    Api,
    | "appInfo"
    | "settingsGet"
    | "settingsSave"
    | "keyExtraAdd"
    | "keyExtraRemove"
    | "keyEnable"
    | "customProviderUpdate"
    | "openrouterSignIn"
    | "openrouterSignInCancel"
  >;

/**
 * The Settings screen's state: providers and their masked keys (saved the one way the first run
 * saves them too), preferences, app facts.
 */
export class SettingsState extends ProvidersState {
  preferences = $state<Preferences | null>(null);
  info = $state<AppInfo | null>(null);
  loadError = $state<AppError | null>(null);
  /** "Sign in with OpenRouter" on OpenRouter's card; the new key lands in `overview`. */
  readonly signIn: SignInState;

  constructor(protected override readonly api: SettingsApi = realApi) {
    super(api);
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

  async updateCustom(id: ProviderId, name: string, baseUrl: string): Promise<void> {
    this.overview = await this.api.customProviderUpdate({ id, name, baseUrl });
  }

  async savePreferences(next: Preferences): Promise<void> {
    this.preferences = await this.api.settingsSave(next);
    // Base URL overrides change what the provider list shows.
    this.overview = await this.api.providersOverview();
  }
}
