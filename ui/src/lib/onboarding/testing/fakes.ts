import type { ProviderView, ProvidersOverview } from "../../ipc/client";
import { provider } from "../../shared/testing";

/** The three built-in providers without keys, plus `more`. */
export function overview(more: ProviderView[] = [], available = true): ProvidersOverview {
  return {
    keychain: { available, backend: "Secret Service", detail: null },
    providers: [
      provider({}),
      provider({ id: "openai", kind: "open_ai", name: "OpenAI" }),
      provider({ id: "anthropic", kind: "anthropic", name: "Anthropic" }),
      ...more,
    ],
  };
}

/** `overview` with `id`'s key in effect from `source`. */
export function withKey(
  o: ProvidersOverview,
  id: string,
  source: "keychain" | "environment" = "keychain",
): ProvidersOverview {
  return {
    ...o,
    providers: o.providers.map((p) =>
      p.id === id ? { ...p, key: { ...p.key, source, masked: "••••abcd" } } : p,
    ),
  };
}

export const LOCAL = provider({
  id: "custom:11111111-2222-3333-4444-555555555555",
  kind: "custom",
  name: "Ollama",
  baseUrl: "http://127.0.0.1:11434/v1",
  defaultBaseUrl: null,
  baseUrlEnvVar: null,
  key: { source: "none", masked: null, envVar: null, envShadowed: false },
});
