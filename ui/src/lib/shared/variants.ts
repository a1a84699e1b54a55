/**
 * OpenRouter's model variants (`openai/gpt-4o:nitro`) and presets (`@preset/<slug>`), as the
 * model picker and the Routing screen offer them. The engine checks every id again before it
 * saves one (core `openrouter.rs`); this module only decides what to offer and how to name it.
 */
import type { ColumnSpec, ModelChoice } from "../ipc/client";

export const OPENROUTER = "openrouter";

/** The variants a person can pick for an OpenRouter model, in the order offered. */
export const VARIANTS = ["nitro", "floor", "exacto", "online", "free"] as const;
export type Variant = (typeof VARIANTS)[number];

/** What each variant does, in a few words (the select's option titles). */
export const VARIANT_HINTS: Record<Variant, string> = {
  nitro: "fastest providers first (priority tier, billed as served)",
  floor: "cheapest providers first (flex tier)",
  exacto: "providers with the most reliable tool calls first",
  online: "web search results added to the prompt",
  free: "the free listing, with free-model rate limits",
};

/** Variants that only change which provider serves the same model, at its list price. */
const ROUTING_ONLY: readonly Variant[] = ["nitro", "floor", "exacto", "online"];

export const PRESET_PREFIX = "@preset/";
const SLUG = /^[A-Za-z0-9._-]+$/;

/** An OpenRouter model id taken apart. An id with a suffix that is no variant (a listing of
 * its own such as `…:thinking`, or a typo the engine will refuse) is its own base. */
export interface ModelId {
  base: string;
  variant: Variant | null;
  /** The preset's slug, for `@preset/<slug>`. */
  preset: string | null;
}

function isVariant(text: string): text is Variant {
  return (VARIANTS as readonly string[]).includes(text);
}

export function parseModelId(id: string): ModelId {
  if (id.startsWith(PRESET_PREFIX)) {
    return { base: id, variant: null, preset: id.slice(PRESET_PREFIX.length) };
  }
  const colon = id.lastIndexOf(":");
  const suffix = colon < 0 ? "" : id.slice(colon + 1);
  if (colon > 0 && isVariant(suffix)) {
    return { base: id.slice(0, colon), variant: suffix, preset: null };
  }
  return { base: id, variant: null, preset: null };
}

export function withVariant(base: string, variant: Variant | null): string {
  return variant ? `${base}:${variant}` : base;
}

/** `@preset/<slug>` for what a person typed (the slug, or the whole id pasted); `null` when
 * it is not a slug OpenRouter could have made. */
export function presetId(typed: string): string | null {
  const text = typed.trim();
  const slug = text.startsWith(PRESET_PREFIX) ? text.slice(PRESET_PREFIX.length) : text;
  return SLUG.test(slug) ? `${PRESET_PREFIX}${slug}` : null;
}

/** An OpenRouter model the catalogue does not list (yet): nothing known of it but its id. */
export function standIn(id: string, name: string): ModelChoice {
  return {
    provider: OPENROUTER,
    providerName: "OpenRouter",
    id,
    name,
    contextLength: null,
    promptPerMillion: null,
    completionPerMillion: null,
    inputModalities: ["text"],
    supportsReasoning: false,
  };
}

/** A preset as the picker lists it: OpenRouter's, priced by each answer's usage. */
export function presetChoice(id: string): ModelChoice {
  return standIn(id, `Preset ${parseModelId(id).preset ?? id}`);
}

/**
 * The listed model a column's spec stands for: its own entry, else, for an OpenRouter routing
 * variant, its base model's (same prices, same context window), else for a preset a
 * stand-in named after it.
 */
export function findChoice(
  models: readonly ModelChoice[],
  spec: Pick<ColumnSpec, "provider" | "model">,
): ModelChoice | undefined {
  const find = (id: string) => models.find((m) => m.provider === spec.provider && m.id === id);
  const own = find(spec.model);
  if (own || spec.provider !== OPENROUTER) return own;
  const parsed = parseModelId(spec.model);
  if (parsed.preset !== null) return presetChoice(spec.model);
  if (parsed.variant && ROUTING_ONLY.includes(parsed.variant)) return find(parsed.base);
  return undefined;
}

/**
 * The variants to offer for an OpenRouter model (`null`: none, the model as listed): nothing
 * for a preset or a listing of its own (`…:thinking`); the plain model and its routing
 * variants when the base model is listed (or nothing is listed yet); `free` only when
 * OpenRouter lists a free variant of it. The current one is always offered, so a select never
 * loses its value.
 */
export function offeredVariants(models: readonly ModelChoice[], model: string): (Variant | null)[] {
  const { base, variant, preset } = parseModelId(model);
  if (preset !== null || base.includes(":")) return [];
  const listed = (id: string) => models.some((m) => m.provider === OPENROUTER && m.id === id);
  const known = models.length === 0 || listed(base);
  const offered: (Variant | null)[] = known || variant === null ? [null] : [];
  for (const v of VARIANTS) {
    if (v === variant || (v === "free" ? listed(`${base}:free`) : known)) offered.push(v);
  }
  return offered;
}
