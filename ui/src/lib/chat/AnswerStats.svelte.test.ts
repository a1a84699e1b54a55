import { describe, expect, test } from "vitest";
import { render, screen } from "@testing-library/svelte";
import AnswerStats from "./AnswerStats.svelte";
import { stats } from "./testing/fakeApi";

const spec = {
  provider: "openrouter",
  model: "openai/gpt-4o-mini",
  params: { temperature: null, maxTokens: null, reasoningEffort: null, system: null },
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
});
