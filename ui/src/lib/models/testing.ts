/** Fakes for the Models screen's tests. */
import type { BrowserModel, ColumnSpec, ModelDetail, PriceSheet, UserPrice } from "../ipc/client";
import type { ChatOpener, ModelsApi } from "./models.svelte";
import { fakePrices } from "../shared/testing";

export { fakePrices };

export function prices(over: Partial<PriceSheet> = {}): PriceSheet {
  return {
    promptPerMillion: "1",
    completionPerMillion: "2",
    cacheReadPerMillion: null,
    cacheWritePerMillion: null,
    perRequest: null,
    perImage: null,
    variable: false,
    free: false,
    ...over,
  };
}

export function browserModel(id: string, over: Partial<BrowserModel> = {}): BrowserModel {
  return {
    provider: "openrouter",
    providerName: "OpenRouter",
    id,
    name: id,
    description: null,
    created: 1_700_000_000,
    contextLength: 128_000,
    maxOutput: 16_384,
    inputModalities: ["text"],
    outputModalities: ["text"],
    supportedParameters: ["max_tokens", "temperature"],
    tokenizer: "GPT",
    prices: prices(),
    ...over,
  };
}

export const VARIABLE = prices({
  promptPerMillion: null,
  completionPerMillion: null,
  variable: true,
});
export const FREE = prices({ promptPerMillion: "0", completionPerMillion: "0", free: true });

/** A small catalogue with one of each interesting kind. */
export function sampleCatalogue(): BrowserModel[] {
  return [
    browserModel("anthropic/claude-sonnet-4", {
      name: "Anthropic: Claude Sonnet 4",
      contextLength: 200_000,
      created: 1_747_930_371,
      inputModalities: ["text", "image", "file"],
      supportedParameters: ["tools", "reasoning", "max_tokens"],
      prices: prices({
        promptPerMillion: "3",
        completionPerMillion: "15",
        cacheReadPerMillion: "0.3",
      }),
    }),
    browserModel("openai/gpt-4o-mini", {
      name: "OpenAI: GPT-4o-mini",
      created: 1_721_260_800,
      inputModalities: ["text", "image"],
      supportedParameters: ["tools", "response_format", "structured_outputs"],
      prices: prices({ promptPerMillion: "0.15", completionPerMillion: "0.6" }),
    }),
    browserModel("openrouter/auto", {
      name: "Auto Router",
      contextLength: 2_000_000,
      created: 1_699_401_600,
      prices: VARIABLE,
    }),
    browserModel("meta-llama/llama-3.3-70b-instruct:free", {
      name: "Meta: Llama 3.3 70B Instruct (free)",
      contextLength: 131_072,
      created: 1_733_506_137,
      prices: FREE,
    }),
    browserModel("google/gemini-2.5-flash-image", {
      name: "Google: Gemini 2.5 Flash Image",
      contextLength: 32_768,
      created: 1_756_000_000,
      inputModalities: ["text", "image"],
      outputModalities: ["image", "text"],
      prices: prices({ promptPerMillion: "0.3", completionPerMillion: "2.5", perImage: "0.001" }),
    }),
    browserModel("gpt-4o", {
      provider: "openai",
      providerName: "OpenAI",
      name: "OpenAI: gpt-4o",
      created: null,
      maxOutput: null,
      supportedParameters: ["max_tokens", "temperature", "tools", "response_format"],
      prices: prices({ promptPerMillion: "2.5", completionPerMillion: "10" }),
    }),
  ];
}

/** `count` plain OpenRouter models, for a catalogue of realistic size. */
export function manyModels(count: number): BrowserModel[] {
  return Array.from({ length: count }, (_, i) =>
    browserModel(`maker${i % 17}/model-${i}`, {
      name: `Maker ${i % 17}: Model ${i}`,
      created: 1_700_000_000 + i,
      contextLength: 4_096 * ((i % 50) + 1),
      prices: prices({
        promptPerMillion: `0.${String(i).padStart(3, "0")}`,
        completionPerMillion: `${i % 9}.5`,
      }),
    }),
  );
}

export interface FakeModelsApi extends ModelsApi {
  detailCalls: string[];
  browseCalls: boolean[];
  /** The prices the user set, as the backend keeps them. */
  prices: UserPrice[];
}

export function fakeApi(models: BrowserModel[], notice: string | null = null): FakeModelsApi {
  const detailCalls: string[] = [];
  const browseCalls: boolean[] = [];
  const prices = fakePrices();
  return {
    detailCalls,
    browseCalls,
    get prices() {
      return prices.prices;
    },
    modelPrices: prices.modelPrices,
    modelPriceSet: prices.modelPriceSet,
    modelPriceRemove: prices.modelPriceRemove,
    modelsBrowse: async (refresh) => {
      browseCalls.push(refresh);
      return { models, fetchedMs: 1_747_000_000_000, fromCache: !refresh, notice };
    },
    modelDetail: async (provider, id): Promise<ModelDetail> => {
      detailCalls.push(`${provider}:${id}`);
      const model = models.find((m) => m.provider === provider && m.id === id);
      if (!model) throw new Error(`no ${id}`);
      if (provider !== "openrouter") {
        return { model, endpoints: [], notice: null, priceSource: "Prices from LiteLLM" };
      }
      return {
        model,
        notice: null,
        priceSource: null,
        endpoints: [
          {
            providerName: "Google Vertex",
            tag: "google-vertex/us-east5",
            status: 0,
            uptimeLast30m: 99.71,
            latencyLast30mP50: 1.42,
            throughputLast30mP50: 54.3,
            quantization: "fp8",
            contextLength: model.contextLength,
            maxOutput: 64_000,
            supportedParameters: model.supportedParameters,
            prices: model.prices,
          },
          {
            providerName: "Degraded Inc",
            tag: null,
            status: -2,
            uptimeLast30m: null,
            latencyLast30mP50: null,
            throughputLast30mP50: null,
            quantization: null,
            contextLength: null,
            maxOutput: null,
            supportedParameters: [],
            prices: VARIABLE,
          },
        ],
      };
    },
  };
}

export class FakeOpener implements ChatOpener {
  opened: ColumnSpec[][] = [];
  openChat(columns: ColumnSpec[]): void {
    this.opened.push(columns);
  }
}
