import { AppError, api as realApi } from "../ipc/client";
import type { Api, BrowserModel, ColumnSpec, ModelDetail } from "../ipc/client";
import { navigation } from "../shared/navigation.svelte";
import { addExact, sortUnits, tokensCost } from "./price";
import type { PricesApi } from "../shared/prices.svelte";
import { isCustomProvider, providerLabel } from "../shared/providerNames";

/** What the Models screen needs of the backend (and what its tests fake): the catalogue, a
 * model's detail, and the prices the user gives custom providers' models. */
export type ModelsApi = Pick<Api, "modelsBrowse" | "modelDetail"> & PricesApi;

/** Where "chat with this" goes (the app's navigation; a fake in tests). */
export interface ChatOpener {
  openChat(columns: ColumnSpec[]): void;
}

export type SortKey = "name" | "input" | "output" | "context" | "newest";

/** The features the filters offer, and the request parameters that mean each. */
export const FEATURES = {
  tools: ["tools"],
  reasoning: ["reasoning", "include_reasoning", "reasoning_effort"],
  structured: ["structured_outputs", "response_format"],
} as const;
export type Feature = keyof typeof FEATURES;

/** At most this many models in a comparison. */
export const MAX_COMPARE = 4;

/** One model with everything filtering and sorting need, computed once per catalogue. */
export interface Entry {
  key: string;
  model: BrowserModel;
  /** Lowercase name, id, provider and maker, for search. */
  hay: string;
  /** The maker: the id's `author/` part on OpenRouter, the provider for direct models, the
   * server's name for a custom provider's. */
  maker: string;
  /** Prices as 1e-12 units for exact sorting; `null` when variable. */
  input: bigint | null;
  output: bigint | null;
  features: readonly Feature[];
}

export function modelKey(m: { provider: string; id: string }): string {
  return `${m.provider}\u0000${m.id}`;
}

function entry(model: BrowserModel): Entry {
  const slash = model.id.indexOf("/");
  const maker =
    model.provider === "openrouter" && slash > 0
      ? model.id.slice(0, slash)
      : isCustomProvider(model.provider)
        ? providerLabel(model.provider, model.providerName)
        : model.provider;
  const params = new Set(model.supportedParameters);
  const features = (Object.entries(FEATURES) as [Feature, readonly string[]][])
    .filter(([, names]) => names.some((n) => params.has(n)))
    .map(([feature]) => feature);
  const variable = model.prices.variable;
  return {
    key: modelKey(model),
    model,
    hay: `${model.name}\n${model.id}\n${model.providerName}\n${maker}`.toLowerCase(),
    maker,
    input: variable ? null : sortUnits(model.prices.promptPerMillion),
    output: variable ? null : sortUnits(model.prices.completionPerMillion),
    features,
  };
}

/** Ascending by a key that may be missing: missing always last, whatever the direction. */
function byKnown<T>(a: T | null, b: T | null, order: (x: T, y: T) => number): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return order(a, b);
}

const bigintOrder = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
const numberOrder = (x: number, y: number) => x - y;

function compareEntries(sort: SortKey, a: Entry, b: Entry): number {
  const name = a.model.name.localeCompare(b.model.name);
  let primary = 0;
  switch (sort) {
    case "input":
      primary = byKnown(a.input, b.input, bigintOrder);
      break;
    case "output":
      primary = byKnown(a.output, b.output, bigintOrder);
      break;
    case "context":
      primary = byKnown(a.model.contextLength, b.model.contextLength, (x, y) => y - x);
      break;
    case "newest":
      primary = byKnown(a.model.created, b.model.created, (x, y) => numberOrder(y, x));
      break;
    case "name":
      break;
  }
  return primary !== 0 ? primary : name;
}

/** The Models screen's state: the catalogue, the filters, the detail and the comparison. */
export class ModelsState {
  models = $state.raw<BrowserModel[]>([]);
  notice = $state<string | null>(null);
  fetchedMs = $state<number | null>(null);
  loading = $state(false);
  loadError = $state<AppError | null>(null);

  query = $state("");
  inputModality = $state<string>("");
  outputModality = $state<string>("");
  /** Minimum context window in tokens; 0 for any. */
  minContext = $state(0);
  features = $state<Feature[]>([]);
  freeOnly = $state(false);
  /** Who serves it: a provider id (`openrouter`, `openai`, `anthropic`, a custom server's);
   * "" for any. */
  via = $state("");
  /** The maker (`anthropic`, `google`…); "" for any. */
  maker = $state("");
  sort = $state<SortKey>("name");

  selectedKey = $state<string | null>(null);
  detail = $state<ModelDetail | null>(null);
  detailLoading = $state(false);
  detailError = $state<AppError | null>(null);

  compared = $state<string[]>([]);
  sampleInput = $state(10_000);
  sampleOutput = $state(1_000);

  /** Computed once per catalogue, so a keystroke only filters. */
  readonly entries: Entry[] = $derived(this.models.map(entry));
  readonly byKey: ReadonlyMap<string, Entry> = $derived(byKey(this.entries));

  /** The catalogue in the chosen order; sorted only when the catalogue or the order changes. */
  readonly sorted: Entry[] = $derived.by(() => {
    const sort = this.sort;
    return [...this.entries].sort((a, b) => compareEntries(sort, a, b));
  });

