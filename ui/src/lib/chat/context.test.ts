import { render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import ChatView from "./ChatView.svelte";
import { ChatState } from "./chat.svelte";
import { compactTokens, describeContext, latestPromptTokens } from "./context";
import { answer, column, conversation, fakeChatApi, model, stats, turn } from "./testing/fakeApi";
import { setUpChatScreen } from "./testing/screen";

vi.mock("../ipc/chat", () => ({ chatApi: {} }));

describe("context meter maths", () => {
  it("takes the latest answer in the column that reported its prompt", () => {
    const turns = [
      turn({
        id: "t1",
        answers: [
          answer({ id: "a1", columnId: "A", stats: stats({ promptTokens: 900 }) }),
          answer({ id: "b1", columnId: "B", stats: stats({ promptTokens: 950 }) }),
        ],
      }),
      turn({
        id: "t2",
        answers: [
          answer({ id: "a2", columnId: "A", stats: stats({ promptTokens: 2400 }) }),
          // Failed before usage came back: the previous figure still stands.
          answer({ id: "b2", columnId: "B", status: "failed", stats: stats({ promptTokens: 0 }) }),
        ],
      }),
    ];
    expect(latestPromptTokens(turns, "A")).toBe(2400);
    expect(latestPromptTokens(turns, "B")).toBe(950);
    expect(latestPromptTokens(turns, "C"), "nothing sent yet").toBeNull();
  });

  it("writes counts short", () => {
    expect(compactTokens(950)).toBe("950");
    expect(compactTokens(12_345)).toBe("12.3k");
    expect(compactTokens(8000)).toBe("8k");
    expect(compactTokens(128_000)).toBe("128k");
    expect(compactTokens(1_048_576)).toBe("1.05M");
    expect(compactTokens(2_000_000)).toBe("2M");
  });

  it("shows tokens against the window, and warns above 80%", () => {
    const low = describeContext(12_345, 128_000);
    expect(low.label).toBe("12.3k / 128k");
    expect(low.share).toBeCloseTo(0.0964, 3);
    expect(low.warn).toBe(false);
    expect(low.title).toContain("12,345 of the 128,000 tokens");

    expect(describeContext(102_400, 128_000).warn, "exactly 80% is not yet a warning").toBe(false);
    const high = describeContext(102_401, 128_000);
    expect(high.warn).toBe(true);
    expect(describeContext(200_000, 128_000).share, "clamped to a full bar").toBe(1);
  });

  it("shows tokens only when the window is unknown", () => {
    const unknown = describeContext(4200, null);
    expect(unknown.label).toBe("4.2k tokens");
    expect(unknown.share).toBeNull();
    expect(unknown.warn).toBe(false);
    expect(describeContext(null, 128_000).label, "before the first answer").toBe("0 / 128k");
  });
});

describe("context meter in the column header", () => {
  setUpChatScreen();

  it("shows each column's prompt against its model's window from the catalogue", async () => {
    const view = conversation({
      columns: [column("col-a", 0, "small/model"), column("col-b", 1, "mystery/model")],
      turns: [
        turn({
          id: "t1",
          answers: [
            answer({ id: "a1", columnId: "col-a", stats: stats({ promptTokens: 7000 }) }),
            answer({ id: "b1", columnId: "col-b", stats: stats({ promptTokens: 1500 }) }),
          ],
        }),
      ],
    });
    const api = fakeChatApi(view, [
      model({ id: "small/model", contextLength: 8000 }),
      model({ id: "mystery/model", contextLength: null }),
    ]);
    const chat = new ChatState(api);
    render(ChatView, { api, chat });
    await waitFor(() => expect(chat.view?.turns.length).toBe(1));
    const headers = screen.getAllByTestId("column-header");
    const [a, b] = headers.map((h) => within(h).getByTestId("context-meter"));
    expect(a?.textContent?.trim()).toBe("7k / 8k");
    expect(a?.dataset.warn, "87.5% of the window").toBe("true");
    expect(a?.getAttribute("role")).toBe("meter");
    expect(a?.title).toContain("7,000 of the 8,000 tokens");
    expect(b?.textContent?.trim(), "unknown window: tokens only").toBe("1.5k tokens");
    expect(b?.dataset.warn).toBe("false");
  });
});
