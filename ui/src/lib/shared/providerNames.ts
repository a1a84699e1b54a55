/** How screens name a provider: by the name people gave or know, never its internal id. */

const BUILTIN: Readonly<Record<string, string>> = {
  openrouter: "OpenRouter",
  openai: "OpenAI",
  anthropic: "Anthropic",
};

/** Whether `id` is a custom provider's (`custom:<uuid>`), which means nothing to a person. */
export function isCustomProvider(id: string): boolean {
  return id.startsWith("custom:");
}

/**
 * The name to show for provider `id`: `known` (from a model list or the providers overview)
 * when there is one, else a built-in's name, else "a removed provider" for a custom id nothing
 * names any more.
 */
export function providerLabel(id: string, known?: string | null): string {
  if (known) return known;
  return BUILTIN[id] ?? (isCustomProvider(id) ? "a removed provider" : id);
}
