import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import ChatView from "./ChatView.svelte";
import { ChatState } from "./chat.svelte";
import { sendHint, sendsOnKey } from "./keyboard";
import { fakeChatApi, fakeChatSettings } from "./testing/fakeApi";
import { setUpChatScreen } from "./testing/screen";

vi.mock("../ipc/chat", () => ({ chatApi: {} }));

const key = (init: KeyboardEventInit) => new KeyboardEvent("keydown", { key: "Enter", ...init });

describe("which key sends", () => {
  it("with Enter to send: Enter sends; Shift, Alt or an input method make it a new line", () => {
    expect(sendsOnKey(key({}), "enter")).toBe(true);
    expect(sendsOnKey(key({ shiftKey: true }), "enter"), "Shift+Enter: a new line").toBe(false);
    expect(sendsOnKey(key({ altKey: true }), "enter")).toBe(false);
    expect(sendsOnKey(key({ isComposing: true }), "enter"), "picking a candidate").toBe(false);
    expect(sendsOnKey(key({ key: "a" }), "enter")).toBe(false);
    // Ctrl+Enter is the window-wide send shortcut; the box must not send a second time.
    expect(sendsOnKey(key({ ctrlKey: true }), "enter")).toBe(false);
  });

  it("with Ctrl+Enter to send: Enter is always a new line", () => {
    expect(sendsOnKey(key({}), "ctrl_enter")).toBe(false);
    expect(sendsOnKey(key({ shiftKey: true }), "ctrl_enter")).toBe(false);
  });

  it("says which key sends", () => {
    expect(sendHint("enter")).toBe("Enter to send, Shift+Enter for a new line");
    expect(sendHint("ctrl_enter")).toBe("Ctrl+Enter to send");
  });
});

describe("the composer obeys the send key", () => {
  setUpChatScreen();

  async function mount(sendKey: "enter" | "ctrl_enter") {
    const api = fakeChatApi();
    const settings = fakeChatSettings({ sendKey });
    const chat = new ChatState(api, settings);
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.view?.id, "the conversation opens").toBe("c1"));
    const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
    await waitFor(() => expect(box.dataset.sendKey).toBe(sendKey));
    return { api, settings, chat, box };
  }

  it("Enter sends and Shift+Enter does not, when Enter is chosen", async () => {
    const { api, box } = await mount("enter");
    expect(box.placeholder).toContain("Enter to send, Shift+Enter for a new line");

    await fireEvent.input(box, { target: { value: "first line" } });
    const shifted = await fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(shifted, "Shift+Enter keeps its default: a new line").toBe(true);
    expect(api.runs.length, "Shift+Enter does not send").toBe(0);

    const plain = await fireEvent.keyDown(box, { key: "Enter" });
    expect(plain, "Enter does not also insert a new line").toBe(false);
    await waitFor(() => expect(api.called("send").map((a) => a[1])).toEqual(["first line"]));
    await waitFor(() => expect(box.value, "the box is emptied").toBe(""));
    api.runs[0]?.finish();
  });

  it("Enter is a new line and Ctrl+Enter sends, by default", async () => {
    const { api, box } = await mount("ctrl_enter");
    expect(box.placeholder).toContain("Ctrl+Enter to send");
    expect(box.placeholder).not.toContain("Shift+Enter");

    await fireEvent.input(box, { target: { value: "draft" } });
    expect(await fireEvent.keyDown(box, { key: "Enter" }), "Enter types a new line").toBe(true);
    expect(api.runs.length, "Enter alone does not send").toBe(0);
    await fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(api.called("send").map((a) => a[1])).toEqual(["draft"]));
    api.runs[0]?.finish();
  });

  it("follows a change made in Settings while Chat shows", async () => {
    const { api, settings, box } = await mount("ctrl_enter");
    settings.state.sendKey = "enter";
    settings.changeSettings();
    await waitFor(() => expect(box.placeholder).toContain("Enter to send, Shift+Enter"));
    await fireEvent.input(box, { target: { value: "now Enter sends" } });
    await fireEvent.keyDown(box, { key: "Enter" });
    await waitFor(() => expect(api.called("send").map((a) => a[1])).toEqual(["now Enter sends"]));
    api.runs[0]?.finish();
  });
});
