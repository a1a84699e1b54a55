import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { ProviderView, ServedModels } from "../ipc/client";
import { fakePrices } from "../shared/testing";
import CustomModels from "./CustomModels.svelte";
import type { ServedModelsApi } from "../shared/servedModels.svelte";

const LOCAL = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";

const desk: ProviderView = {
  id: LOCAL,
  kind: "custom",
  name: "Desk Ollama",
  baseUrl: "http://127.0.0.1:11434/v1",
  baseUrlSource: "settings",
  defaultBaseUrl: null,
  baseUrlEnvVar: null,
  key: { source: "none", masked: null, envVar: null, envShadowed: false, disabled: null },
  notice: null,
  extraKeys: [],
};

function listed(over: Partial<ServedModels> = {}): ServedModels {
  return {
    provider: LOCAL,
    providerName: "Desk Ollama",
    models: ["llama3.2:3b"],
    fetchedMs: 1_747_000_000_000,
    fromCache: true,
    notice: null,
    ...over,
  };
}

describe("a custom provider's models in Settings", () => {
  it("lists them, says why a refresh failed, and prices the whole server at $0", async () => {
    const prices = fakePrices();
    const servedModels = vi.fn<ServedModelsApi["servedModels"]>(async (_p, refresh) =>
      refresh
        ? listed({ notice: "Desk Ollama's models could not be refreshed (connection refused)." })
        : listed(),
    );
    const set = vi.spyOn(prices, "modelPriceSet");
    render(CustomModels, { provider: desk, api: { ...prices, servedModels } });
    await waitFor(() =>
      expect(screen.getByTestId("custom-models-summary")).toHaveTextContent("1 model, listed"),
    );
    expect(servedModels).toHaveBeenCalledWith(LOCAL, false);
    expect(screen.getByText("llama3.2:3b")).toBeDefined();

    await fireEvent.click(screen.getByTestId("custom-models-refresh"));
    expect(await screen.findByRole("status")).toHaveTextContent("could not be refreshed");
    expect(screen.getByText("llama3.2:3b"), "the cached list stays").toBeDefined();

    await fireEvent.click(screen.getByRole("button", { name: "Free ($0)" }));
    await waitFor(() => expect(set).toHaveBeenCalledWith(LOCAL, null, "0", "0"));
    await waitFor(() =>
      expect(screen.getByTestId("price-summary")).toHaveTextContent("Default: $0.00 in"),
    );
    expect(document.body.textContent).not.toContain("custom:");
  });
});
