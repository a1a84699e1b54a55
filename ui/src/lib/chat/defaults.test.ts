import { describe, expect, it } from "vitest";
import type { ModelChoice } from "../ipc/client";
import { ChatState } from "./chat.svelte";
import { pickDefaultModel } from "./defaults";
import { chatPlace } from "./place.svelte";
import { conversation, fakeChatApi, fakeChatSettings, model } from "./testing/fakeApi";

const LOCAL = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";
const catalogue: ModelChoice[] = [model({ id: "aaa/first" }), model({ id: "openai/gpt-4o-mini" })];
const openai = [
  model({ id: "gpt-4.1", provider: "openai", providerName: "OpenAI" }),
  model({ id: "gpt-4o-mini", provider: "openai", providerName: "OpenAI" }),
];
const anthropic = [
  model({ id: "claude-3-7-sonnet-20250219", provider: "anthropic" }),
  model({ id: "claude-3-haiku-20240307", provider: "anthropic" }),
  model({ id: "claude-haiku-4-5", provider: "anthropic" }),
  model({ id: "claude-haiku-4-5-20251001", provider: "anthropic" }),
  model({ id: "claude-sonnet-4-5", provider: "anthropic" }),
];
const local = [
  model({ id: "llama3.2:3b", provider: LOCAL }),
  model({ id: "qwen2.5:7b", provider: LOCAL }),
];
const pick = (models: ModelChoice[], keyed: string[] | null) => pickDefaultModel(models, keyed)?.id;

describe("a new chat's default model", () => {
  it("keeps GPT-4o mini through OpenRouter when OpenRouter has a key (or it is not known)", () => {
    const all = [...catalogue, ...openai, ...anthropic, ...local];
    expect(pick(all, ["openrouter", "openai"])).toBe("openai/gpt-4o-mini");
    expect(pickDefaultModel(all, null)?.provider).toBe("openrouter");
  });

  it("uses OpenAI's own gpt-4o-mini when only OpenAI is connected", () => {
    // The public OpenRouter catalogue is listed even without its key.
    expect(pick([...catalogue, ...openai], ["openai"])).toBe("gpt-4o-mini");
    expect(pick([...catalogue, openai[0] as ModelChoice], ["openai"]), "else its first").toBe(
      "gpt-4.1",
    );
  });

  it("uses a current Claude Haiku when only Anthropic is connected", () => {
    expect(pick([...catalogue, ...anthropic], ["anthropic"])).toBe("claude-haiku-4-5");
    const noHaiku = anthropic.filter((m) => !m.id.includes("haiku"));
    expect(pick(noHaiku, ["anthropic"]), "else a Sonnet").toBe("claude-sonnet-4-5");
  });

  it("uses a local server's first model when that is all there is", () => {
    expect(pick([...catalogue, ...local], [])).toBe("llama3.2:3b");
    expect(pick(catalogue, []), "nothing connected: as before").toBe("openai/gpt-4o-mini");
    expect(pick([], null)).toBeUndefined();
  });
});

describe("a new chat right after connecting a provider", () => {
  it("starts on the connected provider's model, and follows a key added later", async () => {
    chatPlace.reset();
    const api = fakeChatApi(conversation(), [...catalogue, ...anthropic]);
    const settings = fakeChatSettings({ keyed: ["anthropic"] });
    const chat = new ChatState(api, settings);
    await chat.loadModels();
    await chat.newChat();
    const specs = api.called("createConversation")[0]?.[0] as { provider: string; model: string }[];
    expect(specs).toEqual([
      expect.objectContaining({ provider: "anthropic", model: "claude-haiku-4-5" }),
    ]);

    const off = chat.watch();
    settings.state.keyed = ["anthropic", "openrouter"];
    settings.changeProviders();
    await new Promise((r) => setTimeout(r, 0));
    expect(chat.defaultModel()?.id, "an OpenRouter key now set").toBe("openai/gpt-4o-mini");
    off();
  });
});
