import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { ModelChoice } from "../ipc/client";
import ModelPicker from "./ModelPicker.svelte";
import { model } from "./testing/fakeApi";

const LOCAL = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";

const models: ModelChoice[] = [
  model({ id: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini" }),
  model({
    id: "llama3.2:3b",
    provider: LOCAL,
    providerName: "Desk Ollama",
    promptPerMillion: null,
    completionPerMillion: null,
  }),
  model({
    id: "qwen2.5:7b",
    provider: LOCAL,
    providerName: "Desk Ollama",
    promptPerMillion: "0",
    completionPerMillion: "0",
  }),
];

describe("ModelPicker", () => {
  it("names a custom provider in the label, the tooltip and the options, never its id", async () => {
    const onselect = vi.fn<(m: ModelChoice) => void>();
    render(ModelPicker, { models, provider: LOCAL, model: "llama3.2:3b", onselect });
    const current = screen.getByRole("button", { expanded: false });
    expect(current).toHaveTextContent("Desk Ollama");
    expect(current).toHaveAttribute("title", "Desk Ollama · llama3.2:3b");

    await fireEvent.click(current);
    const options = screen.getAllByTestId("model-option");
    expect(options).toHaveLength(3);
    const llama = options.find((o) => o.dataset.model === "llama3.2:3b");
    expect(llama).toBeDefined();
    expect(llama?.dataset.provider, "e2e tests pick by id").toBe(LOCAL);
    expect(llama).toHaveTextContent("Desk Ollama");
    expect(llama, "a custom server publishes no price").toHaveTextContent("in not set");
    expect(options.find((o) => o.dataset.model === "qwen2.5:7b")).toHaveTextContent("in $0");
    for (const o of options) expect(o.textContent).not.toContain("custom:");
    expect(options[0]).toHaveTextContent("OpenRouter");

    // The provider's name finds its models.
    await fireEvent.input(screen.getByRole("searchbox", { name: "Filter models" }), {
      target: { value: "desk 3b" },
    });
    const found = screen.getAllByTestId("model-option");
    expect(found.map((o) => o.dataset.model)).toEqual(["llama3.2:3b"]);
    await fireEvent.click(found[0] as HTMLElement);
    expect(onselect).toHaveBeenCalledWith(expect.objectContaining({ provider: LOCAL }));
  });

  it("never shows a custom provider's id while its models are not listed", () => {
    render(ModelPicker, { models: [], provider: LOCAL, model: "llama3.2:3b", onselect: vi.fn() });
    const current = screen.getByRole("button", { expanded: false });
    expect(current.textContent).not.toContain("custom:");
    expect(current.title).not.toContain("custom:");
    expect(current).toHaveTextContent("custom provider");
  });

  it("offers OpenRouter's variants beside the model and sends the suffixed id", async () => {
    const onselect = vi.fn<(m: ModelChoice) => void>();
    const listed = [
      model({ id: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini", contextLength: 128000 }),
      model({ id: "openai/gpt-4o-mini:free", name: "OpenAI: GPT-4o-mini (free)" }),
    ];
    render(ModelPicker, {
      models: listed,
      provider: "openrouter",
      model: "openai/gpt-4o-mini",
      onselect,
    });
    const variant = screen.getByTestId("model-variant");
    expect(variant).toHaveValue("");
    const offered = [...variant.querySelectorAll("option")].map((o) => o.textContent?.trim());
    expect(offered).toEqual(["standard", ":nitro", ":floor", ":exacto", ":online", ":free"]);
    await fireEvent.change(variant, { target: { value: "nitro" } });
    expect(onselect).toHaveBeenLastCalledWith(
      expect.objectContaining({ id: "openai/gpt-4o-mini:nitro", contextLength: 128000 }),
    );
    await fireEvent.change(variant, { target: { value: "free" } });
    expect(onselect).toHaveBeenLastCalledWith(
      expect.objectContaining({
        id: "openai/gpt-4o-mini:free",
        name: "OpenAI: GPT-4o-mini (free)",
      }),
    );
  });

  it("shows a variant column under its base model's name, with the variant chosen", () => {
    render(ModelPicker, {
      models: [model({ id: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini" })],
      provider: "openrouter",
      model: "openai/gpt-4o-mini:floor",
      onselect: vi.fn(),
    });
    const current = screen.getByRole("button", { expanded: false });
    expect(current).toHaveTextContent("OpenAI: GPT-4o-mini");
    expect(current).toHaveAttribute("title", "OpenRouter · openai/gpt-4o-mini:floor");
    expect(screen.getByTestId("model-variant")).toHaveValue("floor");
  });

  it("in a compact header, keeps the variant in the list and shows only the chosen one", async () => {
    const onselect = vi.fn<(m: ModelChoice) => void>();
    render(ModelPicker, {
      models: [model({ id: "openai/gpt-4o-mini", name: "OpenAI: GPT-4o-mini" })],
      provider: "openrouter",
      model: "openai/gpt-4o-mini:nitro",
      compact: true,
      onselect,
    });
    // The header has room for the name: no select, just the chosen variant.
    expect(screen.queryByTestId("model-variant")).not.toBeInTheDocument();
    expect(screen.getByTestId("model-variant-chip")).toHaveTextContent(":nitro");
    await fireEvent.click(screen.getByRole("button", { expanded: false }));
    const variant = screen.getByTestId("model-variant");
    expect(variant).toHaveValue("nitro");
    await fireEvent.change(variant, { target: { value: "" } });
    expect(onselect).toHaveBeenLastCalledWith(
      expect.objectContaining({ id: "openai/gpt-4o-mini" }),
    );
  });

  it("offers no variant for a custom provider's model", () => {
    render(ModelPicker, { models, provider: LOCAL, model: "llama3.2:3b", onselect: vi.fn() });
    expect(screen.queryByTestId("model-variant")).not.toBeInTheDocument();
  });

  it("uses a preset typed by its slug, refusing one that cannot be a slug", async () => {
    const onselect = vi.fn<(m: ModelChoice) => void>();
    render(ModelPicker, { models, provider: "openrouter", model: "openai/gpt-4o-mini", onselect });
    await fireEvent.click(screen.getByRole("button", { expanded: false }));
    await fireEvent.click(screen.getByTestId("use-preset"));
    const slug = screen.getByRole("textbox", { name: "Preset slug" });
    await fireEvent.input(slug, { target: { value: "two words" } });
    await fireEvent.click(screen.getByTestId("preset-use"));
    expect(screen.getByRole("alert")).toHaveTextContent("letters, digits");
    expect(onselect).not.toHaveBeenCalled();
    await fireEvent.input(slug, { target: { value: "email-copywriter" } });
    await fireEvent.click(screen.getByTestId("preset-use"));
    expect(onselect).toHaveBeenCalledWith(
      expect.objectContaining({
        provider: "openrouter",
        id: "@preset/email-copywriter",
        name: "Preset email-copywriter",
      }),
    );
  });

  it("takes a preset id typed into the filter, and names a preset column by its slug", async () => {
    const onselect = vi.fn<(m: ModelChoice) => void>();
    render(ModelPicker, { models, provider: "openrouter", model: "@preset/comedian", onselect });
    const current = screen.getByRole("button", { expanded: false });
    expect(current).toHaveTextContent("Preset comedian");
    expect(current).toHaveTextContent("OpenRouter");
    expect(
      screen.queryByTestId("model-variant"),
      "a preset has no variants",
    ).not.toBeInTheDocument();
    await fireEvent.click(current);
    const filter = screen.getByRole("searchbox", { name: "Filter models" });
    await fireEvent.input(filter, { target: { value: "@preset/team-default" } });
    expect(screen.getByTestId("typed-preset")).toHaveTextContent("Use @preset/team-default");
    await fireEvent.keyDown(filter, { key: "Enter" });
    expect(onselect).toHaveBeenCalledWith(expect.objectContaining({ id: "@preset/team-default" }));
  });
});
