import { describe, expect, test } from "vitest";
import { splitLinks } from "./linkedText";

describe("links in messages", () => {
  test("a URL in a sentence becomes a link without the sentence's punctuation", () => {
    expect(
      splitLinks("OpenRouter at https://openrouter.ai/api/v1/chat/completions answered 404."),
    ).toEqual([
      { text: "OpenRouter at " },
      {
        text: "https://openrouter.ai/api/v1/chat/completions",
        url: "https://openrouter.ai/api/v1/chat/completions",
      },
      { text: " answered 404." },
    ]);
  });

  test("text without URLs is one plain piece; several URLs are each links", () => {
    expect(splitLinks("No key.")).toEqual([{ text: "No key." }]);
    const parts = splitLinks("see http://a.example/x, then (https://b.example/y).");
    expect(parts.filter((p) => p.url).map((p) => p.url)).toEqual([
      "http://a.example/x",
      "https://b.example/y",
    ]);
    expect(parts.map((p) => p.text).join("")).toBe(
      "see http://a.example/x, then (https://b.example/y).",
    );
  });

  test("only web addresses are linked", () => {
    expect(splitLinks("javascript:alert(1) file:///etc/passwd")).toEqual([
      { text: "javascript:alert(1) file:///etc/passwd" },
    ]);
  });
});
