/** Test helpers every screen's tests share. */
import type { ModelChoice, ProviderView, UserPrice } from "../ipc/client";
import type { PricesApi } from "./prices.svelte";

/**
 * jsdom has no ResizeObserver and no layout; virtua measures its viewport and rows with one. This
 * one reports every observed element as 1000×600 px, so the list renders a viewport's worth.
 */
export class FakeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element): void {
    queueMicrotask(() =>
      this.callback(
        [
          {
            target,
            contentRect: { width: 1000, height: 600 } as DOMRectReadOnly,
            borderBoxSize: [{ inlineSize: 1000, blockSize: 600 }],
            contentBoxSize: [{ inlineSize: 1000, blockSize: 600 }],
            devicePixelContentBoxSize: [],
          },
        ],
        this as unknown as ResizeObserver,
      ),
    );
  }
  unobserve(): void {}
  disconnect(): void {}
}

/**
 * jsdom has no scrolling and no `Element.scrollTo`; virtua scrolls with it. The shim records the
 * offset and reports a scroll, as a browser would. Returns the function that removes it.
 */
export function installScrollShim(): () => void {
  const proto = Element.prototype as { scrollTo?: unknown };
  const had = Object.prototype.hasOwnProperty.call(proto, "scrollTo");
  const original = proto.scrollTo;
  proto.scrollTo = function (this: Element, arg?: ScrollToOptions | number) {
    if (typeof arg === "object" && arg.top !== undefined) this.scrollTop = arg.top;
    this.dispatchEvent(new Event("scroll"));
  };
  return () => {
    if (had) proto.scrollTo = original;
    else delete proto.scrollTo;
  };
}

/** A model as the pickers list it; `over` sets what a test cares about. */
export function model(over: Partial<ModelChoice> & { id: string }): ModelChoice {
  return {
    provider: "openrouter",
    providerName: "OpenRouter",
    name: over.id,
    contextLength: 128000,
    promptPerMillion: "0.15",
    completionPerMillion: "0.6",
    inputModalities: ["text"],
    supportsReasoning: false,
    ...over,
  };
}

/** In-memory user prices, as the backend keeps them (one per provider and model). */
export function fakePrices(prices: UserPrice[] = []): PricesApi & { prices: UserPrice[] } {
  const fake = {
    prices,
    modelPrices: async () => [...fake.prices],
    modelPriceSet: async (
      provider: string,
      model: string | null,
      promptPerMillion: string,
      completionPerMillion: string,
    ) => {
      fake.prices = [
        ...fake.prices.filter((p) => !(p.provider === provider && p.model === model)),
        {
          provider,
          providerName: "Desk Ollama",
          model,
          promptPerMillion,
          completionPerMillion,
          updatedMs: 1_747_000_000_000,
        },
      ];
      return [...fake.prices];
    },
    modelPriceRemove: async (provider: string, model: string | null) => {
      fake.prices = fake.prices.filter((p) => !(p.provider === provider && p.model === model));
      return [...fake.prices];
    },
  };
  return fake;
}

/** A provider as the backend lists it; no key unless `over` gives one. */
export function provider(over: Partial<ProviderView>): ProviderView {
  return {
    id: "openrouter",
    kind: "open_router",
    name: "OpenRouter",
    baseUrl: "https://openrouter.ai/api/v1",
    baseUrlSource: "default",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    baseUrlEnvVar: "OPENROUTER_BASE_URL",
    key: { source: "none", masked: null, envVar: "OPENROUTER_API_KEY", envShadowed: false },
    notice: null,
    ...over,
  };
}
