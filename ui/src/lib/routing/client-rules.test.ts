import { describe, expect, it } from "vitest";
import type { RouterConfig } from "../ipc/client";
import { describeRule, toConfig, toDraft } from "./draft";

/** A rule for one local API client, as `switchboard route import` may have saved it. */
const config = (): RouterConfig => ({
  routes: [
    {
      name: "cheap",
      strategy: "priority",
      targets: [{ provider: "openrouter", model: "openai/gpt-4o-mini", weight: 1 }],
      failover: {
        mode: "immediate",
        wait_ms: 1000,
        base_ms: 500,
        max_ms: 8000,
        max_attempts: 4,
        retries_per_target: 1,
        max_retry_after_ms: 10000,
      },
    },
  ],
  rules: [
    {
      name: "claude code to cheap",
      enabled: true,
      when: { client: ["claude-code"], model: ["anthropic/claude-sonnet-*"] },
      then: { route: "cheap" },
    },
  ],
  breaker: {
    consecutive_failures: 3,
    failure_rate: 0.5,
    window: 20,
    open_ms: 30000,
    max_open_ms: 600000,
  },
  limits: [],
  health: { active_probes: false, probe_every_s: 60 },
});

describe("a rule on a client key", () => {
  it("keeps its client condition through the editor, so saving never widens it", () => {
    // Dropped, the rule would match every request for the model, the app's own included.
    expect(toConfig(toDraft(config()))).toEqual(config());
  });

  it("says which client it is for", () => {
    const rule = toDraft(config()).rules[0];
    expect(rule && describeRule(rule)).toBe(
      'When model is "anthropic/claude-sonnet-*", client is "claude-code" → use route "cheap"',
    );
  });
});
