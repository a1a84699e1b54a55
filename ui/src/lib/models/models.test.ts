import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import ModelsView from "./ModelsView.svelte";
import type { BrowserModel } from "../ipc/client";
import { perMillion, tokens } from "./format";
import { ModelsModel } from "./models.svelte";
import { addExact, sortUnits, tokensCost } from "./price";
import {
  FakeOpener,
  FREE,
  VARIABLE,
  browserModel,
  fakeApi,
  manyModels,
  prices,
  sampleCatalogue,
} from "./testing";
import { FakeResizeObserver, installScrollShim } from "../shared/testing";

async function loaded(models = sampleCatalogue()) {
  const api = fakeApi(models);
  const opener = new FakeOpener();
  const model = new ModelsModel(api, opener);
  await model.load();
  return { api, opener, model };
}

const ids = (model: ModelsModel) => model.visible.map((m) => m.id);

function pick(model: ModelsModel, id: string): BrowserModel {
  const found = model.models.find((m) => m.id === id);
  if (!found) throw new Error(`${id} is not in the catalogue`);
  return found;
}

function units(amount: string): bigint {
  const u = sortUnits(amount);
  if (u === null) throw new Error(`${amount} is not a price`);
  return u;
}

describe("exact prices", () => {
  it("multiplies per-million prices by token counts without floats", () => {
    expect(tokensCost("3", 10_000)).toBe("0.03");
    expect(tokensCost("0.15", 1_234_567)).toBe("0.18518505");
    // 0.1 + 0.2 in floats is 0.30000000000000004.
    expect(addExact([tokensCost("0.1", 1_000_000), tokensCost("0.2", 1_000_000)])).toBe("0.3");
    expect(tokensCost("0", 5_000)).toBe("0");
    expect(tokensCost(null, 5), "unknown stays unknown").toBeNull();
    expect(tokensCost("1", 1.5), "tokens are whole").toBeNull();
    expect(addExact(["1", null]), "one unknown makes the sum unknown").toBeNull();
  });

  it("sorts by exact units and refuses what is not a price", () => {
    expect(units("0.000000000002") > units("0.000000000001")).toBe(true);
    expect(units("10") > units("9.999999999999")).toBe(true);
    expect(sortUnits(null)).toBeNull();
    expect(sortUnits("-1"), "variable is never a number").toBeNull();
  });
});

describe("display", () => {
  it("shows token counts short and prices as free, variable or dollars per million", () => {
    expect([200_000, 128_000, 32_768, 1_048_576, 2_000_000, 512, null].map(tokens)).toEqual([
      "200K",
      "128K",
      "32.8K",
      "1M",
      "2M",
      "512",
      "—",
    ]);
    expect(perMillion(VARIABLE, "prompt")).toBe("variable");
    expect(perMillion(FREE, "completion")).toBe("free");
    expect(perMillion(prices({ promptPerMillion: "0.075" }), "prompt")).toBe("$0.075");
  });
});