  /** What the filters keep, in order: one pass over precomputed entries per keystroke. */
  readonly visible: BrowserModel[] = $derived.by(() => {
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    const features = this.features;
    const input = this.inputModality;
    const output = this.outputModality;
    const minContext = this.minContext;
    const freeOnly = this.freeOnly;
    const via = this.via;
    const maker = this.maker;
    const kept: BrowserModel[] = [];
    for (const e of this.sorted) {
      const m = e.model;
      if (
        words.every((w) => e.hay.includes(w)) &&
        (input === "" || m.inputModalities.includes(input)) &&
        (output === "" || m.outputModalities.includes(output)) &&
        (minContext === 0 || (m.contextLength ?? 0) >= minContext) &&
        features.every((f) => e.features.includes(f)) &&
        (!freeOnly || m.prices.free) &&
        (via === "" || m.provider === via) &&
        (maker === "" || e.maker === maker)
      ) {
        kept.push(m);
      }
    }
    return kept;
  });

  /** The choices the filters offer, from what the catalogue holds. */
  readonly inputModalities = $derived(distinct(this.models.flatMap((m) => m.inputModalities)));
  readonly outputModalities = $derived(distinct(this.models.flatMap((m) => m.outputModalities)));
  readonly vias = $derived(distinct(this.models.map((m) => m.provider)));
  /** The "via" filter's choices: each provider id with its name, by name. */
  readonly viaOptions: { id: string; name: string }[] = $derived(
    this.vias
      .map((id) => ({
        id,
        name: viaName(
          id,
          this.models.find((m) => m.provider === id),
        ),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
  readonly makers = $derived(distinct(this.entries.map((e) => e.maker)));

  readonly selected: BrowserModel | null = $derived(
    this.selectedKey === null ? null : (this.byKey.get(this.selectedKey)?.model ?? null),
  );
  readonly comparison: BrowserModel[] = $derived(
    this.compared.flatMap((k) => {
      const e = this.byKey.get(k);
      return e ? [e.model] : [];
    }),
  );

  constructor(
    private readonly api: ModelsApi = realApi,
    private readonly chat: ChatOpener = navigation,
  ) {}

  /** The backend the detail's price editor saves through. */
  get pricesApi(): PricesApi {
    return this.api;
  }

  /** Loads the catalogue (from the cache unless `refresh`). */
  async load(refresh = false): Promise<void> {
    this.loading = true;
    try {
      const catalogue = await this.api.modelsBrowse(refresh);
      this.models = catalogue.models;
      this.notice = catalogue.notice;
      this.fetchedMs = catalogue.fetchedMs;
      this.loadError = null;
    } catch (e) {
      this.loadError = AppError.from(e);
    } finally {
      this.loading = false;
    }
  }

  toggleFeature(cap: Feature): void {
    this.features = this.features.includes(cap)
      ? this.features.filter((c) => c !== cap)
      : [...this.features, cap];
  }

  clearFilters(): void {
    this.query = "";
    this.inputModality = "";
    this.outputModality = "";
    this.minContext = 0;
    this.features = [];
    this.freeOnly = false;
    this.via = "";
    this.maker = "";
  }

  /** Shows `model` in the detail panel and loads its endpoints. */
  async select(model: BrowserModel): Promise<void> {
    const key = modelKey(model);
    this.selectedKey = key;
    this.detail = null;
    this.detailError = null;
    this.detailLoading = true;
    try {
      const detail = await this.api.modelDetail(model.provider, model.id);
      if (this.selectedKey === key) this.detail = detail;
    } catch (e) {
      if (this.selectedKey === key) this.detailError = AppError.from(e);
    } finally {
      if (this.selectedKey === key) this.detailLoading = false;
    }
  }

  closeDetail(): void {
    this.selectedKey = null;
    this.detail = null;
    this.detailError = null;
    this.detailLoading = false;
  }

  isCompared(model: BrowserModel): boolean {
    return this.compared.includes(modelKey(model));
  }

  /** Adds `model` to the comparison or takes it out; false when the comparison is full. */
  toggleCompare(model: BrowserModel): boolean {
    const key = modelKey(model);
    if (this.compared.includes(key)) {
      this.compared = this.compared.filter((k) => k !== key);
      return true;
    }
    if (this.compared.length >= MAX_COMPARE) return false;
    this.compared = [...this.compared, key];
    return true;
  }

  clearComparison(): void {
    this.compared = [];
  }

  /**
   * The exact cost of one request of `sampleInput` input and `sampleOutput` output tokens at
   * list price (plus any per-request charge), as a decimal string; `null` when the price is
   * variable.
   */
  sampleCost(model: BrowserModel): string | null {
    const p = model.prices;
    if (p.variable) return null;
    return addExact([
      tokensCost(p.promptPerMillion, this.sampleInput),
      tokensCost(p.completionPerMillion, this.sampleOutput),
      p.perRequest ?? "0",
    ]);
  }

  /** Opens Chat with a new conversation on `models` (one column each). */
  chatWith(models: BrowserModel[]): void {
    if (models.length === 0) return;
    this.chat.openChat(models.map(column));
  }
}

/** How the "via" filter and the list name a provider: "OpenRouter", "OpenAI (direct)", or a
 * custom server's own name; never its id. */
export function viaName(provider: string, model?: Pick<BrowserModel, "providerName">): string {
  const name = providerLabel(provider, model?.providerName);
  return provider === "openai" || provider === "anthropic" ? `${name} (direct)` : name;
}

function column(m: BrowserModel): ColumnSpec {
  return {
    provider: m.provider,
    model: m.id,
    params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
  };
}

/** A lookup built once per catalogue and never changed (a new one replaces it). */
function byKey(entries: Entry[]): ReadonlyMap<string, Entry> {
  return new Map(entries.map((e) => [e.key, e]));
}

function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}
