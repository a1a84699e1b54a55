import { describe, expect, it } from "vitest";
import { RoutingState, type RoutingApi } from "./routing.svelte";

describe("the Routing screen's provider names", () => {
  it("names custom providers from Settings and never shows an id", () => {
    // Naming needs no backend call.
    const routing = new RoutingState({} as RoutingApi);
    const local = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";
    routing.providers = [
      { id: "openrouter", name: "OpenRouter" },
      { id: local, name: "Desk Ollama" },
    ];
    expect(routing.providerName(local)).toBe("Desk Ollama");
    expect(routing.providerName("custom:0192f0c4-7b1a-7cc2-9d5e-000000000009")).toBe(
      "a removed provider",
    );
    expect(routing.providerName("anthropic"), "built-ins by name before the list loads").toBe(
      "Anthropic",
    );
  });
});
