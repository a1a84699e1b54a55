import { describe, expect, test } from "vitest";
import {
  describeByok,
  describeCost,
  describeDestination,
  describeRoutedTo,
  describeTokens,
} from "./answerStats";
import { stats } from "./testing/fakeApi";

const spec = {
  provider: "openrouter",
  model: "openai/gpt-4o-mini",
  params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
};

describe("honest labels", () => {
  test("each cost source reads once, never 'Cost cost unknown'", () => {
    expect(describeCost(stats({ cost: null })).amount).toBe("unknown");
    expect(describeCost(stats({ cost: "0.001866", costSource: "provider" }))).toMatchObject({
      amount: "$0.001866",
      source: "exact",
    });
    expect(describeCost(stats({ cost: "0", costSource: "not_billed" }))).toMatchObject({
      amount: "$0",
      source: "not billed",
    });
    expect(describeCost(stats({ cost: "0", costSource: "not_sent", attempts: 0 })).amount).toBe(
      "not sent · $0",
    );
  });

  test("token counts are joined with spaced separators, and unknown when a stream stopped early", () => {
    expect(
      describeTokens(
        stats({ promptTokens: 12, completionTokens: 36, reasoningTokens: 13 }),
        "complete",
      ),
    ).toBe("12 in · 36 out · 13 reasoning");
    const stopped = stats({ promptTokens: 0, completionTokens: 0 });
    expect(describeTokens(stopped, "cancelled")).toBe("unknown");
    expect(describeTokens(stopped, "complete")).toBe("0 in · 0 out");
  });

  test("a request a rule sent elsewhere names where it went", () => {
    const routed = stats({
      provider: "custom:0192",
      providerName: "LiteLLM",
      model: "mock-gpt",
      route: "local-first",
    });
    expect(describeDestination(routed, spec)).toBe("→ LiteLLM · mock-gpt via route local-first");
    expect(describeDestination(stats(), spec), "its own model: nothing to say").toBeNull();
    expect(
      describeRoutedTo({ providerName: "LiteLLM", model: "mock-gpt", route: "local-first" }),
    ).toBe("→ LiteLLM · mock-gpt via route local-first");
  });

  test("a BYOK answer names its upstream cost and OpenRouter's fee apart, exactly", () => {
    const byok = stats({
      cost: "0.0000105",
      costSource: "provider",
      isByok: true,
      upstreamCost: "0.00021",
    });
    expect(describeByok(byok)?.text).toBe("BYOK · upstream $0.00021 · OpenRouter fee $0.0000105");
    expect(describeByok(byok)?.title).toContain("what Spend and budgets count");
    expect(describeByok(stats({ isByok: true, cost: "0.01" }))?.text).toBe(
      "BYOK · upstream unknown · OpenRouter fee $0.01",
    );
    expect(describeByok(stats({ cost: "0.01" })), "shared capacity: nothing to say").toBeNull();
  });
});
