import { describe, expect, it } from "vitest";
import { pickBadges } from "./chat.svelte";
import { answer, stats } from "./testing/fakeApi";

describe("badges", () => {
  it("picks the fastest complete answer and the cheapest known cost", () => {
    const b = pickBadges([
      answer({ id: "a", columnId: "x", stats: stats({ latencyMs: 900, cost: "0.002" }) }),
      answer({ id: "b", columnId: "y", stats: stats({ latencyMs: 300, cost: null }) }),
      answer({ id: "c", columnId: "z", stats: stats({ latencyMs: 500, cost: "0.0009" }) }),
      answer({
        id: "d",
        columnId: "w",
        status: "failed",
        stats: stats({ latencyMs: 10, cost: "0" }),
      }),
    ]);
    expect(b.fastest, "b has the lowest total time among complete answers").toBe("b");
    expect(b.cheapest, "c has the lowest known cost; unknown is not cheapest").toBe("c");
  });
});
