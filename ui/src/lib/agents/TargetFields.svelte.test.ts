import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { ModelChoice, ProviderView, ProvidersOverview } from "../ipc/client";
import { TargetChoicesState, type ChoicesApi } from "../shared/choices.svelte";
import type { EditTarget } from "./draft";
import TargetFields from "./TargetFields.svelte";

const LOCAL = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";
const GONE = "custom:0192f0c4-7b1a-7cc2-9d5e-000000000009";

function provider(id: string, name: string): ProviderView {
  return {
    id,
    kind: id.startsWith("custom:") ? "custom" : "open_router",
    name,
    baseUrl: "http://127.0.0.1:11434/v1",
    baseUrlSource: "settings",
    defaultBaseUrl: null,
    baseUrlEnvVar: null,
    key: { source: "none", masked: null, envVar: null, envShadowed: false, disabled: null },
    notice: null,
    extraKeys: [],
  };
}

function choice(provider: string, providerName: string, id: string): ModelChoice {
  return {
    provider,
    providerName,
    id,
    name: id,
    contextLength: null,
    promptPerMillion: null,
    completionPerMillion: null,
    inputModalities: ["text"],
    supportsReasoning: false,
  };
}

const api: ChoicesApi = {
  modelsList: async () => [
    choice("openrouter", "OpenRouter", "openai/gpt-4o-mini"),
    choice(LOCAL, "Desk Ollama", "llama3.2:3b"),
    choice(LOCAL, "Desk Ollama", "qwen2.5:7b"),
  ],
  providersOverview: async (): Promise<ProvidersOverview> => ({
    keychain: { available: true, backend: "Secret Service", detail: null },
    providers: [
      provider("openrouter", "OpenRouter"),
      provider("openai", "OpenAI"),
      provider("anthropic", "Anthropic"),
      provider(LOCAL, "Desk Ollama"),
    ],
  }),
};

async function loaded(): Promise<TargetChoicesState> {
  const choices = new TargetChoicesState(api);
  await choices.load();
  return choices;
}

describe("TargetFields", () => {
  it("chooses the provider from a list of names and offers its models", async () => {
    const target = $state<EditTarget>({
      key: 1,
      kind: "model",
      provider: "openrouter",
      model: "",
      route: "",
    });
    render(TargetFields, {
      props: { target, routes: [], label: "Model", choices: await loaded() },
    });
    const select = screen.getByRole("combobox", { name: "Model: provider" });
    const options = within(select).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "OpenRouter",
      "OpenAI",
      "Anthropic",
      "Desk Ollama",
    ]);
    expect(select.textContent).not.toContain("custom:");

    await fireEvent.change(select, { target: { value: LOCAL } });
    expect(target.provider, "the id is stored, the name is shown").toBe(LOCAL);
    const models = screen.getByTestId("target-models");
    await waitFor(() =>
      expect([...models.querySelectorAll("option")].map((o) => o.value)).toEqual([
        "llama3.2:3b",
        "qwen2.5:7b",
      ]),
    );
  });

  it("keeps a provider that is gone as a named option instead of changing the target", async () => {
    const target = $state<EditTarget>({
      key: 2,
      kind: "model",
      provider: GONE,
      model: "llama3.2:3b",
      route: "",
    });
    render(TargetFields, {
      props: { target, routes: [], label: "Model", choices: await loaded() },
    });
    const select = screen.getByRole<HTMLSelectElement>("combobox", { name: "Model: provider" });
    expect(select.value).toBe(GONE);
    expect(within(select).getByRole("option", { name: "a removed provider" })).toBeDefined();
    expect(target.provider).toBe(GONE);
  });
});
