import { render, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { ColumnSpec, ConversationView } from "../ipc/client";
import { navigation } from "../shared/navigation.svelte";
import ChatView from "./ChatView.svelte";
import { ChatState, PAGE_TURNS } from "./chat.svelte";
import { chatPlace } from "./place.svelte";
import {
  conversation,
  fakeChatApi,
  fakeChatSettings,
  type FakeChatApi,
  type FakeChatSettings,
} from "./testing/fakeApi";
import { setUpChatScreen } from "./testing/screen";

vi.mock("../ipc/chat", () => ({ chatApi: {} }));

setUpChatScreen({ after: () => (navigation.chatWith = null) });

/** Three conversations on the fake server; opening any returns that one. */
function threeConversations(): FakeChatApi {
  const views: Record<string, ConversationView> = {
    c1: conversation({ id: "c1", title: "Oldest" }),
    c2: conversation({ id: "c2", title: "Middle" }),
    c3: conversation({ id: "c3", title: "Newest" }),
  };
  const api = fakeChatApi(views.c1);
  api.server.list = [
    { id: "c1", title: "Oldest", pinned: true, updatedMs: 1, totalCost: "0" },
    { id: "c2", title: "Middle", pinned: false, updatedMs: 2, totalCost: "0" },
    { id: "c3", title: "Newest", pinned: false, updatedMs: 3, totalCost: "0" },
  ];
  const page = api.openConversationPage;
  api.openConversationPage = async (id, before, limit) => {
    api.server.view = views[id] ?? api.server.view;
    return page(id, before, limit);
  };
  return api;
}

/** Shows Chat as the app does: a new Chat state (and view) each time the screen is entered. */
function showChat(api: FakeChatApi, settings: FakeChatSettings) {
  const chat = new ChatState(api, settings);
  const shown = render(ChatView, { api, chat });
  return { chat, leave: () => shown.unmount() };
}

describe("the remembered conversation", () => {
  it("opens the one saved at the last run, if it still exists", async () => {
    const api = threeConversations();
    const settings = fakeChatSettings({ last: "c2" });
    const { chat } = showChat(api, settings);
    await waitFor(() => expect(chat.view?.id).toBe("c2"));
    expect(settings.asked).toContain("lastConversation");
  });

  it("falls back to the most recent one when the saved one was deleted", async () => {
    const api = threeConversations();
    const { chat } = showChat(api, fakeChatSettings({ last: "gone" }));
    await waitFor(() => expect(chat.view?.id, "newest by time, not the pinned one").toBe("c3"));
  });

  it("saves every switch, and comes back to it after another screen without asking again", async () => {
    const api = threeConversations();
    const settings = fakeChatSettings({ last: "c2" });
    const first = showChat(api, settings);
    await waitFor(() => expect(first.chat.view?.id).toBe("c2"));
    await first.chat.open("c1");
    expect(settings.saved, "each conversation shown is saved for the next start").toEqual([
      "c2",
      "c1",
    ]);
    first.leave();

    settings.state.last = "c3"; // what the backend would answer is not asked again this run
    const asked = settings.asked.filter((a) => a === "lastConversation").length;
    const second = showChat(api, settings);
    await waitFor(() => expect(second.chat.view?.id, "the same conversation is open").toBe("c1"));
    expect(settings.asked.filter((a) => a === "lastConversation").length).toBe(asked);
  });

  it("starts a new chat when there is nothing to reopen", async () => {
    const api = fakeChatApi();
    api.server.list = [];
    const { chat } = showChat(api, fakeChatSettings());
    await waitFor(() => expect(api.called("createConversation").length).toBe(1));
    await waitFor(() => expect(chat.view).not.toBeNull());
  });

  it("gives way to 'chat with this' from the Models screen", async () => {
    const api = threeConversations();
    const handed: ColumnSpec = {
      provider: "anthropic",
      model: "claude-haiku-4-5",
      params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
    };
    api.createConversation = async (columns) => {
      api.calls.push({ name: "createConversation", args: [columns] });
      return conversation({ id: "handed", title: "Handed over" });
    };
    navigation.openChat([handed]);
    const { chat } = showChat(api, fakeChatSettings({ last: "c2" }));
    await waitFor(() => expect(api.called("createConversation")).toEqual([[[handed]]]));
    await waitFor(() => expect(chat.restored).toBe(true));
    expect(chat.view?.id, "the hand-off, not the remembered one").toBe("handed");
  });

  it("shows the conversation asked for last when an earlier one answers later", async () => {
    const api = threeConversations();
    const page = api.openConversationPage;
    let release: () => void = () => {};
    api.openConversationPage = async (id, before, limit) => {
      if (id === "c1") await new Promise<void>((r) => (release = r));
      return page(id, before, limit);
    };
    const chat = new ChatState(api, fakeChatSettings());
    const slow = chat.open("c1");
    await chat.open("c2");
    release();
    await slow;
    expect(chat.view?.id, "the later click wins").toBe("c2");
  });

  it("puts the scroll position back when coming back to the same conversation", async () => {
    const api = threeConversations();
    const settings = fakeChatSettings({ last: "c1" });
    const first = showChat(api, settings);
    await waitFor(() => expect(first.chat.view?.id).toBe("c1"));
    const box = document.querySelector<HTMLElement>('[data-testid="columns-scroller"]');
    if (!box) throw new Error("no scroller");
    box.scrollLeft = 120;
    box.dispatchEvent(new Event("scroll"));
    first.leave();
    expect(chatPlace.scroll, "where the list was is kept").toMatchObject({
      conversationId: "c1",
      left: 120,
    });
    const second = showChat(api, settings);
    await waitFor(() => expect(second.chat.view?.id).toBe("c1"));
    await waitFor(() =>
      expect(
        document.querySelector<HTMLElement>('[data-testid="columns-scroller"]')?.scrollLeft,
      ).toBe(120),
    );
  });

  it("opens with what was read at launch, asking the backend nothing it already knows", async () => {
    const api = threeConversations();
    const settings = fakeChatSettings({ last: "c1", sendKey: "ctrl_enter", keyed: null });
    const list = await api.listConversationPage(null, 100);
    const page = await api.openConversationPage("c2", null, PAGE_TURNS);
    api.calls.length = 0;
    chatPlace.launched({
      conversations: list,
      lastConversation: "c2",
      page,
      keyed: ["openrouter"],
      sendKey: "enter",
    });
    const { chat } = showChat(api, settings);
    await waitFor(() => expect(chat.restored).toBe(true));
    expect(chat.view?.id, "the launch's conversation, not the backend's answer now").toBe("c2");
    expect(chat.conversations.map((c) => c.id)).toEqual(["c1", "c3", "c2"]);
    expect(chat.sendKey).toBe("enter");
    await waitFor(() => expect(chat.modelsLoaded).toBe(true));
    expect(chat.keyed, "the launch's, not the settings' null").toEqual(["openrouter"]);
    expect(api.called("listConversationPage")).toEqual([]);
    expect(api.called("openConversationPage")).toEqual([]);
    expect(settings.asked, "neither the last conversation nor the send key").toEqual([]);

    // Taken once: the next Chat screen of this run asks as usual.
    expect(chatPlace.takeSeed()).toEqual({});
  });

  it("asks for whatever the launch could not read", async () => {
    const api = threeConversations();
    const settings = fakeChatSettings({ last: "c2" });
    chatPlace.launched({ lastConversation: "c2" });
    const { chat } = showChat(api, settings);
    await waitFor(() => expect(chat.view?.id).toBe("c2"));
    expect(api.called("listConversationPage").length, "the sidebar").toBe(1);
    expect(api.called("openConversationPage"), "the page").toEqual([["c2", null, PAGE_TURNS]]);
    expect(settings.asked, "not the conversation to reopen, which was read").toEqual(["sendKey"]);
  });
});
