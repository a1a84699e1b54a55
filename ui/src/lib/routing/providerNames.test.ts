import { describe, expect, it } from "vitest";
import { RoutingModel, type RoutingApi } from "./routing.svelte";

describe("the Routing screen's provider names", () => {
  it("names custom providers from Settings and never shows an id", () => {
    // Naming needs no backend call.
    const model = new RoutingModel({} as RoutingApi);
    const local = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";
    model.providers = [
      { id: "openrouter", name: "OpenRouter" },
      { id: local, name: "Desk Ollama" },
    ];
    expect(model.providerName(local)).toBe("Desk Ollama");
    expect(model.providerName("custom:0192f0c4-7b1a-7cc2-9d5e-000000000009")).toBe(
      "a removed provider",
    );
    expect(model.providerName("anthropic"), "built-ins by name before the list loads").toBe(
      "Anthropic",
    );
  });
});
