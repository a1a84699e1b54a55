import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BrowserModel } from "../ipc/client";
import { FakeResizeObserver } from "../shared/testing";
import { ModelsState } from "./models.svelte";
import ModelsView from "./ModelsView.svelte";
import { PriceDraftState, parsePrice } from "../shared/prices.svelte";
import { providerLabel } from "../shared/providerNames";
import { FakeOpener, browserModel, fakeApi, fakePrices, prices, sampleCatalogue } from "./testing";

const LOCAL = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";

/** A custom server's model as the backend lists it: named, unpriced until the user prices it. */
function served(id: string, over: Partial<BrowserModel> = {}): BrowserModel {
  return browserModel(id, {
    provider: LOCAL,
    providerName: "Desk Ollama",
    created: null,
    maxOutput: null,
    tokenizer: null,
    prices: prices({ promptPerMillion: null, completionPerMillion: null }),
    ...over,
  });
}

const catalogue = () => [...sampleCatalogue(), served("llama3.2:3b"), served("qwen2.5:7b")];

describe("custom providers on the Models screen", () => {
  it("filters via a custom provider by its name and never lists its id as a maker", async () => {
    const catalog = new ModelsState(fakeApi(catalogue()), new FakeOpener());
    await catalog.load();
    expect(catalog.viaOptions).toEqual([
      { id: LOCAL, name: "Desk Ollama" },
      { id: "openai", name: "OpenAI (direct)" },
      { id: "openrouter", name: "OpenRouter" },
    ]);
    catalog.via = LOCAL;
    expect(catalog.visible.map((m) => m.id).sort()).toEqual(["llama3.2:3b", "qwen2.5:7b"]);
    catalog.via = "";
    expect(catalog.makers).toContain("Desk Ollama");
    expect(catalog.makers).not.toContain(LOCAL);
    catalog.query = "desk ollama";
    expect(catalog.visible).toHaveLength(2);
  });

  describe("ModelsView", () => {
    beforeEach(() => vi.stubGlobal("ResizeObserver", FakeResizeObserver));
    afterEach(() => vi.unstubAllGlobals());

    it("shows the provider's name and an unset price, and prices a model from its detail", async () => {
      const api = fakeApi(catalogue());
      const catalog = new ModelsState(api, new FakeOpener());
      render(ModelsView, { catalog });
      await waitFor(() => expect(screen.getAllByTestId("model-row")).toHaveLength(8));
      const via = screen.getByRole("combobox", { name: "Served by" });
      expect(within(via).getByRole("option", { name: "via Desk Ollama" })).toHaveValue(LOCAL);
      const row = screen
        .getAllByTestId("model-row")
        .find((r) => r.textContent?.includes("llama3.2:3b"));
      expect(row).toHaveTextContent("Desk Ollama");
      expect(row, "unknown, never $0 or variable").toHaveTextContent("not set");
      expect(document.body.textContent).not.toContain("custom:");

      await fireEvent.click(screen.getByTitle("llama3.2:3b"));
      const detail = await screen.findByTestId("model-detail");
      expect(within(detail).getByTestId("model-detail-via")).toHaveTextContent("via Desk Ollama");
      const editor = await within(detail).findByTestId("price-editor");
      expect(editor).toHaveTextContent("No price");
      const browsed = api.browseCalls.length;
      await fireEvent.input(within(editor).getByLabelText(/Input price of llama3.2:3b/), {
        target: { value: "0.15" },
      });
      await fireEvent.input(within(editor).getByLabelText(/Output price of llama3.2:3b/), {
        target: { value: "$0.6" },
      });
      await fireEvent.click(within(editor).getByRole("button", { name: "Set price" }));
      await waitFor(() => expect(api.prices).toHaveLength(1));
      expect(api.prices[0]).toMatchObject({
        provider: LOCAL,
        model: "llama3.2:3b",
        promptPerMillion: "0.15",
        completionPerMillion: "0.6",
      });
      await waitFor(() =>
        expect(within(editor).getByTestId("price-summary")).toHaveTextContent("$0.15 in"),
      );
      expect(api.browseCalls.length, "the list reloads with the new price").toBe(browsed + 1);
    });
  });
});

describe("PriceDraft", () => {
  it("refuses what is not a price before sending and prices a whole server at $0", async () => {
    expect(parsePrice(" $1.5 ")).toBe("1.5");
    expect(parsePrice("0.0000001"), "finer than the backend keeps").toBeNull();
    expect(parsePrice("-1")).toBeNull();
    const api = fakePrices();
    const set = vi.spyOn(api, "modelPriceSet");
    const draft = new PriceDraftState(LOCAL, null, api);
    await draft.load();
    expect(draft.summary).toMatch(/No price/);
    draft.input = "abc";
    draft.output = "1";
    await draft.save();
    expect(draft.error).toMatch(/input price in dollars per million tokens/);
    expect(set).not.toHaveBeenCalled();

    await draft.free();
    expect(set).toHaveBeenCalledWith(LOCAL, null, "0", "0");
    expect(draft.summary).toBe("Default: $0.00 in · $0.00 out per million tokens.");

    const one = new PriceDraftState(LOCAL, "llama3.2:3b", api);
    await one.load();
    expect(one.current).toBeNull();
    expect(one.summary, "the server's default applies").toMatch(/default applies: \$0.00 in/);
    await draft.remove();
    expect(api.prices).toEqual([]);
  });

  it("names providers, never their ids", () => {
    expect(providerLabel(LOCAL, "Desk Ollama")).toBe("Desk Ollama");
    expect(providerLabel(LOCAL)).toBe("a removed provider");
    expect(providerLabel("openai")).toBe("OpenAI");
  });
});
