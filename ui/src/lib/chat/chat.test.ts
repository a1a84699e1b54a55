import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ColumnSpec, ConversationView, CostPrediction, PredictInput } from "../ipc/client";
import { navigation } from "../shared/navigation.svelte";
import ChatView from "./ChatView.svelte";
import ModelPicker from "./ModelPicker.svelte";
import SearchPanel from "./SearchPanel.svelte";
import { ChatState, PREDICT_DEBOUNCE_MS, pickBadges } from "./chat.svelte";
import {
  answer,
  column,
  conversation,
  fakeChatApi,
  model,
  prediction,
  stats,
  turn,
  type FakeChatApi,
} from "./testing/fakeApi";
import { setUpChatScreen } from "./testing/screen";

vi.mock("../ipc/chat", () => ({ chatApi: {} }));

setUpChatScreen();

/** Opens the overflow menu named `menu` and chooses `item` in it. */
async function choose(menu: string, item: string, index = 0) {
  const trigger = screen.getAllByRole("button", { name: menu })[index];
  if (!trigger) throw new Error(`no menu ${menu}`);
  await fireEvent.click(trigger);
  await fireEvent.click(await screen.findByRole("menuitem", { name: item }));
}

async function mountWith(api: FakeChatApi) {
  const chat = new ChatState(api);
  render(ChatView, { api, chat });
  await chat.open(api.server.view.id);
  await waitFor(() => expect(chat.modelsLoaded, "models load on mount").toBe(true));
  return chat;
}

/** Sends `text` and starts both columns' answers (`a1` and `b1` of turn `t1`); the run goes on
 * as the test drives it. */
function sendToBoth(api: FakeChatApi, chat: ChatState, text: string) {
  void chat.send(text, []);
  const run = api.runs[0];
  if (!run) throw new Error("no run");
  run.emit({ type: "started", answerId: "a1", columnId: "col-a", turnId: "t1" });
  run.emit({ type: "started", answerId: "b1", columnId: "col-b", turnId: "t1" });
  return run;
}

