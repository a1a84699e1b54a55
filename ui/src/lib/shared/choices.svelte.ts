import { onProvidersChanged, api as realApi } from "../ipc/client";
import type { Api, ModelChoice, ProviderId } from "../ipc/client";
import { providerLabel } from "./providerNames";

/** What the target choices need of the backend (and what their tests fake). */
export type ChoicesApi = Pick<Api, "modelsList" | "providersOverview">;

/** A provider as a select offers it. */
export interface ProviderOption {
  id: ProviderId;
  name: string;
}

const BUILTINS: ProviderOption[] = [
  { id: "openrouter", name: "OpenRouter" },
  { id: "openai", name: "OpenAI" },
  { id: "anthropic", name: "Anthropic" },
];

/**
 * The providers (by name) and their models that an editor can point a target at: every
 * provider in Settings, custom servers included, and every model the Chat picker lists. Loaded
 * once and shared, so each target's fields do not ask again.
 */
export class TargetChoicesState {
  providers = $state<ProviderOption[]>(BUILTINS);
  models = $state.raw<ModelChoice[]>([]);
  private loading: Promise<void> | null = null;

  constructor(private readonly api: ChoicesApi = realApi) {}

  /** Loads once; later calls wait for the same load. A failure leaves the built-ins. */
  load(): Promise<void> {
    this.loading ??= this.fetch();
    return this.loading;
  }

  /** Loads again (a provider was added or removed). */
  reload(): Promise<void> {
    this.loading = this.fetch();
    return this.loading;
  }

  private async fetch(): Promise<void> {
    const [models, overview] = await Promise.allSettled([
      this.api.modelsList(),
      this.api.providersOverview(),
    ]);
    if (models.status === "fulfilled") this.models = models.value;
    if (overview.status === "fulfilled" && overview.value.providers.length > 0) {
      this.providers = overview.value.providers.map((p) => ({ id: p.id, name: p.name }));
    }
  }

  /** The models `provider` serves, as the picker lists them. */
  modelsOf(provider: ProviderId): ModelChoice[] {
    return this.models.filter((m) => m.provider === provider);
  }

  /** `id`'s name; never the id of a custom provider. */
  providerName(id: ProviderId): string {
    return providerLabel(id, this.providers.find((p) => p.id === id)?.name);
  }

  /** The providers to offer, with `current` kept as an option even when it is gone (so a
   * select bound to it shows what is stored instead of silently changing it). */
  optionsWith(current: ProviderId): ProviderOption[] {
    if (current === "" || this.providers.some((p) => p.id === current)) return this.providers;
    return [...this.providers, { id: current, name: this.providerName(current) }];
  }
}

let shared: TargetChoicesState | undefined;

/** The app's one set of target choices, loading on first use and again whenever a provider
 * is added, changed or removed (in any window). */
export function targetChoices(): TargetChoicesState {
  if (!shared) {
    const choices = new TargetChoicesState();
    onProvidersChanged(() => void choices.reload());
    shared = choices;
  }
  void shared.load();
  return shared;
}
