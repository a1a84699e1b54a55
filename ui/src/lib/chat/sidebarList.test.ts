import { render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { ConversationSummary } from "../ipc/client";
import ChatView from "./ChatView.svelte";
import { ChatState } from "./chat.svelte";
import { ConversationListState, MAX_SIDEBAR_PAGE, SIDEBAR_PAGE } from "./sidebarList.svelte";
import {
  conversation,
  fakeChatApi,
  fakeChatSettings,
  manyConversations,
  type FakeChatApi,
} from "./testing/fakeApi";
import { FakeIntersectionObserver } from "./testing/intersection";
import { setUpChatScreen } from "./testing/screen";

vi.mock("../ipc/chat", () => ({ chatApi: {} }));

setUpChatScreen({
  before: () => vi.stubGlobal("IntersectionObserver", FakeIntersectionObserver),
  after: () => FakeIntersectionObserver.reset(),
});

/** A backend with `n` conversations (`c1` the most recent); opening one returns it, opening
 * an id it does not hold fails as the backend does. */
function history(n: number): FakeChatApi {
  const api = fakeChatApi(conversation({ id: "c1", title: "Conversation 1" }));
  api.server.list = manyConversations(n);
  const page = api.openConversationPage;
  api.openConversationPage = async (id, before, limit) => {
    const summary = api.server.list.find((c) => c.id === id);
    if (!summary) {
      api.calls.push({ name: "openConversationPage", args: [id, before, limit] });
      throw { code: "not_found", message: "That conversation no longer exists.", retryable: false };
    }
    api.server.view = conversation({ id, title: summary.title });
    return page(id, before, limit);
  };
  return api;
}

function shownIds(): string[] {
  return screen
    .getAllByTestId("conversation")
    .map((li) => li.querySelector("button.open")?.getAttribute("title") ?? "");
}

function pageCalls(api: FakeChatApi): [ConversationSummary | null, number][] {
  return api.called("listConversationPage") as [ConversationSummary | null, number][];
}

describe("the sidebar a page at a time", () => {
  it("loads only the first page at start, the next one when its end comes into view", async () => {
    const api = history(250);
    const chat = new ChatState(api, fakeChatSettings());
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.view?.id, "the newest opens").toBe("c1"));
    expect(pageCalls(api), "one page, from the start").toEqual([[null, SIDEBAR_PAGE]]);
    expect(screen.getAllByTestId("conversation")).toHaveLength(100);
    expect(
      document.querySelectorAll('[data-testid="conversation"] button.open'),
      "each row still opens its conversation",
    ).toHaveLength(100);

    FakeIntersectionObserver.reveal();
    await waitFor(() => expect(screen.getAllByTestId("conversation")).toHaveLength(200));
    expect(pageCalls(api)[1]?.[0]?.id, "the next page follows the last row").toBe("c100");
    expect(shownIds().slice(98, 102), "in order, no gap at the seam").toEqual([
      "Conversation 99",
      "Conversation 100",
      "Conversation 101",
      "Conversation 102",
    ]);

    FakeIntersectionObserver.reveal();
    await waitFor(() => expect(screen.getAllByTestId("conversation")).toHaveLength(250));
    expect(chat.list.complete, "a short page ends the list").toBe(true);
    const asked = pageCalls(api).length;
    FakeIntersectionObserver.reveal();
    await Promise.resolve();
    expect(pageCalls(api).length, "nothing more is asked for once all is loaded").toBe(asked);
    expect(new Set(shownIds()).size, "no conversation twice").toBe(250);
  });

  it("re-reads what is loaded after a rename, keeping the rows (and so the scroll) in place", async () => {
    const api = history(250);
    const chat = new ChatState(api, fakeChatSettings());
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.view?.id).toBe("c1"));
    FakeIntersectionObserver.reveal();
    await waitFor(() => expect(screen.getAllByTestId("conversation")).toHaveLength(200));
    const aside = screen.getByRole("complementary", { name: "Conversations" });
    aside.scrollTop = 4000;
    const row150 = screen.getAllByTestId("conversation")[149];

    const renamed = api.server.list[149];
    if (!renamed) throw new Error("no c150");
    renamed.title = "Renamed far down";
    await chat.rename("c150", "Renamed far down");

    expect(pageCalls(api).at(-1), "the refresh re-reads all 200 loaded, in one call").toEqual([
      null,
      200,
    ]);
    await waitFor(() => expect(shownIds()[149]).toBe("Renamed far down"));
    expect(screen.getAllByTestId("conversation"), "nothing loaded is dropped").toHaveLength(200);
    expect(screen.getAllByTestId("conversation")[149], "the same row, updated in place").toBe(
      row150,
    );
    expect(aside.scrollTop, "the scroll position holds").toBe(4000);
  });

  it("moves a conversation with new activity to the top without repeating it", async () => {
    const api = history(250);
    const chat = new ChatState(api, fakeChatSettings());
    await chat.init();
    await chat.list.more();
    const moved = api.server.list.find((c) => c.id === "c150");
    if (!moved) throw new Error("no c150");
    moved.updatedMs = 10_000; // a send touched it
    await chat.refreshList();
    expect(chat.conversations.map((c) => c.id).slice(0, 2)).toEqual(["c150", "c1"]);
    expect(chat.conversations).toHaveLength(200);
    expect(new Set(chat.conversations.map((c) => c.id)).size, "no repeats").toBe(200);
  });
});