function card(id: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-answer-id="${id}"]`);
  if (!el) throw new Error(`no answer card ${id}`);
  return el;
}

const twoColumns = () =>
  conversation({ columns: [column("col-a", 0), column("col-b", 1, "anthropic/claude")] });

describe("two-column send", () => {
  it("streams interleaved answers into their own columns, with numbers, totals and badges", async () => {
    const api = fakeChatApi(twoColumns(), [
      model({ id: "openai/gpt-4o-mini" }),
      model({ id: "anthropic/claude", name: "Claude" }),
    ]);
    const chat = await mountWith(api);

    const box = screen.getByLabelText("Message");
    await fireEvent.input(box, { target: { value: "Compare these" } });
    await fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(api.runs.length, "Ctrl+Enter sends once").toBe(1));
    expect(api.called("send")[0]?.[1], "the typed text is sent").toBe("Compare these");
    const run = api.runs[0];
    if (!run) throw new Error("no run");

    run.emit({ type: "started", answerId: "a1", columnId: "col-a", turnId: "t9" });
    run.emit({ type: "started", answerId: "b1", columnId: "col-b", turnId: "t9" });
    run.emit({ type: "textDelta", answerId: "a1", text: "Alpha " });
    run.emit({ type: "textDelta", answerId: "b1", text: "Beta " });
    run.emit({ type: "textDelta", answerId: "a1", text: "one" });
    run.emit({ type: "reasoningDelta", answerId: "b1", text: "thinking" });
    run.emit({ type: "textDelta", answerId: "b1", text: "two" });

    await waitFor(() =>
      expect(card("a1").textContent, "column A shows only its own text").toContain("Alpha one"),
    );
    expect(card("b1").textContent, "column B shows only its own text").toContain("Beta two");
    expect(card("a1").textContent, "no cross-talk").not.toContain("Beta");
    expect(screen.getByText("Compare these"), "the user's message shows at once").toBeTruthy();
    expect(
      within(card("a1")).getByTestId("answer-status").textContent,
      "streaming status",
    ).toContain("Streaming");

    run.emit({
      type: "finished",
      answerId: "a1",
      status: "complete",
      citations: [],
      stats: stats({
        cost: "0.1",
        costSource: "provider",
        latencyMs: 2000,
        promptTokens: 1234,
        completionTokens: 56,
        servedBy: "Azure",
      }),
    });
    run.emit({
      type: "finished",
      answerId: "b1",
      status: "complete",
      citations: [],
      stats: stats({ cost: "0.2", costSource: "estimate", latencyMs: 800 }),
    });

    await waitFor(() =>
      expect(
        within(card("a1")).getByTestId("answer-cost").textContent,
        "exact cost labelled",
      ).toContain("$0.10 exact"),
    );
    expect(
      within(card("b1")).getByTestId("answer-cost").textContent,
      "estimated cost labelled",
    ).toContain("$0.20 est.");
    expect(
      within(card("a1")).getByTestId("answer-tokens").textContent,
      "token counts shown",
    ).toContain("1,234 in · 56 out");
    expect(card("a1").textContent, "served by shown").toContain("Azure");
    expect(
      screen.getByTestId("conversation-total").textContent,
      "conversation total adds streamed costs exactly",
    ).toContain("$0.30");
    const totals = screen.getAllByTestId("column-total").map((e) => e.textContent?.trim());
    expect(totals, "each column's running total").toEqual(["$0.10", "$0.20"]);
    expect(
      within(card("b1")).queryByTestId("badge-fastest"),
      "B (800 ms) is the fastest",
    ).toBeTruthy();
    expect(
      within(card("a1")).queryByTestId("badge-cheapest"),
      "A ($0.10) is the cheapest",
    ).toBeTruthy();
    expect(within(card("a1")).queryByTestId("badge-fastest"), "A is not fastest").toBeNull();
    const verdict = screen.getByTestId("verdict");
    expect(
      Array.from(verdict.children).map((chip) => chip.textContent?.trim()),
      "two short chips, one line",
    ).toEqual(["Fastest #2 · 0.80 s", "Cheapest #1 · $0.10"]);
    expect(verdict.title, "the tooltip names both models").toBe(
      "Fastest: column 2 (Claude), 0.80 s\nCheapest: column 1 (openai/gpt-4o-mini), $0.10",
    );
    expect(within(card("b1")).queryByTestId("badge-cheapest"), "B is not cheapest").toBeNull();

    // The call resolves: the view is refreshed from the store of record.
    api.server.view = twoColumns();
    api.server.view.turns = [
      turn({
        id: "t9",
        text: "Compare these",
        answers: [
          answer({ id: "a1", columnId: "col-a", turnId: "t9", content: "Alpha one" }),
          answer({ id: "b1", columnId: "col-b", turnId: "t9", content: "Beta two" }),
        ],
      }),
    ];
    run.finish();
    await waitFor(() =>
      expect(api.called("openConversationPage").length, "refreshed after the run").toBe(2),
    );
    await waitFor(() => expect(chat.busy, "no longer busy").toBe(false));
  });

  it("shows unknown costs as such, never as $0", async () => {
    const api = fakeChatApi(twoColumns());
    const chat = await mountWith(api);
    void chat.send("hi", []);
    const run = api.runs[0];
    if (!run) throw new Error("no run");
    run.emit({ type: "started", answerId: "a1", columnId: "col-a", turnId: "t1" });
    run.emit({
      type: "finished",
      answerId: "a1",
      status: "complete",
      stats: stats({ cost: null }),
      citations: [],
    });
    await waitFor(() =>
      expect(
        within(card("a1")).getByTestId("answer-cost").textContent,
        "null cost reads 'unknown'",
      ).toContain("unknown"),
    );
    expect(
      screen.getAllByTestId("column-total")[0]?.textContent,
      "the column total counts it as unknown",
    ).toContain("+1 unknown");
  });
});

describe("stop", () => {
  it("stops one column by its answer id, and Escape stops all", async () => {
    const api = fakeChatApi(twoColumns());
    const chat = await mountWith(api);
    const run = sendToBoth(api, chat, "go");
    await waitFor(() => card("b1"));
    await fireEvent.click(within(card("b1")).getByText("Stop"));
    expect(api.called("stopAnswer"), "stopAnswer gets B's answer id").toEqual([["b1"]]);

    await fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() =>
      expect(api.called("stopAll"), "Escape calls stopAll for the conversation").toEqual([["c1"]]),
    );
    run.finish();
  });
});

describe("branches", () => {
  const branched = (): ConversationView =>
    conversation({
      turns: [
        turn({
          id: "t1",
          text: "original",
          version: 2,
          versions: 3,
          answers: [answer({ id: "a1", columnId: "col-a", content: "x", attempt: 1, attempts: 2 })],
        }),
      ],
    });

  it("edits and resends; switches versions and attempts", async () => {
    const api = fakeChatApi(branched());
    const chat = await mountWith(api);
    await waitFor(() => screen.getByText("original"));

    expect(screen.getByText("2/3"), "version switcher shows 2/3").toBeTruthy();
    await fireEvent.click(screen.getByLabelText("Next version"));
    expect(api.called("selectTurnVersion"), "next version is 3").toEqual([["t1", 3]]);

    expect(screen.getByText("1/2"), "attempt switcher shows 1/2").toBeTruthy();
    await fireEvent.click(screen.getByLabelText("Next answer"));
    expect(api.called("selectAttempt"), "next attempt is 2").toEqual([["a1", 2]]);

    await fireEvent.click(screen.getByLabelText("Edit and resend"));
    const editor = screen.getByLabelText("Edit message");
    await fireEvent.input(editor, { target: { value: "changed" } });
    await fireEvent.click(screen.getByText("Save and resend"));
    expect(api.called("editAndResend"), "editAndResend with the new text").toEqual([
      ["t1", "changed"],
    ]);
    const run = api.runs[0];
    if (!run) throw new Error("no run");
    run.emit({ type: "started", answerId: "a2", columnId: "col-a", turnId: "t1v4" });
    await waitFor(() => expect(screen.getByText("changed"), "the new version shows").toBeTruthy());
    expect(chat.view?.turns.length, "the edited turn replaces the old one").toBe(1);
    run.finish();
  });
});

describe("search", () => {
  it("renders byte-range highlights as <mark> and never parses snippet HTML", async () => {
    const api = fakeChatApi();
    api.server.hits = [
      {
        conversationId: "c1",
        title: "Café <b>notes</b>",
        turnId: "t1",
        answerId: null,
        // "naïve " is 7 bytes; "café" (5 bytes) follows.
        snippet: "naïve café <img src=x onerror=alert(1)>",
        highlights: [[7, 12]],
      },
    ];
    const chat = new ChatState(api);
    render(SearchPanel, { chat });
    await chat.search("café");
    const hit = await screen.findByTestId("search-hit");
    const marks = hit.querySelectorAll("mark");
    expect(marks.length, "one highlight").toBe(1);
    expect(marks[0]?.textContent, "the multibyte word is marked exactly").toBe("café");
    expect(hit.querySelector("img"), "no element is parsed out of the snippet").toBeNull();
    expect(hit.querySelector("b"), "no markup parsed out of the title").toBeNull();
    expect(hit.textContent, "the markup shows as text").toContain("<img src=x onerror=alert(1)>");

    await fireEvent.click(hit);
    await waitFor(() =>
      expect(chat.scrollTarget?.turnId, "opening a hit targets its turn").toBe("t1"),
    );
    expect(api.called("openConversation"), "the hit's conversation opens").toEqual([["c1"]]);
  });
});

describe("model picker", () => {
  it("filters 500 models as you type and shows 'variable' for null prices", async () => {
    const models = Array.from({ length: 500 }, (_, i) =>
      model({
        id: `vendor${i % 10}/model-${i}`,
        name: `Model ${i}`,
        promptPerMillion: i === 123 ? null : "1.25",
        completionPerMillion: i === 123 ? null : "5",
      }),
    );
    const onselect = vi.fn();
    render(ModelPicker, { models, provider: "openrouter", model: "vendor0/model-0", onselect });
    await fireEvent.click(screen.getByRole("button", { name: /Model 0/ }));
    const filter = screen.getByLabelText("Filter models");
    expect(screen.getByTestId("model-count").textContent, "all 500 listed").toContain("500 of 500");
    expect(
      screen.getAllByTestId("model-option").length,
      "only a bounded number of rows is rendered",
    ).toBeLessThanOrEqual(60);

    await fireEvent.input(filter, { target: { value: "vendor3" } });
    expect(screen.getByTestId("model-count").textContent, "50 match vendor3").toContain(
      "50 of 500",
    );
    await fireEvent.input(filter, { target: { value: "model-123" } });
    const options = screen.getAllByTestId("model-option");
    expect(options.length, "one model matches model-123").toBe(1);
    expect(options[0]?.textContent, "null prices show as variable").toContain("in variable");
    expect(options[0]?.textContent, "both prices").toContain("out variable");
    await fireEvent.click(options[0] as HTMLElement);
    expect(onselect.mock.calls[0]?.[0]?.id, "choosing calls onselect").toBe("vendor3/model-123");
  });
});

describe("virtualization", () => {
  it("mounts 5,000 turns and renders far fewer", async () => {
    const turns = Array.from({ length: 5000 }, (_, i) =>
      turn({
        id: `t${i}`,
        text: `message ${i}`,
        answers: [answer({ id: `a${i}`, columnId: "col-a", turnId: `t${i}`, content: `r${i}` })],
      }),
    );
    const api = fakeChatApi(conversation({ turns }));
    await mountWith(api);
    await waitFor(() =>
      expect(screen.getAllByTestId("turn").length, "some turns render").toBeGreaterThan(0),
    );
    expect(screen.getAllByTestId("turn").length, "far fewer than 5,000 turn elements").toBeLessThan(
      100,
    );
  });
});

describe("composer and shortcuts", () => {
  it("attaches an image and a text file as chips, warns about text-only models, removes", async () => {
    const api = fakeChatApi(conversation(), [
      model({ id: "openai/gpt-4o-mini", name: "Mini", inputModalities: ["text"] }),
    ]);
    await mountWith(api);
    const input = screen.getByLabelText("Attach files") as HTMLInputElement;
    const png = new File([new Uint8Array([137, 80, 78, 71])], "cat.png", { type: "image/png" });
    const txt = new File(["hello notes"], "notes.txt", { type: "text/plain" });
    await fireEvent.change(input, { target: { files: [png, txt] } });
    await waitFor(() =>
      expect(screen.getAllByTestId("attachment-chip").length, "two chips").toBe(2),
    );
    expect(screen.getByTestId("image-warning").textContent, "warns, naming the column").toContain(
      "column 1 (Mini)",
    );
    await fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(api.runs.length, "send still allowed").toBe(1));
    const sent = api.called("send")[0]?.[2] as { kind: string; name: string }[];
    expect(
      sent.map((a) => `${a.kind}:${a.name}`),
      "attachments sent as image and text",
    ).toEqual(["image:cat.png", "text:notes.txt"]);
    expect(sent[0], "image as a data URL").toHaveProperty(
      "data_url",
      expect.stringMatching(/^data:image\/png;base64,/),
    );
    expect(sent[1], "text file's text").toHaveProperty("text", "hello notes");
    api.runs[0]?.finish();
  });

  it("removes a chip, refuses oversized images, and Enter alone does not send", async () => {
    const api = fakeChatApi();
    await mountWith(api);
    const input = screen.getByLabelText("Attach files") as HTMLInputElement;
    const txt = new File(["x"], "a.txt", { type: "text/plain" });
    const huge = new File([new Uint8Array(5 * 1024 * 1024 + 1)], "big.png", { type: "image/png" });
    await fireEvent.change(input, { target: { files: [txt, huge] } });
    await waitFor(() =>
      expect(screen.getAllByTestId("attachment-chip").length, "one chip").toBe(1),
    );
    expect(
      (await screen.findByRole("alert")).textContent,
      "the oversized image is explained",
    ).toContain("larger than 5 MB");
    await fireEvent.click(screen.getByRole("button", { name: "Remove a.txt" }));
    expect(screen.queryAllByTestId("attachment-chip").length, "chip removed").toBe(0);
    expect(screen.getByRole("button", { name: "Send" }), "nothing to send").toBeDisabled();

    const box = screen.getByLabelText("Message");
    await fireEvent.input(box, { target: { value: "line" } });
    await fireEvent.keyDown(box, { key: "Enter" });
    expect(api.runs.length, "Enter alone does not send").toBe(0);
  });

  it("Ctrl+N starts a new chat with the default model; Ctrl+K focuses search", async () => {
    const api = fakeChatApi(conversation(), [
      model({ id: "z/first" }),
      model({ id: "openai/gpt-4o-mini" }),
    ]);
    await mountWith(api);
    await fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    await waitFor(() =>
      expect(api.called("createConversation").length, "Ctrl+N creates a conversation").toBe(1),
    );
    const specs = api.called("createConversation")[0]?.[0] as { model: string }[];
    expect(
      specs.map((s) => s.model),
      "one column, gpt-4o-mini preferred",
    ).toEqual(["openai/gpt-4o-mini"]);
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    expect(document.activeElement, "search box focused").toBe(
      screen.getByLabelText("Search conversations"),
    );
  });

  it("removes its listeners when unmounted", async () => {
    const api = fakeChatApi();
    const chat = new ChatState(api);
    const { unmount } = render(ChatView, { api, chat });
    await waitFor(() => expect(chat.modelsLoaded, "loaded").toBe(true));
    unmount();
    await fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    expect(api.called("createConversation").length, "no listener after destroy").toBe(0);
  });
});

describe("errors and export", () => {
  it("shows a failing call's message in a dismissible notice", async () => {
    const api = fakeChatApi();
    api.exportConversation = async () => {
      throw { code: "disk_full", message: "The disk is full.", retryable: false };
    };
    await mountWith(api);
    await choose("Conversation actions", "Export JSON");
    const notice = await screen.findByRole("alert");
    expect(notice.textContent, "the AppError message shows").toContain("The disk is full.");
    await fireEvent.click(within(notice).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert"), "dismissed").toBeNull();
  });

  it("exports and shows the path; the empty state explains the screen", async () => {
    const empty = fakeChatApi(conversation(), []);
    empty.server.list = [];
    const bare = new ChatState(empty);
    const first = render(ChatView, { api: empty, chat: bare });
    expect(
      await screen.findByText("Compare models side by side"),
      "empty state with no conversation and nothing to chat with",
    ).toBeTruthy();
    expect(
      screen.getByRole("button", { name: "Open Settings" }),
      "it leads to Settings",
    ).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /New chat/ }), "one New chat button").toHaveLength(
      1,
    );
    first.unmount();

    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await chat.open("c1");
    await choose("Conversation actions", "Export Markdown");
    expect(await screen.findByText("/tmp/out.md"), "the returned path shows").toBeTruthy();
    expect(api.called("exportConversation"), "markdown export").toEqual([["c1", "markdown"]]);
  });

  it("the export notice belongs to its conversation, and a cancelled save shows none", async () => {
    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await chat.open("c1");
    await chat.exportAs("markdown");
    expect(await screen.findByText("/tmp/out.md")).toBeTruthy();
    const first = api.server.view;
    api.server.view = { ...first, id: "c2", title: "Another" };
    await chat.newChat();
    await waitFor(() => expect(screen.queryByText("/tmp/out.md")).toBeNull());
    api.server.view = first;
    await chat.open("c1");
    expect(await screen.findByText("/tmp/out.md"), "back beside its conversation").toBeTruthy();
    chat.exported = null;
    api.exportConversation = async () => null;
    await chat.exportAs("json");
    await waitFor(() => expect(screen.queryByText(/Exported to/)).toBeNull());
  });
});

describe("new chat", () => {
  it("replaces an untouched conversation instead of leaving it empty in the list", async () => {
    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await chat.open("c1");
    api.server.view = { ...api.server.view, id: "c2", title: "New conversation" };
    await chat.newChat();
    expect(api.called("deleteConversation"), "the empty c1 is gone").toEqual([["c1"]]);
    expect(chat.view?.id).toBe("c2");
  });

  it("keeps a conversation that has turns", async () => {
    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await chat.open("c1");
    const open = chat.view;
    if (!open) throw new Error("c1 is open");
    chat.view = { ...open, turns: [turn({ id: "t1" })] };
    api.server.view = { ...api.server.view, id: "c2" };
    await chat.newChat();
    expect(api.called("deleteConversation")).toEqual([]);
  });
});

describe("sidebar", () => {
  it("lists pinned first; renames inline, pins, and deletes after an inline confirm", async () => {
    const api = fakeChatApi();
    api.server.list = [
      { id: "c1", title: "Recent", pinned: false, updatedMs: 9, totalCost: "0" },
      { id: "c2", title: "Pinned old", pinned: true, updatedMs: 1, totalCost: "0" },
    ];
    await mountWith(api);
    await waitFor(() =>
      expect(
        screen.getAllByTestId("conversation").map((li) => li.textContent?.includes("Pinned old")),
        "pinned first",
      ).toEqual([true, false]),
    );

    await choose("Actions for Recent", "Rename");
    const field = screen.getByLabelText("New title");
    await fireEvent.input(field, { target: { value: "Renamed" } });
    await fireEvent.keyDown(field, { key: "Enter" });
    await waitFor(() =>
      expect(api.called("renameConversation"), "rename sends the new title").toEqual([
        ["c1", "Renamed"],
      ]),
    );

    await choose("Actions for Pinned old", "Unpin");
    expect(api.called("pinConversation"), "unpin").toEqual([["c2", false]]);

    await choose("Actions for Recent", "Delete");
    expect(api.called("deleteConversation"), "no delete before confirming").toEqual([]);
    const confirm = screen.getByRole("group", { name: "Confirm delete" });
    await fireEvent.click(within(confirm).getByRole("button", { name: "Delete" }));
    await waitFor(() =>
      expect(api.called("deleteConversation"), "deleted after confirm").toEqual([["c1"]]),
    );
  });
});

describe("columns, import and failures", () => {
  it("continues with a column, adds and removes columns", async () => {
    const api = fakeChatApi(twoColumns());
    await mountWith(api);
    await choose("Column 2 actions", "Continue with this column");
    expect(api.called("continueWithColumn"), "continue with column B").toEqual([["c1", "col-b"]]);
    await choose("Column 1 actions", "Remove column");
    const specs = api.called("setColumns")[0]?.[1] as { model: string }[];
    expect(
      specs.map((s) => s.model),
      "removing column 1 keeps column 2",
    ).toEqual(["anthropic/claude"]);
    await fireEvent.click(screen.getByRole("button", { name: "Add column" }));
    expect(api.called("setColumns").length, "adding a column sets columns").toBe(2);
  });

  it("imports a JSON file and opens it", async () => {
    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    const input = screen.getByLabelText("Import conversation JSON");
    const file = new File(['{"title":"x"}'], "conv.json", { type: "application/json" });
    await fireEvent.change(input, { target: { files: [file] } });
    await waitFor(() =>
      expect(api.called("importConversation"), "the file's text is imported").toEqual([
        ['{"title":"x"}'],
      ]),
    );
    await waitFor(() => expect(chat.view?.id, "the imported conversation opens").toBe("c1"));
  });

  it("a failed send shows the error and keeps the message in the composer", async () => {
    const api = fakeChatApi();
    api.send = async () => {
      throw { code: "auth", message: "OpenRouter rejected the key.", retryable: false };
    };
    await mountWith(api);
    const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
    await fireEvent.input(box, { target: { value: "keep me" } });
    await fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("alert")).textContent, "the message shows").toContain(
      "OpenRouter rejected the key.",
    );
    await waitFor(() => expect(box.value, "the text is not lost").toBe("keep me"));
  });
});

describe("search into a long conversation", () => {
  it("opens the conversation at the hit's turn", async () => {
    const turns = Array.from({ length: 5000 }, (_, i) =>
      turn({ id: `t${i}`, text: `message ${i}` }),
    );
    const api = fakeChatApi(conversation({ turns }));
    api.server.hits = [
      {
        conversationId: "c1",
        title: "First",
        turnId: "t4000",
        answerId: null,
        snippet: "message 4000",
        highlights: [[8, 12]],
      },
    ];
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await chat.search("4000");
    await fireEvent.click(await screen.findByTestId("search-hit"));
    await waitFor(() => expect(chat.scrollTarget, "the scroll request is consumed").toBeNull());
    await waitFor(() =>
      expect(
        document.querySelector('[data-turn-id="t4000"]'),
        "the hit's turn is rendered after opening",
      ).not.toBeNull(),
    );
    expect(screen.getAllByTestId("turn").length, "still virtualized").toBeLessThan(100);
  });
});

describe("waiting", () => {
  it("shows why an answer is held back until its text arrives, and clears when it ends", async () => {
    const api = fakeChatApi(twoColumns());
    const chat = await mountWith(api);
    const run = sendToBoth(api, chat, "hi");
    run.emit({
      type: "waiting",
      answerId: "a1",
      ms: 2000,
      reason: "rate limit openrouter: 60 requests/min reached",
    });
    run.emit({ type: "waiting", answerId: "b1", ms: 0, reason: "moving to the next target" });

    await waitFor(() => card("a1"));
    const line = await within(card("a1")).findByTestId("answer-waiting");
    expect(line.textContent?.trim(), "the wait and its reason").toBe(
      "Waiting ~2 s: rate limit openrouter: 60 requests/min reached",
    );
    expect(
      within(card("b1")).getByTestId("answer-waiting").textContent?.trim(),
      "a move to the next target has no duration",
    ).toBe("Waiting: moving to the next target");

    run.emit({ type: "textDelta", answerId: "a1", text: "Hello" });
    await waitFor(() =>
      expect(
        within(card("a1")).queryByTestId("answer-waiting"),
        "text arriving clears the line",
      ).toBeNull(),
    );
    await waitFor(() => expect(card("a1").textContent, "the text shows").toContain("Hello"));
    expect(within(card("b1")).queryByTestId("answer-waiting"), "B still waits").not.toBeNull();

    run.emit({
      type: "failed",
      answerId: "b1",
      error: { code: "rate_limited", message: "Every target is busy.", retryable: true },
      stats: stats(),
    });
    await waitFor(() =>
      expect(
        within(card("b1")).queryByTestId("answer-waiting"),
        "the answer ending clears the line",
      ).toBeNull(),
    );
    run.finish();
  });
});

describe("cost prediction", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A `predict` whose answers the test releases, in any order. */
  function deferredPredict(api: FakeChatApi) {
    const pending: { input: PredictInput; resolve: (p: CostPrediction[]) => void }[] = [];
    api.predict = (input) =>
      new Promise((resolve) => {
        pending.push({ input, resolve });
      });
    return pending;
  }

  it("asks once typing pauses, never for an empty draft, and ignores stale answers", async () => {
    const api = fakeChatApi(twoColumns());
    const pending = deferredPredict(api);
    const chat = new ChatState(api);
    await chat.open("c1");
    vi.useFakeTimers();

    chat.schedulePrediction("h", []);
    vi.advanceTimersByTime(100);
    chat.schedulePrediction("he", []);
    vi.advanceTimersByTime(PREDICT_DEBOUNCE_MS - 1);
    expect(pending.length, "nothing asked while typing").toBe(0);
    vi.advanceTimersByTime(1);
    expect(
      pending.map((p) => p.input.text),
      "one request, for the latest draft",
    ).toEqual(["he"]);
    const first = pending[0]?.input;
    expect(first?.conversationId, "the open conversation").toBe("c1");
    expect(
      first?.columns.map((c) => [c.id, c.spec.model]),
      "every active column with its spec",
    ).toEqual([
      ["col-a", "openai/gpt-4o-mini"],
      ["col-b", "anthropic/claude"],
    ]);

    chat.schedulePrediction("hello", []);
    vi.advanceTimersByTime(PREDICT_DEBOUNCE_MS);
    expect(pending.length, "a second request for the newer draft").toBe(2);
    pending[1]?.resolve([
      prediction({ columnId: "col-a", promptTokens: 5 }),
      prediction({ columnId: "col-b", promptTokens: 6 }),
    ]);
    await vi.waitFor(() =>
      expect(chat.predictions["col-a"]?.promptTokens, "the newer answer shows").toBe(5),
    );
    pending[0]?.resolve([
      prediction({ columnId: "col-a", promptTokens: 2 }),
      prediction({ columnId: "col-b", promptTokens: 3 }),
    ]);
    await Promise.resolve();
    await Promise.resolve();
    expect(chat.predictions["col-a"]?.promptTokens, "the stale answer is ignored").toBe(5);

    chat.schedulePrediction("again", []);
    chat.schedulePrediction("   ", []);
    vi.advanceTimersByTime(PREDICT_DEBOUNCE_MS * 2);
    expect(pending.length, "an empty draft asks nothing and cancels the pending one").toBe(2);
    expect(chat.predictions, "and clears the prediction").toEqual({});
  });

  it("shows each column's prediction as the user types, with unknown prices as such", async () => {
    const api = fakeChatApi(twoColumns());
    api.predict = async (input) => {
      api.calls.push({ name: "predict", args: [input] });
      return [
        prediction({
          columnId: "col-a",
          promptTokens: 1240,
          countedWith: "o200k_base",
          inputCost: "0.0019",
          maxCost: "0.0121",
        }),
        prediction({
          columnId: "col-b",
          promptTokens: 1300,
          countedWith: "about 4 characters per token",
          inputCost: null,
          maxCost: null,
        }),
      ];
    };
    await mountWith(api);
    expect(screen.queryAllByTestId("cost-prediction"), "nothing before typing").toEqual([]);

    const box = screen.getByLabelText("Message");
    await fireEvent.input(box, { target: { value: "Compare" } });
    await fireEvent.input(box, { target: { value: "Compare these" } });
    await waitFor(() =>
      expect(screen.getAllByTestId("cost-prediction").length, "one per column").toBe(2),
    );
    const shown = screen.getAllByTestId("cost-prediction").map((e) => e.textContent?.trim());
    expect(shown, "tokens, tokenizer and costs").toEqual([
      "~1,240 tokens (o200k_base) · $0.0019 in · up to $0.0121",
      "~1,300 tokens (about 4 characters per token) · price unknown",
    ]);
    expect(
      api.called("predict").map((a) => (a[0] as PredictInput).text),
      "debounced: asked once, for the whole draft",
    ).toEqual(["Compare these"]);

    await fireEvent.input(box, { target: { value: "" } });
    await waitFor(() =>
      expect(screen.queryAllByTestId("cost-prediction"), "an empty draft clears it").toEqual([]),
    );
    expect(api.called("predict").length, "and asks nothing").toBe(1);
  });
});

describe("route and task", () => {
  it("saves the chosen route and task tag into the column's params", async () => {
    const api = fakeChatApi(twoColumns());
    api.server.routes = ["cheap-first", "code-fallbacks"];
    await mountWith(api);
    await waitFor(() => expect(api.called("routes").length, "routes load on mount").toBe(1));
    expect(screen.queryByTestId("column-route"), "no badge without a route").toBeNull();

    const summary = screen.getAllByRole("button", { name: "default parameters" })[1];
    if (!summary) throw new Error("no second column");
    await fireEvent.click(summary);
    const select = screen.getByLabelText("Route") as HTMLSelectElement;
    expect(
      Array.from(select.options).map((o) => o.textContent),
      "the model itself, then the saved routes",
    ).toEqual(["the model itself", "cheap-first", "code-fallbacks"]);
    await fireEvent.change(select, { target: { value: "code-fallbacks" } });
    await fireEvent.input(screen.getByLabelText("Task tag"), { target: { value: " code " } });
    await fireEvent.click(screen.getByRole("button", { name: "Apply" }));

    const specs = api.called("setColumns")[0]?.[1] as ColumnSpec[];
    expect(specs[1]?.params, "route and task saved on column 2").toMatchObject({
      route: "code-fallbacks",
      task: "code",
    });
    expect(specs[0]?.params.route ?? null, "column 1 unchanged").toBeNull();
  });

  it("shows a 'via route' badge on a column that sends through a route", async () => {
    const view = twoColumns();
    const second = view.columns[1];
    if (!second) throw new Error("no second column");
    second.spec.params = { ...second.spec.params, route: "cheap-first", task: "summarize" };
    const api = fakeChatApi(view);
    await mountWith(api);
    const badges = await screen.findAllByTestId("column-route");
    expect(
      badges.map((b) => b.textContent?.trim()),
      "one badge, on that column",
    ).toEqual(["via route cheap-first"]);
    expect(screen.getByText(/task summarize/), "the task tag in the summary").toBeTruthy();
  });

  it("summarizes sampling params the backend leaves out as defaults, and set ones by name", async () => {
    const view = twoColumns();
    const [first, second] = view.columns;
    if (!first || !second) throw new Error("two columns");
    // Unset sampling params are left out of the JSON (snake_case, skipped when unset).
    first.spec.params = { system: null };
    second.spec.params = { system: null, max_tokens: 300, reasoning_effort: "low" };
    await mountWith(fakeChatApi(view));
    expect(screen.getByRole("button", { name: "default parameters" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "max 300 · effort low" })).toBeTruthy();
  });
});

describe("chat with this", () => {
  afterEach(() => {
    navigation.chatWith = null;
  });

  const handed: ColumnSpec = {
    provider: "anthropic",
    model: "claude-sonnet-4",
    params: { temperature: null, max_tokens: null, reasoning_effort: null, system: null },
  };

  it("starts a new conversation with the handed-over columns when Chat shows", async () => {
    navigation.openChat([handed]);
    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await waitFor(() =>
      expect(api.called("createConversation"), "created with the given column").toEqual([
        [[handed]],
      ]),
    );
    expect(navigation.chatWith, "handed over once").toBeNull();
    await waitFor(() => expect(chat.view?.id, "and opened").toBe("c1"));
  });

  it("also when the columns arrive while Chat is showing; nothing without them", async () => {
    const api = fakeChatApi();
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.modelsLoaded, "loaded").toBe(true));
    expect(api.called("createConversation"), "no hand-off, no conversation").toEqual([]);
    navigation.openChat([handed, handed]);
    await waitFor(() =>
      expect(api.called("createConversation"), "created with both columns").toEqual([
        [[handed, handed]],
      ]),
    );
  });
});

describe("verdicts", () => {
  it("thumbs rate one answer; 'Best of these' makes the winner win and the others lose", async () => {
    const api = fakeChatApi(twoColumns());
    const chat = await mountWith(api);
    const run = sendToBoth(api, chat, "hi");
    run.emit({ type: "textDelta", answerId: "a1", text: "Alpha" });
    run.emit({ type: "textDelta", answerId: "b1", text: "Beta" });
    expect(
      within(await waitFor(() => card("a1"))).queryByTestId("answer-verdict"),
      "no verdict while streaming",
    ).toBeNull();
    run.emit({
      type: "finished",
      answerId: "a1",
      status: "complete",
      citations: [],
      stats: stats(),
    });
    run.emit({
      type: "finished",
      answerId: "b1",
      status: "complete",
      stats: stats(),
      citations: [],
    });

    await waitFor(() => expect(card("a1").getAttribute("class")).toContain("complete"));
    // Rows of the virtual list are not "accessible" to jsdom's role queries; labels are.
    const up = await within(card("a1")).findByLabelText("Good answer");
    await fireEvent.click(up);
    await waitFor(() => expect(api.called("rate")).toEqual([["a1", "thumb_up"]]));
    await waitFor(() => expect(up.getAttribute("aria-pressed")).toBe("true"));

    await fireEvent.click(within(card("b1")).getByText("Best of these"));
    await waitFor(() =>
      expect(api.called("rate").slice(1)).toEqual([
        ["a1", "lost_comparison"],
        ["b1", "won_comparison"],
      ]),
    );
    await waitFor(() => expect(within(card("b1")).getByTestId("badge-best")).toBeTruthy());
    expect(
      within(card("a1")).getByLabelText("Good answer").getAttribute("aria-pressed"),
      "picking the best did not clear the earlier thumb",
    ).toBe("true");
    run.finish();
  });

  it("a reopened conversation shows the thumbs and the best pick it was given", async () => {
    const view = twoColumns();
    view.turns = [
      turn({
        id: "t1",
        answers: [
          answer({ id: "a1", columnId: "col-a", content: "A", thumb: "down" }),
          answer({ id: "b1", columnId: "col-b", content: "B", thumb: "up", best: true }),
        ],
      }),
    ];
    await mountWith(fakeChatApi(view));
    await waitFor(() => expect(card("a1")).toBeTruthy());
    expect(within(card("a1")).getByLabelText("Poor answer").getAttribute("aria-pressed")).toBe(
      "true",
    );
    expect(within(card("b1")).getByLabelText("Good answer").getAttribute("aria-pressed")).toBe(
      "true",
    );
    expect(within(card("b1")).getByTestId("badge-best")).toBeTruthy();
    expect(within(card("a1")).queryByTestId("badge-best")).toBeNull();
  });
});

describe("badges", () => {
  it("a tie for the lowest cost or time marks no single answer", () => {
    const tied = ["a", "b", "c"].map((id) =>
      answer({ id, columnId: id, stats: stats({ cost: "0.001", latencyMs: 500 }) }),
    );
    expect(pickBadges(tied)).toEqual({ fastest: null, cheapest: null });
    const [first, ...rest] = tied;
    if (!first) throw new Error("no answer");
    const cheaper = { ...first, stats: stats({ cost: "0.0009", latencyMs: 400 }) };
    expect(pickBadges([cheaper, ...rest])).toEqual({ fastest: "a", cheapest: "a" });
  });
});
