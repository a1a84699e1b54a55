import { describe, expect, test } from "vitest";
import { model } from "./testing";
import {
  findChoice,
  offeredVariants,
  parseModelId,
  presetChoice,
  presetId,
  withVariant,
} from "./variants";

const models = [
  model({ id: "openai/gpt-4o-mini", name: "GPT-4o-mini", contextLength: 128000 }),
  model({ id: "meta-llama/llama-3.3-70b-instruct", name: "Llama 3.3 70B" }),
  model({ id: "meta-llama/llama-3.3-70b-instruct:free", name: "Llama 3.3 70B (free)" }),
  model({ id: "qwen/qwen3-8b:free", name: "Qwen3 8B (free)" }),
  model({ id: "anthropic/claude-3.7-sonnet:thinking", name: "Claude 3.7 Sonnet (thinking)" }),
];

describe("OpenRouter model ids", () => {
  test("variants and presets are taken apart and put back together", () => {
    expect(parseModelId("openai/gpt-4o:nitro")).toEqual({
      base: "openai/gpt-4o",
      variant: "nitro",
      preset: null,
    });
    expect(parseModelId("@preset/email-copywriter").preset).toBe("email-copywriter");
    expect(parseModelId("a/b:thinking"), "a listing of its own").toEqual({
      base: "a/b:thinking",
      variant: null,
      preset: null,
    });
    expect(withVariant("a/b", "floor")).toBe("a/b:floor");
    expect(withVariant("a/b", null)).toBe("a/b");
  });

  test("a preset slug is accepted typed or pasted whole, and refused when it cannot be one", () => {
    expect(presetId("comedian")).toBe("@preset/comedian");
    expect(presetId(" @preset/team.default-2 ")).toBe("@preset/team.default-2");
    expect(presetId("")).toBeNull();
    expect(presetId("two words")).toBeNull();
    expect(presetId("@preset/a/b")).toBeNull();
  });

  test("a routing variant stands for its base model; free only for its own listing", () => {
    const spec = (m: string) => ({ provider: "openrouter", model: m });
    expect(findChoice(models, spec("openai/gpt-4o-mini:nitro"))?.contextLength).toBe(128000);
    expect(findChoice(models, spec("openai/gpt-4o-mini:free")), "not the paid model").toBe(
      undefined,
    );
    expect(findChoice(models, spec("@preset/comedian"))?.name).toBe("Preset comedian");
    expect(findChoice(models, { provider: "openai", model: "openai/gpt-4o-mini:nitro" })).toBe(
      undefined,
    );
    expect(presetChoice("@preset/x").promptPerMillion, "priced by its usage").toBeNull();
  });

  test("the variants offered follow what OpenRouter lists", () => {
    expect(offeredVariants(models, "openai/gpt-4o-mini")).toEqual([
      null,
      "nitro",
      "floor",
      "exacto",
      "online",
    ]);
    expect(offeredVariants(models, "meta-llama/llama-3.3-70b-instruct")).toContain("free");
    expect(offeredVariants(models, "qwen/qwen3-8b:free"), "no paid listing to vary").toEqual([
      "free",
    ]);
    expect(offeredVariants(models, "anthropic/claude-3.7-sonnet:thinking")).toEqual([]);
    expect(offeredVariants(models, "@preset/x")).toEqual([]);
    expect(offeredVariants([], "x/y"), "nothing listed yet: all but free").toHaveLength(5);
  });
});
