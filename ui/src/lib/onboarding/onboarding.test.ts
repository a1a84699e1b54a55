import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { ProvidersOverview, ServedModels } from "../ipc/client";
import { AppError } from "../ipc/errors";
import ConnectProvider from "./ConnectProvider.svelte";
import { ConnectState, type ConnectApi } from "./connect.svelte";
import { FirstRunState, hasProvider } from "./firstRun.svelte";
import { LOCAL, overview, withKey } from "./testing/fakes";

describe("the first-run decision", () => {
  test.each([
    ["no key and no provider", overview(), false],
    ["a saved OpenRouter key", withKey(overview(), "openrouter"), true],
    [
      "an Anthropic key from the environment",
      withKey(overview(), "anthropic", "environment"),
      true,
    ],
    ["a local server without a key", overview([LOCAL]), true],
  ])("%s: can chat = %s", (_, o, can) => {
    expect(hasProvider(o)).toBe(can);
  });

  test("no key: the connect view shows; skipping hides it for this run", async () => {
    const run = new FirstRunState({ providersOverview: async () => overview() });
    expect(run.deciding, "nothing shown before the backend answers").toBe(true);
    expect(run.show).toBe(false);
    await run.check();
    expect(run.show).toBe(true);
    run.skip();
    expect(run.show).toBe(false);
    await run.check();
    expect(run.show, "skipping holds until the app closes").toBe(false);
  });

  test("a key or a custom provider: straight to Chat", async () => {
    for (const o of [withKey(overview(), "openai"), overview([LOCAL])]) {
      const run = new FirstRunState({ providersOverview: async () => o });
      await run.check();
      expect(run.show).toBe(false);
      expect(run.deciding).toBe(false);
    }
  });

  test("decided from the providers read at launch, without asking", () => {
    const asked: string[] = [];
    const run = new FirstRunState({
      providersOverview: async () => (asked.push("overview"), overview()),
    });
    run.decide(withKey(overview(), "openrouter"));
    expect(run.deciding).toBe(false);
    expect(run.show).toBe(false);
    run.decide(overview());
    expect(run.show, "a later decision counts too").toBe(true);
    expect(asked).toEqual([]);
  });

  test("a key added elsewhere (Settings) ends it at the next check", async () => {
    let current = overview();
    const run = new FirstRunState({ providersOverview: async () => current });
    await run.check();
    expect(run.show).toBe(true);
    current = withKey(current, "openrouter");
    await run.check();
    expect(run.show).toBe(false);
  });

  test("while a connect is being checked, changes do not end it early", async () => {
    let current = overview();
    const run = new FirstRunState({ providersOverview: async () => current });
    await run.check();
    run.busy = true;
    current = withKey(current, "openrouter");
    await run.check();
    expect(run.show, "still up: the key may yet be refused").toBe(true);
  });

  test("without an engine, Chat shows (and says why) rather than a view that cannot connect", async () => {
    const run = new FirstRunState({
      providersOverview: async () => {
        throw new AppError({ code: "internal", message: "no engine", retryable: false });
      },
    });
    await run.check();
    expect(run.show).toBe(false);
    expect(run.deciding).toBe(false);
  });
});

/** A backend with one provider list that the calls change, and a record of the calls. */
function fakeApi(start: ProvidersOverview = overview()) {
  let current = start;
  const served: ServedModels = {
    provider: LOCAL.id,
    providerName: "Ollama",
    models: ["llama3.2", "qwen3"],
    fetchedMs: 1,
    fromCache: false,
    notice: null,
  };
  const api = {
    providersOverview: vi.fn(async () => current),
    keySave: vi.fn(async (id: string) => (current = withKey(current, id))),
    keyRemove: vi.fn(async () => (current = overview())),
    keyTest: vi.fn(async () => ({ latencyMs: 42, modelsVisible: 312, openrouter: null })),
    customProviderAdd: vi.fn(async (input: { name: string; baseUrl: string }) => {
      current = overview([{ ...LOCAL, name: input.name, baseUrl: input.baseUrl }]);
      return current;
    }),
    customProviderRemove: vi.fn(async () => (current = overview())),
    servedModels: vi.fn(async (): Promise<ServedModels> => served),
    openrouterSignIn: vi.fn(async () => {
      current = withKey(current, "openrouter");
      return { providers: current, limit: { status: "notRequested" as const } };
    }),
    openrouterSignInCancel: vi.fn(async () => true),
  };
  return { api, served };
}

