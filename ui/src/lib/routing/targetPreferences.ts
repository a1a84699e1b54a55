/**
 * The part of a route target's OpenRouter `provider` object the Routing screen edits: the
 * provider order (`sort`) and the price ceiling (`max_price`, USD per million tokens, kept as
 * the decimal text typed so it reaches OpenRouter exactly). Every other key (`order`, `only`,
 * `zdr`…) is passed through untouched, as the file or the person wrote it.
 */
import type { Value } from "../ipc/client";

export const TARGET_SORTS = ["price", "throughput", "latency"] as const;

/** The edited fields as shown: empty text for unset. */
export interface TargetPreferences {
  /** `price`, `throughput`, `latency`, empty, or `custom` for a `{by, partition}` form. */
  sort: string;
  maxPrompt: string;
  maxCompletion: string;
}

type JsonObject = Record<string, Value>;

function object(value: Value | null | undefined): JsonObject | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
}

function amount(value: Value | undefined): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

export function readPreferences(value: Value | null): TargetPreferences {
  const prefs = object(value) ?? {};
  const sort = prefs.sort;
  const max = object(prefs.max_price) ?? {};
  return {
    sort: typeof sort === "string" ? sort : sort === undefined || sort === null ? "" : "custom",
    maxPrompt: amount(max.prompt),
    maxCompletion: amount(max.completion),
  };
}

/** `value` with the edited fields replaced; `null` when nothing at all is left. */
export function writePreferences(value: Value | null, edit: TargetPreferences): Value | null {
  const prefs: JsonObject = { ...(object(value) ?? {}) };
  if (edit.sort === "") delete prefs.sort;
  else if (edit.sort !== "custom") prefs.sort = edit.sort;
  // Other ceilings OpenRouter knows (`request`, `image`…) stay as written.
  const max: JsonObject = Object.fromEntries(
    Object.entries(object(prefs.max_price) ?? {}).filter(
      ([key]) => key !== "prompt" && key !== "completion",
    ),
  );
  if (edit.maxPrompt.trim() !== "") max.prompt = edit.maxPrompt.trim();
  if (edit.maxCompletion.trim() !== "") max.completion = edit.maxCompletion.trim();
  if (Object.keys(max).length > 0) prefs.max_price = max;
  else delete prefs.max_price;
  return Object.keys(prefs).length > 0 ? prefs : null;
}

/** The keys of the object this screen does not edit (`order`, `zdr`…), shown as a hint. */
export function otherKeys(value: Value | null): string[] {
  return Object.keys(object(value) ?? {}).filter((k) => k !== "sort" && k !== "max_price");
}

/** Whether a typed price is a dollar amount OpenRouter takes (empty: no limit). */
export function priceOk(text: string): boolean {
  return text.trim() === "" || /^\d+(\.\d+)?$/.test(text.trim());
}
