import { describe, expect, it } from "vitest";
import type { RouterConfig } from "../ipc/client";
import { addRoute, addRule, addTarget, move, renameRoute, toConfig, toDraft } from "./draft";

/** Keys from a counter, so a test can say which item got which key. */
function keys(): () => number {
  let n = 100;
  return () => n++;
}

const saved = (): RouterConfig => ({
  routes: [
    { name: "code", targets: [{ provider: "openai", model: "gpt-4o-mini" }] },
    { name: "chat", targets: [] },
  ],
  rules: [
    { name: "to code", when: { route: ["code"] }, then: { route: "code" } },
    { name: "to chat", then: { route: "chat" } },
  ],
  limits: [],
});

describe("the routing draft's edits", () => {
  it("names a new route after the ones taken, with the default failover and no targets", () => {
    const d = toDraft({ routes: [{ name: "new-route", targets: [] }] }, null, keys());
    addRoute(d, () => 7);
    addRoute(d, () => 8);
    expect(d.routes.map((r) => r.name)).toEqual(["new-route", "new-route-2", "new-route-3"]);
    const added = d.routes[1];
    expect(added?.key, "the key comes from the key source").toBe(7);
    expect(added?.strategy).toBe("priority");
    expect(added?.targets).toEqual([]);
    expect(added?.failover.max_attempts, "the default failover").toBe(4);
  });

  it("renames a route and every rule that uses or matches it, and no other", () => {
    const d = toDraft(saved(), null, keys());
    renameRoute(d, 0, "coding");
    expect(d.routes.map((r) => r.name)).toEqual(["coding", "chat"]);
    expect(d.rules[0]?.route, "the rule that used it").toBe("coding");
    expect(d.rules[0]?.when.route, "the rule that matched it").toEqual(["coding"]);
    expect(d.rules[1]?.route, "a rule on another route").toBe("chat");
    renameRoute(d, 9, "nowhere");
    expect(
      d.routes.map((r) => r.name),
      "an index past the end changes nothing",
    ).toEqual(["coding", "chat"]);
  });

  it("adds a target with its model trimmed, and none for a blank model", () => {
    const d = toDraft(saved(), null, keys());
    addTarget(d, 1, "anthropic", "  claude-sonnet-4 ", () => 42);
    addTarget(d, 1, "anthropic", "   ", () => 43);
    expect(d.routes[1]?.targets).toEqual([
      {
        key: 42,
        provider: "anthropic",
        model: "claude-sonnet-4",
        weight: 1,
        max_concurrency: null,
        openrouter: null,
      },
    ]);
  });

  it("adds an enabled rule on the first route, named after the ones taken", () => {
    const d = toDraft(saved(), null, keys());
    addRule(d);
    addRule(d);
    const names = d.rules.map((r) => r.name);
    expect(names.slice(2)).toEqual(["new rule", "new rule 2"]);
    expect(d.rules[2]?.enabled).toBe(true);
    expect(d.rules[2]?.route, "the first route").toBe("code");
    expect(toConfig(d).rules?.[2], "as saved: matches every request").toEqual({
      name: "new rule",
      enabled: true,
      when: {},
      then: { route: "code" },
    });
  });

  it("moves within a list and ignores moves past either end", () => {
    const list = ["a", "b", "c"];
    move(list, 0, 2);
    expect(list).toEqual(["b", "c", "a"]);
    move(list, 2, 3);
    move(list, 0, -1);
    expect(list).toEqual(["b", "c", "a"]);
  });
});