function show(api: ReturnType<typeof fakeApi>["api"]) {
  const done = vi.fn();
  const skip = vi.fn();
  const settings = vi.fn();
  render(ConnectProvider, {
    props: {
      ondone: done,
      onskip: skip,
      onsettings: settings,
      connection: new ConnectState(api as unknown as ConnectApi),
    },
  });
  return { done, skip, settings };
}

const byId = (id: string) => screen.getByTestId(id);

describe("Connect a provider", () => {
  let fake: ReturnType<typeof fakeApi>;
  beforeEach(() => {
    fake = fakeApi();
  });

  test("offers OpenRouter with a link to where keys are made, OpenAI, Anthropic and a local server", () => {
    show(fake.api);
    expect(byId("connect-provider")).toBeInTheDocument();
    for (const id of ["openrouter", "openai", "anthropic"]) {
      expect(byId(`connect-${id}-key`)).toHaveAttribute("type", "password");
      expect(byId(`connect-${id}`), "nothing to connect yet").toBeDisabled();
    }
    const link = screen.getByRole("link", { name: /openrouter\.ai\/keys/ });
    expect(link, "opened through the link guard").toHaveAttribute(
      "href",
      "https://openrouter.ai/keys",
    );
    expect(screen.getByText(/hundreds of models/)).toBeInTheDocument();
    expect(byId("connect-local-url")).toHaveValue("http://127.0.0.1:11434/v1");
  });

  test("an OpenRouter key is saved, checked on the spot, and leads on to Chat", async () => {
    const { done } = show(fake.api);
    await fireEvent.input(byId("connect-openrouter-key"), {
      target: { value: "  sk-or-v1-good  " },
    });
    await fireEvent.click(byId("connect-openrouter"));
    await waitFor(() => expect(done).toHaveBeenCalledOnce());
    expect(fake.api.keySave).toHaveBeenCalledWith("openrouter", "sk-or-v1-good");
    expect(fake.api.keyTest).toHaveBeenCalledWith("openrouter");
    expect(byId("connect-openrouter-outcome")).toHaveTextContent("Key works · 42 ms");
    expect(byId("connect-openrouter-key"), "the key does not stay in the page").toHaveValue("");
  });

  test("a refused key shows why, is not kept, and stays on this view", async () => {
    fake.api.keyTest.mockRejectedValueOnce(
      new AppError({
        code: "auth",
        message: "OpenAI rejected the key (401): Incorrect API key provided.",
        retryable: false,
      }),
    );
    const { done } = show(fake.api);
    await fireEvent.input(byId("connect-openai-key"), { target: { value: "sk-bad" } });
    await fireEvent.click(byId("connect-openai"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("OpenAI rejected the key (401): Incorrect API key provided.");
    expect(alert).toHaveTextContent("The key was not kept");
    expect(fake.api.keyRemove).toHaveBeenCalledWith("openai");
    expect(done).not.toHaveBeenCalled();
    expect(byId("connect-openai"), "can try again").toBeEnabled();
  });

  test("a key that could not be checked is kept, and the user may go on anyway", async () => {
    fake.api.keyTest.mockRejectedValueOnce(
      new AppError({ code: "network", message: "No connection.", retryable: true }),
    );
    const { done } = show(fake.api);
    await fireEvent.input(byId("connect-anthropic-key"), { target: { value: "sk-ant-x" } });
    await fireEvent.click(byId("connect-anthropic"));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The Anthropic key is saved, but checking it failed: No connection.",
    );
    expect(fake.api.keyRemove).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Continue anyway" }));
    expect(done).toHaveBeenCalledOnce();
  });

  test("a preset fills in the local server, which is added and its models listed", async () => {
    const { done } = show(fake.api);
    await fireEvent.click(byId("connect-local-preset-lmstudio"));
    expect(byId("connect-local-url")).toHaveValue("http://127.0.0.1:1234/v1");
    expect(byId("connect-local-name")).toHaveValue("LM Studio");
    expect(byId("connect-local-preset-lmstudio")).toHaveAttribute("aria-pressed", "true");
    expect(byId("connect-local-preset-ollama")).toHaveAttribute("aria-pressed", "false");
    for (const [id, url] of [
      ["llamacpp", "http://127.0.0.1:8080/v1"],
      ["vllm", "http://127.0.0.1:8000/v1"],
      ["ollama", "http://127.0.0.1:11434/v1"],
    ]) {
      await fireEvent.click(byId(`connect-local-preset-${id}`));
      expect(byId("connect-local-url")).toHaveValue(url);
    }
    await fireEvent.click(byId("connect-local-preset-lmstudio"));
    await fireEvent.click(byId("connect-local"));
    await waitFor(() => expect(done).toHaveBeenCalledOnce());
    expect(fake.api.customProviderAdd).toHaveBeenCalledWith({
      name: "LM Studio",
      baseUrl: "http://127.0.0.1:1234/v1",
      apiKey: null,
    });
    expect(fake.api.servedModels, "asks the server itself").toHaveBeenCalledWith(LOCAL.id, true);
    expect(byId("connect-local-outcome")).toHaveTextContent("Connected to LM Studio · 2 models");
  });

  test("a server that does not answer shows why and is not kept", async () => {
    fake.api.servedModels.mockResolvedValueOnce({
      ...fake.served,
      models: [],
      fetchedMs: null,
      fromCache: false,
      notice:
        "Ollama's models could not be listed (connection refused). Check that the server answers at http://127.0.0.1:11434/v1, then refresh.",
    });
    const { done } = show(fake.api);
    await fireEvent.click(byId("connect-local"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Ollama's models could not be listed (connection refused).");
    expect(alert).toHaveTextContent("Nothing was saved; press Connect to try again.");
    expect(alert).not.toHaveTextContent("then refresh");
    expect(fake.api.customProviderRemove).toHaveBeenCalledWith(LOCAL.id);
    expect(done).not.toHaveBeenCalled();
  });

  test("Skip for now and Settings leave the view", async () => {
    const { skip, settings } = show(fake.api);
    await fireEvent.click(byId("connect-skip"));
    expect(skip).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole("button", { name: "More options in Settings" }));
    expect(settings).toHaveBeenCalledOnce();
  });

  test("without a keychain, keys cannot be pasted but a local server can connect", async () => {
    fake = fakeApi(overview([], false));
    show(fake.api);
    await waitFor(() => expect(byId("connect-openrouter-key")).toBeDisabled());
    expect(screen.getByRole("status")).toHaveTextContent("keys cannot be saved");
    expect(byId("connect-local")).toBeEnabled();
  });

  test("Sign in with OpenRouter saves through the browser flow and goes on to Chat", async () => {
    const { done } = show(fake.api);
    await fireEvent.click(byId("connect-sign-in"));
    await waitFor(() => expect(done).toHaveBeenCalledOnce());
    expect(fake.api.openrouterSignIn).toHaveBeenCalledWith(null);
    expect(fake.api.keySave).not.toHaveBeenCalled();
    expect(byId("connect-openrouter-outcome")).toHaveTextContent("Signed in with OpenRouter");
  });

  test("a cancelled sign-in says nothing and stays; a declined one says why", async () => {
    let reject: (e: unknown) => void = () => {};
    fake.api.openrouterSignIn.mockImplementationOnce(() => new Promise((_, r) => (reject = r)));
    const { done } = show(fake.api);
    await fireEvent.click(byId("connect-sign-in"));
    await waitFor(() => expect(byId("connect-sign-in-cancel")).toBeInTheDocument());
    expect(byId("connect-openrouter-outcome")).toHaveTextContent("Waiting for OpenRouter");
    await fireEvent.click(byId("connect-sign-in-cancel"));
    expect(fake.api.openrouterSignInCancel).toHaveBeenCalledOnce();
    reject({
      code: "cancelled",
      message: "Sign-in cancelled. Nothing was saved.",
      retryable: false,
    });
    await waitFor(() => expect(byId("connect-sign-in")).toBeInTheDocument());
    expect(byId("connect-openrouter-outcome")).toBeEmptyDOMElement();
    expect(done).not.toHaveBeenCalled();

    fake.api.openrouterSignIn.mockRejectedValueOnce({
      code: "auth",
      message: "You declined on OpenRouter. Nothing was saved.",
      retryable: false,
    });
    await fireEvent.click(byId("connect-sign-in"));
    await waitFor(() =>
      expect(byId("connect-openrouter-outcome")).toHaveTextContent("You declined on OpenRouter"),
    );
    expect(done).not.toHaveBeenCalled();
  });
});
