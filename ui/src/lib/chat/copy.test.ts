import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { markdownToPlainText } from "../render/plainText";
import AnswerCard from "./AnswerCard.svelte";
import { ChatState } from "./chat.svelte";
import { answerText } from "./copy";
import { answer, fakeChatApi } from "./testing/fakeApi";

const SAMPLE = [
  "# Plan *today*",
  "",
  "Use **bold** and `code()` with [the docs](https://example.com) \\*literally\\*.",
  "",
  "- [x] done",
  "- open",
  "  1. nested",
  "",
  "> quoted &amp; kept",
  "",
  "| a | b |",
  "|---|---|",
  "| 1 | 2 |",
  "",
  "```js",
  "const x = 1 < 2;",
  "```",
  "",
  "Math $x^2$ stays as TeX. <b>Bold</b> html loses its tags.",
].join("\n");

describe("an answer as plain text", () => {
  it("reads as rendered: no Markdown syntax, blocks on their own lines", () => {
    expect(markdownToPlainText(SAMPLE)).toBe(
      [
        "Plan today",
        "",
        "Use bold and code() with the docs *literally*.",
        "",
        "• [x] done",
        "• open",
        "  1. nested",
        "",
        "quoted & kept",
        "",
        "a\tb",
        "1\t2",
        "",
        "const x = 1 < 2;",
        "",
        "Math x^2 stays as TeX. Bold html loses its tags.",
      ].join("\n"),
    );
  });

  it("keeps the Markdown untouched when copied as Markdown", () => {
    expect(answerText(SAMPLE, "markdown")).toBe(SAMPLE);
    expect(answerText("**a**", "text")).toBe("a");
  });
});

describe("the copy menu on an answer", () => {
  let writeText: ReturnType<typeof vi.fn<(text: string) => Promise<void>>>;
  beforeEach(() => {
    writeText = vi.fn<(text: string) => Promise<void>>(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
  });
  afterEach(() => {
    Reflect.deleteProperty(navigator, "clipboard");
  });

  function mount(content: string) {
    const chat = new ChatState(fakeChatApi());
    render(AnswerCard, { chat, answer: answer({ id: "a1", columnId: "col-a", content }) });
    return screen.getByTestId("answer");
  }

  it("copies the whole answer as Markdown or as plain text", async () => {
    const card = mount("Some **bold** and `code`.\n\n- item");
    await fireEvent.click(within(card).getByRole("button", { name: "Copy answer" }));
    await fireEvent.click(await screen.findByRole("menuitem", { name: "Copy as Markdown" }));
    await waitFor(() =>
      expect(writeText).toHaveBeenLastCalledWith("Some **bold** and `code`.\n\n- item"),
    );
    expect(within(card).getByRole("status").textContent).toContain("Copied as Markdown");

    await fireEvent.click(within(card).getByRole("button", { name: "Copy answer" }));
    await fireEvent.click(await screen.findByRole("menuitem", { name: "Copy as plain text" }));
    await waitFor(() =>
      expect(writeText).toHaveBeenLastCalledWith("Some bold and code.\n\n• item"),
    );
    expect(within(card).getByRole("status").textContent).toContain("Copied as plain text");
  });

  it("offers nothing to copy for an empty answer", () => {
    const card = mount("");
    expect(within(card).queryByRole("button", { name: "Copy answer" })).toBeNull();
  });
});
