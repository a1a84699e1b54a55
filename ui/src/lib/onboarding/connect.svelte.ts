import { AppError, api as realApi } from "../ipc/client";
import type { Api } from "../ipc/client";
import { ProvidersState, describeCheck, type ProvidersApi } from "../shared/providers.svelte";
import { ServedModelsState, type ServedModelsApi } from "../shared/servedModels.svelte";

/** The built-in providers a first run offers, each connected with one key. */
export type KeyProvider = "openrouter" | "openai" | "anthropic";

/** One key-based option of the "Connect a provider" view. */
export interface KeyOption {
  id: KeyProvider;
  name: string;
  /** One line on why to pick it. */
  blurb: string;
  /** Where the provider's keys are made (opened in the browser through the link guard). */
  keysUrl: string;
  keysHost: string;
  /** What a key of this provider starts with, as a placeholder. */
  placeholder: string;
}

export const KEY_OPTIONS: readonly KeyOption[] = [
  {
    id: "openrouter",
    name: "OpenRouter",
    blurb: "One key reaches hundreds of models from OpenAI, Anthropic, Google, Meta and more.",
    keysUrl: "https://openrouter.ai/keys",
    keysHost: "openrouter.ai/keys",
    placeholder: "sk-or-…",
  },
  {
    id: "openai",
    name: "OpenAI",
    blurb: "GPT and o-series models, billed by OpenAI.",
    keysUrl: "https://platform.openai.com/api-keys",
    keysHost: "platform.openai.com",
    placeholder: "sk-…",
  },
  {
    id: "anthropic",
    name: "Anthropic",
    blurb: "Claude models, billed by Anthropic.",
    keysUrl: "https://console.anthropic.com/settings/keys",
    keysHost: "console.anthropic.com",
    placeholder: "sk-ant-…",
  },
];

/** A local server that speaks the OpenAI API, with the address it listens on by default. */
export interface LocalPreset {
  /** For test ids: `connect-local-preset-${id}`. */
  id: string;
  name: string;
  baseUrl: string;
}

export const LOCAL_PRESETS: readonly LocalPreset[] = [
  { id: "ollama", name: "Ollama", baseUrl: "http://127.0.0.1:11434/v1" },
  { id: "lmstudio", name: "LM Studio", baseUrl: "http://127.0.0.1:1234/v1" },
  { id: "llamacpp", name: "llama.cpp", baseUrl: "http://127.0.0.1:8080/v1" },
  { id: "vllm", name: "vLLM", baseUrl: "http://127.0.0.1:8000/v1" },
];

/** What the last Connect of one option came to. */
export interface Outcome {
  ok: boolean;
  /** A sentence for the person: what happened, what was kept, what to do. */
  text: string;
  /** The provider is saved even though the check failed (so the app can be used anyway). */
  kept: boolean;
}

/** What connecting needs of the backend (and what its tests fake). */
export type ConnectApi = ProvidersApi &
  ServedModelsApi &
  Pick<Api, "openrouterSignIn" | "openrouterSignInCancel">;

/**
 * Connecting a first provider: save it the way Settings does (through the shared providers
 * state, so there is one way to save a key or add a server), then check it on the spot.
 */
export class ConnectState {
  readonly providers: ProvidersState;
  /** The option being connected (`openrouter`, …, `local`), if any. */
  working = $state<string | null>(null);
  /** The browser sign-in is under way (it can be cancelled). */
  signingIn = $state(false);
  /** What the option being connected is waiting for. */
  waiting = $state("Connecting…");
  outcomes = $state<Record<string, Outcome>>({});

  constructor(private readonly api: ConnectApi = realApi) {
    this.providers = new ProvidersState(api);
  }

  /** Whether keys can be saved; until the backend says, assume they can. */
  get keychainAvailable(): boolean {
    return this.providers.overview?.keychain.available ?? true;
  }

  async load(): Promise<void> {
    try {
      await this.providers.refreshProviders();
    } catch {
      // Connect says what is wrong when it is pressed.
    }
  }

