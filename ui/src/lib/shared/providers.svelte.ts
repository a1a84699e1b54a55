import { api as realApi } from "../ipc/client";
import type { Api, KeyCheck, ProviderId, ProvidersOverview } from "../ipc/client";
import { moneyExact } from "./money";

/** What saving and checking a provider needs of the backend (and what its tests fake). */
export type ProvidersApi = Pick<
  Api,
  | "providersOverview"
  | "keySave"
  | "keyRemove"
  | "keyTest"
  | "customProviderAdd"
  | "customProviderRemove"
>;

/**
 * The providers and their masked keys, with the one way to save a key or add a server: Settings
 * builds on it, and the first run's Connect uses it as it is.
 */
export class ProvidersState {
  overview = $state<ProvidersOverview | null>(null);

  constructor(protected readonly api: ProvidersApi = realApi) {}

  async refreshProviders(): Promise<void> {
    this.overview = await this.api.providersOverview();
  }

  async saveKey(provider: ProviderId, key: string): Promise<void> {
    this.overview = await this.api.keySave(provider, key);
  }

  async removeKey(provider: ProviderId): Promise<void> {
    this.overview = await this.api.keyRemove(provider);
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

  async removeCustom(id: ProviderId): Promise<void> {
    this.overview = await this.api.customProviderRemove(id);
  }
}

/** An account figure the user checks against the provider's own page: exact (./money). */
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
