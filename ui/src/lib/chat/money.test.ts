import { describe, expect, it } from "vitest";
import { compareMoney, formatPrice, formatTotal, formatUsd, sumMoney } from "./money";
import { highlightSegments } from "./highlight";
import { shortcutFor } from "./keyboard";
import { pickBadges } from "./chat.svelte";
import { answer, stats } from "./testing/fakeApi";

describe("money", () => {
  it("sums decimal strings exactly", () => {
    expect(sumMoney(["0.1", "0.2"]).total, "0.1 + 0.2 must be exactly 0.3").toBe("0.3");
    expect(sumMoney(["0.000001", "1.5", "2"]).total, "mixed scales add exactly").toBe("3.500001");
    expect(sumMoney([]).total, "an empty sum is zero").toBe("0");
    expect(sumMoney(["-0.5", "0.25"]).total, "negatives work").toBe("-0.25");
  });

  it("counts unknown costs separately and never as $0", () => {
    const t = sumMoney(["0.1", null, "0.2", null, "garbage"]);
    expect(t.total, "unknowns are not added").toBe("0.3");
    expect(t.unknown, "two nulls and one unreadable are unknown").toBe(3);
    expect(formatTotal(t), "the display names the unknowns").toBe("$0.30 +3 unknown");
  });

  it("compares and formats", () => {
    expect(compareMoney("0.0001", "0.001"), "0.0001 < 0.001").toBeLessThan(0);
    expect(compareMoney("1.10", "1.1"), "equal values at different scales").toBe(0);
    expect(formatUsd("0.000123"), "sub-cent amounts keep their digits").toBe("$0.000123");
    expect(formatUsd("1.5"), "two decimals at least").toBe("$1.50");
    expect(formatUsd("0.0000015"), "rounded half up to six places for display").toBe("$0.000002");
    expect(formatUsd("0.00000049"), "a tiny non-zero cost is never shown as $0").toBe("<$0.000001");
    expect(formatPrice(null), "null price is variable").toBe("variable");
    expect(formatPrice("0.15"), "a price per million").toBe("$0.15/M");
  });
});

describe("search highlights", () => {
  it("maps UTF-8 byte ranges onto multibyte text", () => {
    // "héllo wörld": é and ö are two bytes each; "wörld" is bytes 7..13.
    const segs = highlightSegments("héllo wörld", [[7, 13]]);
    expect(segs, "the marked segment is exactly the word").toEqual([
      { text: "héllo ", mark: false },
      { text: "wörld", mark: true },
    ]);
    const emoji = highlightSegments("🎉 party 🎉", [[5, 10]]);
    expect(
      emoji.filter((s) => s.mark).map((s) => s.text),
      "a range after a 4-byte emoji",
    ).toEqual(["party"]);
  });

  it("clamps, merges and widens ranges to whole characters", () => {
    const segs = highlightSegments("日本語テキスト", [
      [1, 4],
      [3, 7],
      [100, 200],
    ]);
    expect(segs[0], "a range starting mid-character widens back to it").toEqual({
      text: "日本語",
      mark: true,
    });
    expect(segs.map((s) => s.text).join(""), "no text is lost").toBe("日本語テキスト");
  });
});

describe("keyboard", () => {
  const key = (init: KeyboardEventInit) => new KeyboardEvent("keydown", init);
  it("maps the shortcuts", () => {
    expect(shortcutFor(key({ key: "Enter", ctrlKey: true })), "Ctrl+Enter").toBe("send");
    expect(shortcutFor(key({ key: "Enter", metaKey: true })), "Cmd+Enter").toBe("send");
    expect(shortcutFor(key({ key: "Enter" })), "Enter alone is a newline").toBeNull();
    expect(shortcutFor(key({ key: "Escape" })), "Escape").toBe("stopAll");
    expect(shortcutFor(key({ key: "n", ctrlKey: true })), "Ctrl+N").toBe("newChat");
    expect(shortcutFor(key({ key: "k", metaKey: true })), "Cmd+K").toBe("focusSearch");
  });
});

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
