import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AnswerView } from "../ipc/client";
import { navigation } from "../shared/navigation.svelte";
import AnswerCard from "./AnswerCard.svelte";
import { isKeyProblem, keySettingsAnchor } from "./answerError";
import { ChatState } from "./chat.svelte";
import { answer, column, conversation, fakeChatApi, stats } from "./testing/fakeApi";

const NO_KEY = {
  code: "no_key" as const,
  message: "No API key for openai: add one in Settings or set OPENAI_API_KEY.",
  retryable: false,
};

describe("an answer that failed for want of a key", () => {
  afterEach(() => vi.restoreAllMocks());

  it("tells a missing or refused key from other failures", () => {
    expect(isKeyProblem(NO_KEY)).toBe(true);
    expect(isKeyProblem({ code: "auth", message: "The key was refused.", retryable: false })).toBe(
      true,
    );
    expect(
      isKeyProblem({
        code: "invalid_input",
        message: "temperature out of range",
        retryable: false,
      }),
    ).toBe(false);
    expect(isKeyProblem({ code: "upstream", message: "502", retryable: true })).toBe(false);
    expect(isKeyProblem(null)).toBe(false);
    expect(keySettingsAnchor("openai")).toBe("provider-openai");
    expect(keySettingsAnchor(null)).toBeNull();
  });

  async function mount(failed: AnswerView, provider = "openrouter") {
    const chat = new ChatState(fakeChatApi(conversation()));
    const view = conversation();
    const col = column("col-a", 0);
    col.spec.provider = provider;
    view.columns = [col];
    chat.view = view;
    render(AnswerCard, { chat, answer: failed });
    return screen.getByTestId("answer");
  }

  it("offers Open Settings at the provider's key", async () => {
    const open = vi.spyOn(navigation, "openSettings").mockImplementation(() => {});
    const card = await mount(
      answer({
        id: "a1",
        columnId: "col-a",
        status: "failed",
        error: NO_KEY,
        stats: stats({ provider: "openai", attempts: 0 }),
      }),
    );
    expect(within(card).getByRole("alert").textContent).toContain("No API key for openai");
    await fireEvent.click(within(card).getByRole("button", { name: "Open Settings" }));
    expect(open).toHaveBeenCalledWith("provider-openai");
  });

  it("uses the column's provider when the answer names none", async () => {
    const open = vi.spyOn(navigation, "openSettings").mockImplementation(() => {});
    const card = await mount(
      answer({
        id: "a1",
        columnId: "col-a",
        status: "failed",
        error: { code: "auth", message: "The key was refused.", retryable: false },
        stats: stats({ provider: null, attempts: 0 }),
      }),
      "anthropic",
    );
    await fireEvent.click(within(card).getByRole("button", { name: "Open Settings" }));
    expect(open).toHaveBeenCalledWith("provider-anthropic");
  });

  it("offers nothing of the kind for other failures", async () => {
    const card = await mount(
      answer({
        id: "a1",
        columnId: "col-a",
        status: "failed",
        error: { code: "upstream", message: "The provider failed.", retryable: true },
      }),
    );
    expect(within(card).queryByRole("button", { name: "Open Settings" })).toBeNull();
  });
});
