import { afterEach, describe, expect, it, vi } from "vitest";
import type {
  ConversationPage,
  ConversationSummary,
  Preferences,
  ProvidersOverview,
} from "../ipc/client";
import { readLaunch, type LaunchApi } from "./launch";

const overview = { keychain: { available: true }, providers: [] } as unknown as ProvidersOverview;
const preferences = { theme: "dark" } as unknown as Preferences;
const list: ConversationSummary[] = [
  { id: "c1", title: "One", pinned: false, updatedMs: 1, totalCost: "0" },
];
const page = { view: { id: "c1" }, skipped: 0 } as unknown as ConversationPage;

/** The launch calls over plain data, each logged. */
function fakeLaunchApi(over: Partial<LaunchApi> = {}): LaunchApi & { asked: unknown[][] } {
  const asked: unknown[][] = [];
  return {
    asked,
    providersOverview: async () => (asked.push(["providersOverview"]), overview),
    settingsGet: async () => (asked.push(["settingsGet"]), preferences),
    lastConversationGet: async () => (asked.push(["lastConversationGet"]), "c1"),
    listConversationPage: async (...args) => (asked.push(["listConversationPage", ...args]), list),
    openConversationPage: async (...args) => (asked.push(["openConversationPage", ...args]), page),
    ...over,
  };
}

const sizes = { sidebar: 100, turns: 50 };

describe("the launch reads", () => {
  afterEach(() => vi.useRealTimers());

  it("reads everything the first screen shows, at the sizes it asks for", async () => {
    const api = fakeLaunchApi();
    const launch = await readLaunch(api, sizes, 1000);
    expect(launch).toEqual({
      overview,
      preferences,
      conversations: list,
      lastConversation: "c1",
      page,
    });
    expect(api.asked).toContainEqual(["listConversationPage", null, 100]);
    expect(api.asked).toContainEqual(["openConversationPage", "c1", null, 50]);
  });

  it("leaves out a read that failed, and reads no page when nothing is to reopen", async () => {
    const api = fakeLaunchApi({
      providersOverview: () => Promise.reject(new Error("no keychain")),
      settingsGet: () => {
        throw new Error("no backend"); // before any promise exists
      },
      lastConversationGet: async () => null,
    });
    const launch = await readLaunch(api, sizes, 1000);
    expect(launch.overview).toBeUndefined();
    expect(launch.preferences).toBeUndefined();
    expect(launch.lastConversation).toBeNull();
    expect(launch.page).toBeUndefined();
    expect(launch.conversations).toEqual(list);
    expect(api.asked.map((a) => a[0])).not.toContain("openConversationPage");
  });

  it("does not wait past its deadline for a slow read, and ignores it when it lands", async () => {
    vi.useFakeTimers();
    let unlock: (o: ProvidersOverview) => void = () => {};
    const api = fakeLaunchApi({
      // A keychain waiting for the person to unlock it.
      providersOverview: () => new Promise<ProvidersOverview>((resolve) => (unlock = resolve)),
    });
    const reading = readLaunch(api, sizes, 500);
    await vi.advanceTimersByTimeAsync(500);
    const launch = await reading;
    expect(launch.overview).toBeUndefined();
    expect(launch.preferences).toEqual(preferences);
    unlock(overview);
    await vi.advanceTimersByTimeAsync(1);
    expect(launch.overview, "what was handed out does not change").toBeUndefined();
  });
});
