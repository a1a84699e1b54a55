import { AppError, api as realApi } from "../ipc/client";
import type { Api, ProviderId, UserPrice } from "../ipc/client";
import { moneyExact } from "./money";

/** What a price editor needs of the backend (and what its tests fake). */
export type PricesApi = Pick<Api, "modelPrices" | "modelPriceSet" | "modelPriceRemove">;

/** USD per million tokens as typed: digits, at most six decimals, an optional `$`. */
const TYPED_PRICE = /^\$?\s*(\d+(?:\.\d{1,6})?)$/;

/** A typed price as the exact decimal the backend takes; `null` when it is not one. */
export function parsePrice(text: string): string | null {
  const m = TYPED_PRICE.exec(text.trim());
  return m?.[1] ?? null;
}

/** "$0.15 in · $0.60 out per million tokens". */
export function describePrice(p: UserPrice): string {
  // The user typed these, and checks them: exact.
  return `${moneyExact(p.promptPerMillion)} in · ${moneyExact(p.completionPerMillion)} out per million tokens`;
}

/**
 * The price the user gives one model of a custom provider, or (`model` null) the provider's
 * default for its models without a price of their own: a local server is often "$0 for every
 * model". Its costs are estimates from this price; without one they are unknown.
 */
export class PriceDraftState {
  /** This exact price (the model's own, or the default when `model` is null). */
  current = $state<UserPrice | null>(null);
  /** For a model without its own price: the provider's default that applies instead. */
  fallback = $state<UserPrice | null>(null);
  input = $state("");
  output = $state("");
  busy = $state(false);
  error = $state<string | null>(null);
  /** What the last change did, for a status line. */
  done = $state<string | null>(null);

  constructor(
    readonly provider: ProviderId,
    readonly model: string | null,
    private readonly api: PricesApi = realApi,
  ) {}

  /** The price in force, where it comes from, in words. */
  get summary(): string {
    if (this.current)
      return `${this.model === null ? "Default" : "Price"}: ${describePrice(this.current)}.`;
    if (this.fallback) return `The server's default applies: ${describePrice(this.fallback)}.`;
    return "No price: costs of this model are unknown until you give one.";
  }

  async load(): Promise<void> {
    try {
      this.adopt(await this.api.modelPrices());
    } catch (e) {
      this.error = AppError.from(e).message;
    }
  }

  /** Saves the typed prices; a price that is not a decimal is refused here, before sending. */
  async save(): Promise<void> {
    const input = parsePrice(this.input);
    const output = parsePrice(this.output);
    if (input === null || output === null) {
      this.error = `Give the ${input === null ? "input" : "output"} price in dollars per million tokens, e.g. 0.15 (at most six decimals).`;
      return;
    }
    await this.run(
      () => this.api.modelPriceSet(this.provider, this.model, input, output),
      "Price saved; new requests are estimated with it.",
    );
  }

  /** Prices every model (or this one) at $0: a local server costs nothing per token. */
  async free(): Promise<void> {
    this.input = "0";
    this.output = "0";
    await this.save();
  }

  async remove(): Promise<void> {
    await this.run(() => this.api.modelPriceRemove(this.provider, this.model), "Price removed.");
  }

  private async run(work: () => Promise<UserPrice[]>, done: string): Promise<void> {
    this.busy = true;
    this.error = null;
    this.done = null;
    try {
      this.adopt(await work());
      this.done = done;
    } catch (e) {
      this.error = AppError.from(e).message;
    } finally {
      this.busy = false;
    }
  }

  private adopt(prices: UserPrice[]): void {
    const mine = prices.filter((p) => p.provider === this.provider);
    this.current = mine.find((p) => p.model === this.model) ?? null;
    this.fallback = this.model === null ? null : (mine.find((p) => p.model === null) ?? null);
    if (this.current) {
      this.input = this.current.promptPerMillion;
      this.output = this.current.completionPerMillion;
    }
  }
}
