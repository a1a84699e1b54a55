import { describe, expect, test } from "vitest";
import { render, screen } from "@testing-library/svelte";
import AnswerStats from "./AnswerStats.svelte";
import { stats } from "./testing/fakeApi";

const spec = {
  provider: "openrouter",
  model: "openai/gpt-4o-mini",
  params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
};

describe("an answer's figures", () => {
  test("an answer that took retries or failover says how many requests it sent", () => {
    render(AnswerStats, {
      props: { stats: stats({ attempts: 3 }), status: "complete", spec },
    });
    expect(screen.getByTestId("answer-attempts")).toHaveTextContent("3");
  });

  test("one request is the normal case and shows no attempts cell", () => {
    render(AnswerStats, {
      props: { stats: stats({ attempts: 1 }), status: "complete", spec },
    });
    expect(screen.queryByTestId("answer-attempts")).not.toBeInTheDocument();
  });

  test("a request a rule sent elsewhere names where it went, by the provider's name", () => {
    const routed = stats({
      provider: "custom:0192",
      providerName: "LiteLLM",
      model: "mock-gpt",
      route: "local-first",
    });
    render(AnswerStats, { props: { stats: routed, status: "complete", spec } });
    const destination = screen.getByTestId("answer-destination");
    expect(destination).toHaveTextContent("LiteLLM");
    expect(destination).not.toHaveTextContent("custom:");
  });

  test("a BYOK answer shows the upstream cost beside OpenRouter's fee", () => {
    const byok = stats({
      cost: "0.00000021",
      costSource: "provider",
      isByok: true,
      upstreamCost: "0.0000042",
    });
    render(AnswerStats, { props: { stats: byok, status: "complete", spec } });
    expect(screen.getByTestId("answer-byok")).toHaveTextContent(
      "BYOK · upstream $0.0000042 · OpenRouter fee $0.00000021",
    );
    expect(
      screen.getByTestId("answer-cost"),
      "the cost is still the charged one",
    ).toHaveTextContent("exact");
  });

  test("an answer served on OpenRouter's own capacity shows no BYOK line", () => {
    render(AnswerStats, { props: { stats: stats({ cost: "0.01" }), status: "complete", spec } });
    expect(screen.queryByTestId("answer-byok")).not.toBeInTheDocument();
  });
});