describe("the remembered conversation with a long history", () => {
  it("opens even when it is beyond the first page", async () => {
    const api = history(250);
    const settings = fakeChatSettings({ last: "c180" });
    const chat = new ChatState(api, settings);
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.view?.id, "the remembered one, not the newest").toBe("c180"));
    expect(
      chat.conversations.some((c) => c.id === "c180"),
      "it is not loaded yet",
    ).toBe(false);
    expect(pageCalls(api), "still only the first page").toHaveLength(1);
    expect(chat.notices).toEqual([]);
  });

  it("falls back to the newest loaded, without a notice, when it was deleted", async () => {
    const api = history(250);
    const chat = new ChatState(api, fakeChatSettings({ last: "gone" }));
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.view?.id).toBe("c1"));
    expect(api.called("openConversationPage").map((a) => a[0])).toEqual(["gone", "c1"]);
    expect(chat.notices, "a conversation deleted since is no error").toEqual([]);
  });

  it("is not asked for when every conversation is loaded and it is not among them", async () => {
    const api = history(3);
    const chat = new ChatState(api, fakeChatSettings({ last: "gone" }));
    await chat.init();
    expect(chat.view?.id).toBe("c1");
    expect(api.called("openConversationPage").map((a) => a[0])).toEqual(["c1"]);
  });
});

describe("ConversationList", () => {
  /** A reader over `all` (already in sidebar order) that records each call. */
  function reader(all: ConversationSummary[]) {
    const calls: [string | null, number][] = [];
    const read = async (after: ConversationSummary | null, limit: number) => {
      calls.push([after?.id ?? null, limit]);
      const start = after ? all.findIndex((c) => c.id === after.id) + 1 : 0;
      return all.slice(start, start + Math.min(limit, MAX_SIDEBAR_PAGE));
    };
    return { calls, read };
  }

  it("refreshes a long loaded list in backend-sized pieces", async () => {
    const { calls, read } = reader(manyConversations(1200));
    const list = new ConversationListState(read);
    await list.refresh();
    for (let i = 0; i < 6; i++) await list.more();
    expect(list.items).toHaveLength(700);
    calls.length = 0;
    await list.refresh();
    expect(calls, "700 re-read as 500 then 200").toEqual([
      [null, 500],
      ["c500", 200],
    ]);
    expect(list.items).toHaveLength(700);
    expect(list.complete).toBe(false);
  });

  it("asks for one page at a time however often the end is reached", async () => {
    const { calls, read } = reader(manyConversations(250));
    const list = new ConversationListState(read);
    await list.refresh();
    await Promise.all([list.more(), list.more(), list.more()]);
    expect(calls).toEqual([
      [null, 100],
      ["c100", 100],
    ]);
  });

  it("keeps what is shown when a read fails", async () => {
    const all = manyConversations(250);
    let fail = false;
    const list = new ConversationListState(async (after, limit) => {
      if (fail) return undefined;
      const start = after ? all.findIndex((c) => c.id === after.id) + 1 : 0;
      return all.slice(start, start + limit);
    });
    await list.refresh();
    fail = true;
    await list.more();
    await list.refresh();
    expect(list.items.map((c) => c.id).slice(0, 2)).toEqual(["c1", "c2"]);
    expect(list.items).toHaveLength(100);
    expect(list.complete, "more may still be loaded later").toBe(false);
  });
});
