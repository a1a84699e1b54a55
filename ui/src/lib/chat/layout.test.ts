import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import ChatView from "./ChatView.svelte";
import { ChatState } from "./chat.svelte";
import { chatPlace } from "./place.svelte";
import { fakeChatApi } from "./testing/fakeApi";
import { setUpChatScreen } from "./testing/screen";

vi.mock("../ipc/chat", () => ({ chatApi: {} }));

const wide = window.innerWidth;
setUpChatScreen({ after: () => (window.innerWidth = wide) });

function sidebar(): HTMLElement {
  const el = document.querySelector<HTMLElement>("aside.sidebar");
  if (!el) throw new Error("no sidebar");
  return el;
}

async function mount(width: number) {
  window.innerWidth = width;
  const api = fakeChatApi();
  const chat = new ChatState(api);
  render(ChatView, { api, chat });
  await waitFor(() => expect(chat.view?.id).toBe("c1"));
  return { api, chat };
}

describe("the conversations sidebar", () => {
  it("hides in a narrow window and opens over the chat on request", async () => {
    await mount(800);
    expect(document.querySelector("aside.sidebar"), "hidden at 800 px").toBeNull();
    expect(screen.getAllByRole("button", { name: /New chat/ }), "still one New chat").toHaveLength(
      1,
    );

    await fireEvent.click(screen.getByRole("button", { name: "Show conversations" }));
    expect(sidebar().classList.contains("overlay")).toBe(true);
    expect(screen.getAllByTestId("conversation")).toHaveLength(1);
    expect(screen.getAllByRole("button", { name: /New chat/ }), "one New chat").toHaveLength(1);

    await fireEvent.keyDown(window, { key: "Escape" });
    expect(document.querySelector("aside.sidebar"), "Escape closes it").toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Show conversations" }));
    await fireEvent.pointerDown(screen.getByLabelText("Message"));
    expect(document.querySelector("aside.sidebar"), "a press outside closes it").toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Show conversations" }));
    await fireEvent.click(within(sidebar()).getByRole("button", { name: "First" }));
    await waitFor(() =>
      expect(
        document.querySelector("aside.sidebar"),
        "choosing a conversation closes it",
      ).toBeNull(),
    );
  });

  it("sits beside the chat in a wide window, and can be hidden there", async () => {
    await mount(1280);
    expect(sidebar().classList.contains("full")).toBe(true);
    expect(screen.getAllByRole("button", { name: /New chat/ })).toHaveLength(1);
    await fireEvent.click(screen.getByRole("button", { name: "Hide conversations" }));
    expect(document.querySelector("aside.sidebar")).toBeNull();
    expect(
      screen.getAllByRole("button", { name: /New chat/ }),
      "New chat moves to the header",
    ).toHaveLength(1);
    expect(chatPlace.sidebarHidden, "kept for the next visit to Chat").toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Show conversations" }));
    expect(sidebar().classList.contains("full")).toBe(true);
  });

  it("puts per-conversation actions in a menu, not in links", async () => {
    await mount(1280);
    const item = screen.getAllByTestId("conversation")[0] as HTMLElement;
    expect(item.querySelectorAll("button.link"), "no link-styled actions").toHaveLength(0);
    await fireEvent.click(screen.getByRole("button", { name: "Actions for First" }));
    const items = screen.getAllByRole("menuitem").map((m) => m.textContent?.trim());
    expect(items).toEqual(["Rename", "Pin", "Delete"]);
  });
});

describe("the chat header", () => {
  it("keeps exports and import in one overflow menu", async () => {
    await mount(1280);
    expect(
      screen.queryByRole("button", { name: "Export JSON" }),
      "not a row of buttons",
    ).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Conversation actions" }));
    expect(screen.getAllByRole("menuitem").map((m) => m.textContent?.trim())).toEqual([
      "Rename",
      "Pin",
      "Export Markdown",
      "Export JSON",
      "Import JSON…",
    ]);
  });
});
