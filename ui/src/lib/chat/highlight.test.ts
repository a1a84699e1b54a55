import { describe, expect, it } from "vitest";
import { highlightSegments } from "./highlight";

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
