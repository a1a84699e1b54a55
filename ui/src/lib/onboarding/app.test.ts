import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, test, vi } from "vitest";
import App from "../../App.svelte";
import { api, type ProvidersOverview } from "../ipc/client";
import { navigation } from "../shared/navigation.svelte";
import { firstRun } from "./firstRun.svelte";
import { LOCAL, overview, withKey } from "./testing/fakes";

// The whole app, with the backend faked and the Chat screen stubbed: what matters here is
// which view the Chat screen shows.
vi.mock("../chat/ChatView.svelte", async () => ({
  default: (await import("./testing/ChatStub.svelte")).default,
}));
vi.mock("../ipc/client", async (importOriginal) => {
  const real = await importOriginal<typeof import("../ipc/client")>();
  const none = () => () => {};
  return {
    ...real,
    api: {
      ...real.api,
      settingsGet: vi.fn(async () => {
        throw new real.AppError({ code: "internal", message: "no engine", retryable: false });
      }),
      providersOverview: vi.fn(),
      keySave: vi.fn(),
      keyTest: vi.fn(async () => ({ latencyMs: 5, modelsVisible: 300, openrouter: null })),
    },
    onProvidersChanged: none,
    onSettingsChanged: none,
    onBudgetAlerted: none,
  };
});

function backendWith(o: ProvidersOverview) {
  vi.mocked(api.providersOverview).mockResolvedValue(o);
}

beforeEach(() => {
  firstRun.needed = null;
  firstRun.skipped = false;
  firstRun.busy = false;
  navigation.go("chat");
});

describe("the app opens on", () => {
  test("Connect a provider when there is no key and no provider; the nav stays usable", async () => {
    backendWith(overview());
    render(App);
    expect(await screen.findByTestId("connect-provider")).toBeInTheDocument();
    expect(screen.queryByTestId("chat-view")).toBeNull();
    expect(screen.getByRole("button", { name: "Chat" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("button", { name: "Settings" })).toBeEnabled();
  });

  test.each([
    ["a saved key", withKey(overview(), "openrouter")],
    ["a key from the environment", withKey(overview(), "openai", "environment")],
    ["a custom provider", overview([LOCAL])],
  ])("Chat when there is %s", async (_, o) => {
    backendWith(o);
    render(App);
    expect(await screen.findByTestId("chat-view")).toBeInTheDocument();
    expect(screen.queryByTestId("connect-provider")).toBeNull();
  });

  test("Chat at once when the launch reads decided it, without asking the backend again", async () => {
    vi.mocked(api.providersOverview).mockClear();
    vi.mocked(api.settingsGet).mockClear();
    firstRun.decide(withKey(overview(), "openrouter"));
    render(App, { themeRead: true });
    expect(screen.getByTestId("chat-view"), "in the first render").toBeInTheDocument();
    expect(api.providersOverview).not.toHaveBeenCalled();
    expect(api.settingsGet, "the theme was applied from the launch reads").not.toHaveBeenCalled();
  });

  test("Chat after Skip for now", async () => {
    backendWith(overview());
    render(App);
    await fireEvent.click(await screen.findByTestId("connect-skip"));
    await waitFor(() => expect(screen.getByTestId("chat-view")).toBeInTheDocument());
  });
});

test("connecting a provider lands in Chat", async () => {
  backendWith(overview());
  vi.mocked(api.keySave).mockImplementation(async (id) => {
    const saved = withKey(overview(), id);
    backendWith(saved);
    return saved;
  });
  render(App);
  const key = await screen.findByTestId("connect-openrouter-key");
  await fireEvent.input(key, { target: { value: "sk-or-v1-x" } });
  await fireEvent.click(screen.getByTestId("connect-openrouter"));
  expect(await screen.findByTestId("chat-view")).toBeInTheDocument();
  expect(api.keyTest).toHaveBeenCalledWith("openrouter");
  expect(navigation.screen).toBe("chat");
});
