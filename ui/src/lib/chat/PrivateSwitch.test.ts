import { describe, expect, test, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { ConversationView } from "../ipc/client";
import { AppError } from "../ipc/errors";
import type { PrivacyApi } from "../ipc/privacy";
import PrivateSwitch from "./PrivateSwitch.svelte";

function view(on: boolean): ConversationView {
  return {
    id: "c1",
    title: "t",
    pinned: false,
    private: on,
    columns: [],
    turns: [],
    totalCost: "0",
    unknownCosts: 0,
  };
}

function fakeApi(answer: (on: boolean) => Promise<ConversationView>) {
  const setPrivate = vi.fn<PrivacyApi["setPrivate"]>((_id, on) => answer(on));
  return { api: { setPrivate }, setPrivate };
}

describe("the private switch", () => {
  test("turning it on saves it for this conversation and shows the lock", async () => {
    const { api, setPrivate } = fakeApi((on) => Promise.resolve(view(on)));
    const onchange = vi.fn<(on: boolean) => void>();
    render(PrivateSwitch, {
      props: { conversationId: "c1", on: false, api, onchange, onerror: vi.fn() },
    });
    const toggle = screen.getByTestId("private-switch");
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    expect(toggle.title).toContain("Make private");
    await fireEvent.click(toggle);
    expect(setPrivate).toHaveBeenCalledWith("c1", true);
    await waitFor(() => expect(onchange).toHaveBeenCalledWith(true));
  });

  test("while on, it reads Private with a lock and turns off when pressed", async () => {
    const { api, setPrivate } = fakeApi((on) => Promise.resolve(view(on)));
    const onchange = vi.fn<(on: boolean) => void>();
    render(PrivateSwitch, {
      props: { conversationId: "c1", on: true, api, onchange, onerror: vi.fn() },
    });
    const toggle = screen.getByTestId("private-switch");
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(toggle).toHaveTextContent("Private");
    expect(toggle.querySelector("svg")).not.toBeNull();
    await fireEvent.click(toggle);
    expect(setPrivate).toHaveBeenCalledWith("c1", false);
    await waitFor(() => expect(onchange).toHaveBeenCalledWith(false));
  });

  test("a failure is said and the state is left as it was", async () => {
    const failure = new AppError({
      code: "not_found",
      message: "The conversation is gone.",
      retryable: false,
    });
    const { api } = fakeApi(() => Promise.reject(failure));
    const onchange = vi.fn<(on: boolean) => void>();
    const onerror = vi.fn<(message: string) => void>();
    render(PrivateSwitch, { props: { conversationId: "c1", on: false, api, onchange, onerror } });
    await fireEvent.click(screen.getByTestId("private-switch"));
    await waitFor(() => expect(onerror).toHaveBeenCalledWith("The conversation is gone."));
    expect(onchange).not.toHaveBeenCalled();
  });
});
