import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AnswerView, ErrorCode } from "../ipc/client";
import { navigation } from "../shared/navigation.svelte";
import AnswerCard from "./AnswerCard.svelte";
import { isKeyProblem, keyRefusalHint } from "./answerError";
import { ChatState } from "./chat.svelte";
import { answer, column, conversation, fakeChatApi, stats } from "./testing/fakeApi";

/** The five refusals of a key itself, with what the backend says for each. */
const REFUSALS: [ErrorCode, string, RegExp, string[]][] = [
  [
    "key_limit_reached",
    "OpenRouter answered 403 for chat: this key has used up its own spending limit.",
    /^This key has used up its own spending limit\. It works again when the limit resets \(midnight UTC for a daily limit, Monday for a weekly one, the 1st for a monthly one\) or when the team's admin raises it/,
    ["Open Team"],
  ],
  [
    "guardrail_blocked",
    "OpenRouter answered 403 for chat: a guardrail refused the request.",
    /^A guardrail or budget set for this key refused the request\. Pick a model and provider the guardrail allows, or ask the team's admin/,
    ["Open Team"],
  ],
  [
    "management_key_used",
    "OpenRouter answered 401 for chat: this is a management key.",
    /^This is a management key: it can manage keys but cannot run models\. Save an inference key for OpenRouter in Settings; the management key belongs under Team\./,
    ["Open Settings", "Open Team"],
  ],
  [
    "key_disabled",
    "OpenRouter answered 401 for chat: this key is disabled.",
    /^This key is disabled\. The team's admin can enable it again under Team/,
    ["Open Settings", "Open Team"],
  ],
  [
    "key_expired",
    "OpenRouter answered 401 for chat: this key has expired.",
    /^This key has expired\. Ask the team's admin for a new key, or sign in with OpenRouter again, and save it in Settings\./,
    ["Open Settings"],
  ],
];

async function mount(failed: AnswerView) {
  const chat = new ChatState(fakeChatApi(conversation()));
  const view = conversation();
  view.columns = [column("col-a", 0)];
  chat.view = view;
  render(AnswerCard, { chat, answer: failed });
  return screen.getByTestId("answer");
}

function refused(code: ErrorCode, message: string): AnswerView {
  return answer({
    id: "a1",
    columnId: "col-a",
    status: "failed",
    error: { code, message, retryable: false },
    stats: stats({ provider: "openrouter", attempts: 1 }),
  });
}

describe("an answer refused because of its key", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(REFUSALS)(
    "%s says what happened and what to do, keeps the provider's words, and offers no retry",
    async (code, message, words, buttons) => {
      const card = await mount(refused(code, message));
      const alert = within(card).getByRole("alert");
      expect(alert.querySelector("p.error")?.textContent?.trim()).toMatch(words);
      expect(alert.textContent, "the provider's own message stays as the detail").toContain(
        message,
      );
      const actions = within(within(card).getByTestId("key-refusal-actions")).getAllByRole(
        "button",
      );
      expect(actions.map((b) => b.textContent?.trim())).toEqual(buttons);
      expect(
        within(card).queryByRole("button", { name: /retry|try again/i }),
        "not transient: nothing invites trying the same key again",
      ).toBeNull();
      expect(isKeyProblem({ code, message, retryable: false })).toBe(false);
    },
  );

  it("opens Team for a limit, and Settings at OpenRouter's key for a management key", async () => {
    const go = vi.spyOn(navigation, "go").mockImplementation(() => {});
    const open = vi.spyOn(navigation, "openSettings").mockImplementation(() => {});
    let card = await mount(refused("key_limit_reached", "over its limit"));
    await fireEvent.click(within(card).getByRole("button", { name: "Open Team" }));
    expect(go).toHaveBeenCalledWith("team");
    card.remove();

    card = await mount(refused("management_key_used", "a management key"));
    await fireEvent.click(within(card).getByRole("button", { name: "Open Settings" }));
    expect(open).toHaveBeenCalledWith("provider-openrouter");
  });

  it("leaves every other failure to its own message", () => {
    for (const code of ["no_credits", "auth", "upstream", "budget_exceeded"] as ErrorCode[]) {
      expect(keyRefusalHint({ code, message: "x", retryable: false })).toBeNull();
    }
    expect(keyRefusalHint(null)).toBeNull();
  });
});
