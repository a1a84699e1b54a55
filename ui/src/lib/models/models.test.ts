import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import ModelsView from "./ModelsView.svelte";
import type { BrowserModel } from "../ipc/client";
import { perMillion, tokens } from "./format";
import { ModelsState } from "./models.svelte";
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
  const catalog = new ModelsState(api, opener);
  await catalog.load();
  return { api, opener, catalog };
}

const ids = (catalog: ModelsState) => catalog.visible.map((m) => m.id);

function pick(catalog: ModelsState, id: string): BrowserModel {
  const found = catalog.models.find((m) => m.id === id);
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

describe("ModelsState", () => {
  it("loads the catalogue and its notice", async () => {
    const api = fakeApi(sampleCatalogue(), "showing the cached catalogue: offline");
    const catalog = new ModelsState(api, new FakeOpener());
    await catalog.load();
    expect(catalog.models).toHaveLength(6);
    expect(catalog.notice).toContain("cached");
    await catalog.load(true);
    expect(api.browseCalls).toEqual([false, true]);
  });

  it("searches names and ids by every word, case-insensitively", async () => {
    const { catalog } = await loaded();
    catalog.query = "CLAUDE";
    expect(ids(catalog)).toEqual(["anthropic/claude-sonnet-4"]);
    catalog.query = "openai mini";
    expect(ids(catalog)).toEqual(["openai/gpt-4o-mini"]);
    catalog.query = "openai";
    expect(ids(catalog).sort(), "the direct provider matches too").toEqual([
      "gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    catalog.query = "nothing-like-this";
    expect(ids(catalog)).toEqual([]);
  });

  it("filters on modality, context, features, free, provider and maker", async () => {
    const { catalog } = await loaded();
    catalog.inputModality = "file";
    expect(ids(catalog)).toEqual(["anthropic/claude-sonnet-4"]);
    catalog.clearFilters();

    catalog.outputModality = "image";
    expect(ids(catalog)).toEqual(["google/gemini-2.5-flash-image"]);
    catalog.clearFilters();

    catalog.minContext = 200_000;
    expect(ids(catalog).sort()).toEqual(["anthropic/claude-sonnet-4", "openrouter/auto"]);
    catalog.clearFilters();

    catalog.toggleFeature("tools");
    expect(ids(catalog)).toHaveLength(3);
    catalog.toggleFeature("reasoning");
    expect(ids(catalog), "features combine").toEqual(["anthropic/claude-sonnet-4"]);
    catalog.toggleFeature("reasoning");
    catalog.toggleFeature("tools");
    catalog.toggleFeature("structured");
    expect(ids(catalog).sort(), "response_format counts as structured output").toEqual([
      "gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    catalog.clearFilters();

    catalog.freeOnly = true;
    expect(ids(catalog), "variable is not free").toEqual([
      "meta-llama/llama-3.3-70b-instruct:free",
    ]);
    catalog.clearFilters();

    catalog.via = "openai";
    expect(ids(catalog)).toEqual(["gpt-4o"]);
    catalog.via = "";
    catalog.maker = "openai";
    expect(ids(catalog).sort(), "the maker is the direct provider or the id's author").toEqual([
      "gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    expect(catalog.makers).toContain("meta-llama");
    expect(catalog.vias).toEqual(["openai", "openrouter"]);
  });

  it("sorts by price exactly with variable prices last, never as zero", async () => {
    const { catalog } = await loaded();
    catalog.sort = "input";
    expect(ids(catalog)).toEqual([
      "meta-llama/llama-3.3-70b-instruct:free",
      "openai/gpt-4o-mini",
      "google/gemini-2.5-flash-image",
      "gpt-4o",
      "anthropic/claude-sonnet-4",
      "openrouter/auto",
    ]);
    catalog.sort = "output";
    expect(ids(catalog).at(-1)).toBe("openrouter/auto");
    expect(ids(catalog)[0]).toBe("meta-llama/llama-3.3-70b-instruct:free");
  });

  it("sorts by context and by newest with unknowns last", async () => {
    const { catalog } = await loaded();
    catalog.sort = "context";
    expect(ids(catalog)[0]).toBe("openrouter/auto");
    expect(ids(catalog).at(-1)).toBe("google/gemini-2.5-flash-image");
    catalog.sort = "newest";
    expect(ids(catalog)[0]).toBe("google/gemini-2.5-flash-image");
    expect(ids(catalog).at(-1), "no date sorts last").toBe("gpt-4o");
  });

  it("filters a 450-model catalogue as the query is typed", async () => {
    // How fast is measured by `npm run bench -w ui` (models.bench.ts), not asserted here.
    const { catalog } = await loaded([...sampleCatalogue(), ...manyModels(450)]);
    for (const q of ["m", "ma", "mak", "make", "maker", "maker1", "maker12", "maker12 model-4"]) {
      catalog.query = q;
      void catalog.visible.length;
    }
    catalog.sort = "input";
    expect(catalog.visible.length).toBeGreaterThan(0);
    expect(catalog.visible.every((m) => m.id.startsWith("maker12/"))).toBe(true);
  });

  it("compares two to four models and costs a sample request exactly", async () => {
    const { catalog, opener } = await loaded();
    const [sonnet, mini, auto, free, flash, gpt4o] = [
      "anthropic/claude-sonnet-4",
      "openai/gpt-4o-mini",
      "openrouter/auto",
      "meta-llama/llama-3.3-70b-instruct:free",
      "google/gemini-2.5-flash-image",
      "gpt-4o",
    ].map((id) => pick(catalog, id)) as [
      BrowserModel,
      BrowserModel,
      BrowserModel,
      BrowserModel,
      BrowserModel,
      BrowserModel,
    ];
    for (const m of [sonnet, mini, auto, free]) expect(catalog.toggleCompare(m)).toBe(true);
    expect(catalog.toggleCompare(flash), "a fifth is refused").toBe(false);
    expect(catalog.comparison.map((m) => m.id)).toHaveLength(4);

    catalog.sampleInput = 10_000;
    catalog.sampleOutput = 1_000;
    expect(catalog.sampleCost(sonnet)).toBe("0.045");
    expect(catalog.sampleCost(mini)).toBe("0.0021");
    expect(catalog.sampleCost(auto), "variable has no cost").toBeNull();
    expect(catalog.sampleCost(free)).toBe("0");
    catalog.sampleInput = 1_234_567;
    catalog.sampleOutput = 7;
    expect(catalog.sampleCost(mini)).toBe("0.18518925");

    const perRequest = browserModel("x/y", {
      prices: prices({ promptPerMillion: "1", completionPerMillion: "1", perRequest: "0.005" }),
    });
    catalog.sampleInput = 1_000;
    catalog.sampleOutput = 0;
    expect(catalog.sampleCost(perRequest), "the request charge is added").toBe("0.006");

    expect(catalog.toggleCompare(auto), "taking one out").toBe(true);
    expect(catalog.toggleCompare(gpt4o)).toBe(true);
    catalog.chatWith(catalog.comparison);
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
    const { catalog, api } = await loaded();
    const first = catalog.select(pick(catalog, "anthropic/claude-sonnet-4"));
    const second = catalog.select(pick(catalog, "openai/gpt-4o-mini"));
    await Promise.all([first, second]);
    expect(catalog.selected?.id).toBe("openai/gpt-4o-mini");
    expect(catalog.detail?.model.id, "the earlier answer is dropped").toBe("openai/gpt-4o-mini");
    expect(api.detailCalls).toEqual([
      "openrouter:anthropic/claude-sonnet-4",
      "openrouter:openai/gpt-4o-mini",
    ]);
    catalog.closeDetail();
    expect(catalog.selected).toBeNull();
  });

  it("opens a chat column with default parameters", async () => {
    const { catalog, opener } = await loaded();
    catalog.chatWith([pick(catalog, "gpt-4o")]);
    expect(opener.opened).toEqual([
      [
        {
          provider: "openai",
          model: "gpt-4o",
          params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
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
    const catalog = new ModelsState(fakeApi(all), new FakeOpener());
    render(ModelsView, { catalog });
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
    const catalog = new ModelsState(fakeApi(sampleCatalogue()), new FakeOpener());
    render(ModelsView, { catalog });
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
    const catalog = new ModelsState(fakeApi(sampleCatalogue()), opener);
    render(ModelsView, { catalog });
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
    const catalog = new ModelsState(fakeApi(sampleCatalogue()), new FakeOpener());
    render(ModelsView, { catalog });
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