  /** Saves `key` for `provider` and tests it; true when the provider answered. */
  connectKey(provider: KeyProvider, key: string): Promise<boolean> {
    const name = KEY_OPTIONS.find((o) => o.id === provider)?.name ?? provider;
    return this.attempt(provider, async () => {
      await this.providers.saveKey(provider, key.trim());
      try {
        return describeCheck(await this.providers.testKey(provider));
      } catch (e) {
        const error = AppError.from(e);
        if (error.code !== "auth") {
          // Maybe only the network or the account's credit: the key itself may be fine, so
          // it stays and the app can be used with it.
          throw new Kept(`The ${name} key is saved, but checking it failed: ${error.message}`, {
            cause: e,
          });
        }
        await this.providers.removeKey(provider).catch(() => undefined);
        throw new Error(`${error.message} The key was not kept; paste another one.`, {
          cause: e,
        });
      }
    });
  }

  /**
   * Signs in with OpenRouter in the system browser (OAuth PKCE); the key it creates goes
   * straight to the keychain and never reaches the page. True once it is saved.
   */
  async signIn(): Promise<boolean> {
    let cancelled = false;
    this.signingIn = true;
    const ok = await this.attempt(
      "openrouter",
      async () => {
        try {
          await this.api.openrouterSignIn(null);
        } catch (e) {
          cancelled = AppError.from(e).code === "cancelled";
          throw e;
        }
        if (this.providers.overview) await this.providers.refreshProviders().catch(() => undefined);
        return "Signed in with OpenRouter · the key is in your keychain";
      },
      "Waiting for OpenRouter in your browser…",
    );
    this.signingIn = false;
    // Cancelling is the person's own choice: nothing to report.
    if (cancelled) delete this.outcomes.openrouter;
    return ok;
  }

  /** Stops waiting for the browser. */
  async cancelSignIn(): Promise<void> {
    await this.api.openrouterSignInCancel().catch(() => false);
  }

  /** Adds the server at `baseUrl` and lists its models; true when it served some. */
  connectLocal(name: string, baseUrl: string, apiKey: string): Promise<boolean> {
    return this.attempt("local", async () => {
      if (!this.providers.overview) await this.providers.refreshProviders();
      const before = this.providers.overview?.providers.map((p) => p.id) ?? [];
      await this.providers.addCustom(name.trim(), baseUrl.trim(), apiKey);
      const added = this.providers.overview?.providers.find(
        (p) => p.kind === "custom" && !before.includes(p.id),
      );
      if (!added) throw new Error(`${name} was not added; open Settings to check the providers.`);
      const served = new ServedModelsState(added.id, this.api);
      await served.load(true);
      const list = served.served;
      // The notice is worded for Settings' Refresh button; here Connect is the retry.
      const notice = list?.notice?.replace(/,? then refresh\.$/, ".") ?? null;
      const problem =
        served.error ??
        notice ??
        (list && list.models.length > 0
          ? null
          : `${name} answered but serves no models yet: load or pull one, then connect again.`);
      if (problem !== null) {
        // A server that does not answer is not kept, so trying again starts clean.
        await this.providers.removeCustom(added.id).catch(() => undefined);
        throw new Error(`${problem} Nothing was saved; press Connect to try again.`);
      }
      const count = list?.models.length ?? 0;
      return `Connected to ${name} · ${count} model${count === 1 ? "" : "s"}`;
    });
  }

  private async attempt(
    option: string,
    work: () => Promise<string>,
    waiting = "Connecting…",
  ): Promise<boolean> {
    this.working = option;
    this.waiting = waiting;
    this.outcomes = Object.fromEntries(Object.entries(this.outcomes).filter(([k]) => k !== option));
    try {
      this.outcomes[option] = { ok: true, text: await work(), kept: true };
      return true;
    } catch (e) {
      this.outcomes[option] = {
        ok: false,
        text: AppError.from(e).message,
        kept: e instanceof Kept,
      };
      return false;
    } finally {
      this.working = null;
    }
  }
}

/** A failed check after which the provider is still saved and usable. */
class Kept extends Error {}
