import { isCustomProvider } from "../shared/providerNames";
import type { ModelChoice } from "../ipc/client";

/** The model a new chat starts with when OpenRouter can be used. */
export const DEFAULT_MODEL = "openai/gpt-4o-mini";
/** The same model at OpenAI itself, for someone who connected only OpenAI. */
export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

/** A dated snapshot (`claude-3-haiku-20240307`, `gpt-4o-2024-08-06`) rather than the alias. */
const DATED = /-\d{8}$|-\d{4}-\d{2}-\d{2}$/;

/**
 * The model a new column starts with, for the providers the user has connected. OpenRouter's
 * catalogue is listed even without its key (it is public), so `keyed` (the providers with a
 * key; `null` when not known) decides whether OpenRouter can answer:
 * - OpenRouter has a key (or nothing says otherwise): GPT-4o mini through OpenRouter;
 * - else OpenAI: `gpt-4o-mini`, or the first model it lists;
 * - else Anthropic: a Claude Haiku, else a Sonnet (the undated alias, newest name first);
 * - else a local or custom server: the first model it serves;
 * - else the first model listed.
 */
export function pickDefaultModel(
  models: readonly ModelChoice[],
  keyed: readonly string[] | null,
): ModelChoice | undefined {
  const of = (provider: string) => models.filter((m) => m.provider === provider);
  const openRouter = () => models.find((m) => m.id === DEFAULT_MODEL) ?? of("openrouter")[0];
  if (keyed === null || keyed.includes("openrouter")) return openRouter() ?? models[0];
  const openai = of("openai");
  if (openai.length > 0) return openai.find((m) => m.id === DEFAULT_OPENAI_MODEL) ?? openai[0];
  const anthropic = of("anthropic");
  if (anthropic.length > 0)
    return claude(anthropic, "haiku") ?? claude(anthropic, "sonnet") ?? anthropic[0];
  const custom = models.find((m) => isCustomProvider(m.provider));
  return custom ?? openRouter() ?? models[0];
}

/** The newest-named undated Claude of a family, else any of it. */
function claude(models: readonly ModelChoice[], family: string): ModelChoice | undefined {
  const of = models.filter((m) => m.id.includes(family));
  const aliases = of.filter((m) => !DATED.test(m.id));
  const newest = (list: readonly ModelChoice[]) =>
    [...list].sort((a, b) => b.id.localeCompare(a.id, "en", { numeric: true }))[0];
  return newest(aliases) ?? newest(of);
}