describe("ModelsModel", () => {
  it("loads the catalogue and its notice", async () => {
    const api = fakeApi(sampleCatalogue(), "showing the cached catalogue: offline");
    const model = new ModelsModel(api, new FakeOpener());
    await model.load();
    expect(model.models).toHaveLength(6);
    expect(model.notice).toContain("cached");
    await model.load(true);
    expect(api.browseCalls).toEqual([false, true]);
  });

  it("searches names and ids by every word, case-insensitively", async () => {
    const { model } = await loaded();
    model.query = "CLAUDE";
    expect(ids(model)).toEqual(["anthropic/claude-sonnet-4"]);
    model.query = "openai mini";
    expect(ids(model)).toEqual(["openai/gpt-4o-mini"]);
    model.query = "openai";
    expect(ids(model).sort(), "the direct provider matches too").toEqual([
      "gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    model.query = "nothing-like-this";
    expect(ids(model)).toEqual([]);
  });

  it("filters on modality, context, features, free, provider and maker", async () => {
    const { model } = await loaded();
    model.inputModality = "file";
    expect(ids(model)).toEqual(["anthropic/claude-sonnet-4"]);
    model.clearFilters();

    model.outputModality = "image";
    expect(ids(model)).toEqual(["google/gemini-2.5-flash-image"]);
    model.clearFilters();

    model.minContext = 200_000;
    expect(ids(model).sort()).toEqual(["anthropic/claude-sonnet-4", "openrouter/auto"]);
    model.clearFilters();

    model.toggleFeature("tools");
    expect(ids(model)).toHaveLength(3);
    model.toggleFeature("reasoning");
    expect(ids(model), "features combine").toEqual(["anthropic/claude-sonnet-4"]);
    model.toggleFeature("reasoning");
    model.toggleFeature("tools");
    model.toggleFeature("structured");
    expect(ids(model).sort(), "response_format counts as structured output").toEqual([
      "gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    model.clearFilters();

    model.freeOnly = true;
    expect(ids(model), "variable is not free").toEqual(["meta-llama/llama-3.3-70b-instruct:free"]);
    model.clearFilters();

    model.via = "openai";
    expect(ids(model)).toEqual(["gpt-4o"]);
    model.via = "";
    model.maker = "openai";
    expect(ids(model).sort(), "the maker is the direct provider or the id's author").toEqual([
      "gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    expect(model.makers).toContain("meta-llama");
    expect(model.vias).toEqual(["openai", "openrouter"]);
  });

  it("sorts by price exactly with variable prices last, never as zero", async () => {
    const { model } = await loaded();
    model.sort = "input";
    expect(ids(model)).toEqual([
      "meta-llama/llama-3.3-70b-instruct:free",
      "openai/gpt-4o-mini",
      "google/gemini-2.5-flash-image",
      "gpt-4o",
      "anthropic/claude-sonnet-4",
      "openrouter/auto",
    ]);
    model.sort = "output";
    expect(ids(model).at(-1)).toBe("openrouter/auto");
    expect(ids(model)[0]).toBe("meta-llama/llama-3.3-70b-instruct:free");
  });

  it("sorts by context and by newest with unknowns last", async () => {
    const { model } = await loaded();
    model.sort = "context";
    expect(ids(model)[0]).toBe("openrouter/auto");
    expect(ids(model).at(-1)).toBe("google/gemini-2.5-flash-image");
    model.sort = "newest";
    expect(ids(model)[0]).toBe("google/gemini-2.5-flash-image");
    expect(ids(model).at(-1), "no date sorts last").toBe("gpt-4o");
  });

  it("filters a 450-model catalogue as the query is typed", async () => {
    // How fast is measured by `npm run bench -w ui` (models.bench.ts), not asserted here.
    const { model } = await loaded([...sampleCatalogue(), ...manyModels(450)]);
    for (const q of ["m", "ma", "mak", "make", "maker", "maker1", "maker12", "maker12 model-4"]) {
      model.query = q;
      void model.visible.length;
    }
    model.sort = "input";
    expect(model.visible.length).toBeGreaterThan(0);
    expect(model.visible.every((m) => m.id.startsWith("maker12/"))).toBe(true);
  });

  it("compares two to four models and costs a sample request exactly", async () => {
    const { model, opener } = await loaded();
    const [sonnet, mini, auto, free, flash, gpt4o] = [
      "anthropic/claude-sonnet-4",
      "openai/gpt-4o-mini",
      "openrouter/auto",
      "meta-llama/llama-3.3-70b-instruct:free",
      "google/gemini-2.5-flash-image",
      "gpt-4o",
    ].map((id) => pick(model, id)) as [
      BrowserModel,
      BrowserModel,
      BrowserModel,
      BrowserModel,
      BrowserModel,
      BrowserModel,
    ];
    for (const m of [sonnet, mini, auto, free]) expect(model.toggleCompare(m)).toBe(true);
    expect(model.toggleCompare(flash), "a fifth is refused").toBe(false);
    expect(model.comparison.map((m) => m.id)).toHaveLength(4);

    model.sampleInput = 10_000;
    model.sampleOutput = 1_000;
    expect(model.sampleCost(sonnet)).toBe("0.045");
    expect(model.sampleCost(mini)).toBe("0.0021");
    expect(model.sampleCost(auto), "variable has no cost").toBeNull();
    expect(model.sampleCost(free)).toBe("0");
    model.sampleInput = 1_234_567;
    model.sampleOutput = 7;
    expect(model.sampleCost(mini)).toBe("0.18518925");

    const perRequest = browserModel("x/y", {
      prices: prices({ promptPerMillion: "1", completionPerMillion: "1", perRequest: "0.005" }),
    });
    model.sampleInput = 1_000;
    model.sampleOutput = 0;
    expect(model.sampleCost(perRequest), "the request charge is added").toBe("0.006");

    expect(model.toggleCompare(auto), "taking one out").toBe(true);
    expect(model.toggleCompare(gpt4o)).toBe(true);
    model.chatWith(model.comparison);
    expect(
      opener.opened[0]?.map((c) => `${c.provider}:${c.model}`),
      "one column each",
    ).toEqual([
      "openrouter:anthropic/claude-sonnet-4",
      "openrouter:openai/gpt-4o-mini",
      "openrouter:meta-llama/llama-3.3-70b-instruct:free",
      "openai:gpt-4o",
    ]);
  });

  it("loads the detail of the latest selection only", async () => {
    const { model, api } = await loaded();
    const first = model.select(pick(model, "anthropic/claude-sonnet-4"));
    const second = model.select(pick(model, "openai/gpt-4o-mini"));
    await Promise.all([first, second]);
    expect(model.selected?.id).toBe("openai/gpt-4o-mini");
    expect(model.detail?.model.id, "the earlier answer is dropped").toBe("openai/gpt-4o-mini");
    expect(api.detailCalls).toEqual([
      "openrouter:anthropic/claude-sonnet-4",
      "openrouter:openai/gpt-4o-mini",
    ]);
    model.closeDetail();
    expect(model.selected).toBeNull();
  });

  it("opens a chat column with default parameters", async () => {
    const { model, opener } = await loaded();
    model.chatWith([pick(model, "gpt-4o")]);
    expect(opener.opened).toEqual([
      [
        {
          provider: "openai",
          model: "gpt-4o",
          params: { temperature: null, maxTokens: null, reasoningEffort: null, system: null },
        },
      ],
    ]);
  });
});

// jsdom has no layout, so virtua keeps rows `visibility: hidden` (unmeasured) and role queries
// cannot name what is in them; rows are found by title and label instead.
describe("ModelsView", () => {
  let removeScrollShim = () => {};
  beforeEach(() => {
    vi.stubGlobal("ResizeObserver", FakeResizeObserver);
    // The arrow keys scroll the list to the row they move to.
    removeScrollShim = installScrollShim();
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    removeScrollShim();
  });

  it("virtualizes a large catalogue and filters as the user types", async () => {
    const all = [...sampleCatalogue(), ...manyModels(450)];
    const model = new ModelsModel(fakeApi(all), new FakeOpener());
    render(ModelsView, { model });
    await waitFor(() => expect(screen.getByTestId("model-count")).toHaveTextContent("456 of 456"));
    await waitFor(() => expect(screen.getAllByTestId("model-row").length).toBeGreaterThan(0));
    expect(screen.getAllByTestId("model-row").length, "far fewer rows than models").toBeLessThan(
      100,
    );

    await fireEvent.input(screen.getByRole("searchbox", { name: "Search models" }), {
      target: { value: "auto router" },
    });
    await waitFor(() => expect(screen.getByTestId("model-count")).toHaveTextContent("1 of 456"));
    const row = screen.getByTestId("model-row");
    expect(row).toHaveTextContent("variable");
    expect(row).not.toHaveTextContent("$0");
  });

  it("is one Tab stop: the arrows move between rows, keeping the column", async () => {
    const model = new ModelsModel(fakeApi(sampleCatalogue()), new FakeOpener());
    render(ModelsView, { model });
    await waitFor(() => expect(screen.getAllByTestId("model-row")).toHaveLength(6));
    const rows = () => screen.getAllByTestId("model-row");
    const stops = () =>
      rows().flatMap((r) => [...r.querySelectorAll<HTMLElement>("button.name, input")]);
    expect(
      stops().filter((e) => e.tabIndex === 0).length,
      "only the first row's name and box",
    ).toBe(2);
    const firstName = rows()[0]?.querySelector<HTMLElement>("button.name");
    firstName?.focus();
    await fireEvent.keyDown(firstName as HTMLElement, { key: "ArrowDown" });
    await waitFor(() =>
      expect(document.activeElement).toBe(rows()[1]?.querySelector("button.name")),
    );
    expect(rows()[1]?.querySelector<HTMLElement>("button.name")?.tabIndex).toBe(0);
    expect(firstName?.tabIndex, "the stop moved with the focus").toBe(-1);
    const lastBox = rows()[5]?.querySelector("input")?.getAttribute("aria-label");
    const box = rows()[1]?.querySelector<HTMLElement>("input");
    box?.focus();
    await fireEvent.keyDown(box as HTMLElement, { key: "End" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe(lastBox));
  });

  it("shows free and variable prices, the detail with endpoints, and hands off to chat", async () => {
    const opener = new FakeOpener();
    const model = new ModelsModel(fakeApi(sampleCatalogue()), opener);
    render(ModelsView, { model });
    await waitFor(() => expect(screen.getAllByTestId("model-row")).toHaveLength(6));
    const freeRow = screen
      .getAllByTestId("model-row")
      .find((r) => r.textContent?.includes("llama-3.3"));
    expect(freeRow).toHaveTextContent("free");

    await fireEvent.click(screen.getByTitle("anthropic/claude-sonnet-4"));
    const detail = await screen.findByTestId("model-detail");
    const endpoints = await within(detail).findByTestId("endpoints");
    expect(endpoints).toHaveTextContent("Google Vertex");
    expect(endpoints).toHaveTextContent("99.7%");
    expect(endpoints).toHaveTextContent("fp8");
    expect(endpoints).toHaveTextContent("degraded (-2)");
    expect(endpoints).toHaveTextContent("variable");
    expect(detail).toHaveTextContent("$3.00 per M");

    await fireEvent.click(within(detail).getByRole("button", { name: "Chat with this" }));
    expect(opener.opened[0]?.map((c) => c.model)).toEqual(["anthropic/claude-sonnet-4"]);
  });

  it("compares selected models in a tray with exact sample costs", async () => {
    const model = new ModelsModel(fakeApi(sampleCatalogue()), new FakeOpener());
    render(ModelsView, { model });
    await waitFor(() => expect(screen.getAllByTestId("model-row")).toHaveLength(6));
    await fireEvent.click(screen.getByLabelText("Compare Anthropic: Claude Sonnet 4"));
    await fireEvent.click(screen.getByLabelText("Compare Auto Router"));
    const tray = await screen.findByTestId("compare-tray");
    const costs = within(tray).getAllByTestId("sample-cost");
    // 10,000 in × $3/M + 1,000 out × $15/M.
    expect(costs.map((c) => c.textContent?.trim())).toEqual(["$0.045", "variable"]);
    expect(costs[0]).toHaveAttribute("title", "0.045");

    await fireEvent.input(within(tray).getByRole("spinbutton", { name: "Sample input tokens" }), {
      target: { value: "1000000" },
    });
    await waitFor(() => expect(costs[0]?.textContent?.trim()).toBe("$3.015"));
  });
});
