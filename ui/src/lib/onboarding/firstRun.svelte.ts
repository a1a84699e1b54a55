import { api as realApi } from "../ipc/client";
import type { Api, ProvidersOverview } from "../ipc/client";

/**
 * Whether Switchboard can answer a chat at all: a built-in provider has a key (saved or from
 * the environment, even one the provider later refused: Settings deals with that), or the
 * user added a server of their own (a local one needs no key).
 */
export function hasProvider(overview: ProvidersOverview): boolean {
  return overview.providers.some((p) => p.kind === "custom" || p.key.source !== "none");
}

/**
 * The first-run decision: whether the Chat screen shows "Connect a provider" instead of a
 * conversation nobody could answer. One instance for the app (`firstRun`).
 */
export class FirstRunState {
  /** `null` until the backend has answered. */
  needed = $state<boolean | null>(null);
  /** "Skip for now": remembered until the app closes, not saved. */
  skipped = $state(false);
  /** While a Connect runs, the view stays up whatever the providers look like in between. */
  busy = false;

  constructor(private readonly api: Pick<Api, "providersOverview"> = realApi) {}

  /** Whether the Chat screen shows the "Connect a provider" view. */
  get show(): boolean {
    return this.needed === true && !this.skipped;
  }

  /** Whether the decision is still unknown (nothing is shown yet, to avoid a flash). */
  get deciding(): boolean {
    return this.needed === null;
  }

  /** Decides from providers read before the app mounted (the launch reads). */
  decide(overview: ProvidersOverview): void {
    if (this.needed === null) performance.mark("switchboard:first-run-decided");
    if (!this.busy) this.needed = !hasProvider(overview);
  }

  /** Asks the backend again; keys or providers may have changed in Settings. */
  async check(): Promise<void> {
    if (this.busy) return;
    try {
      this.decide(await this.api.providersOverview());
    } catch {
      // No engine: Chat shows why; a connect view could not connect anything either.
      this.needed = false;
    }
  }

  skip(): void {
    this.skipped = true;
  }

  /** A provider was connected and answered. */
  connected(): void {
    this.needed = false;
  }
}

export const firstRun = new FirstRunState();
