import { describe, expect, it } from "vitest";

/**
 * Every source file of the UI, as text. Emoji render as empty boxes on Linux machines without
 * an emoji font, so the UI uses icon components instead; this keeps them from creeping back.
 */
const sources = import.meta.glob<string>(
  ["../../**/*.svelte", "../../**/*.ts", "!../../**/*.test.ts"],
  {
    query: "?raw",
    import: "default",
    eager: true,
  },
);

/** Pictographs, dingbats, symbols and the variation selector that turns text into emoji. */
const EMOJI = /[\u{1F000}-\u{1FAFF}\u{2600}-\u{27BF}\u{2B00}-\u{2BFF}]|\u{FE0F}/u;

describe("the UI's source", () => {
  it("is read (the glob finds the components)", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
  });

  it("holds no emoji", () => {
    const found = Object.entries(sources).flatMap(([file, text]) =>
      text
        .split("\n")
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => EMOJI.test(line))
        .map(({ line, i }) => `${file}:${i + 1}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });
});
