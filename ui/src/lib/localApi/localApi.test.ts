import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { ClientKeyView, LocalApiStatus, Preferences } from "../ipc/client";
import {
  KEY_PLACEHOLDER,
  LocalApiState,
  parsePort,
  type LocalApiScreenApi,
} from "./localApi.svelte";
import LocalApiView from "./LocalApiView.svelte";

const PREFS: Preferences = {
  theme: "system",
  attribution: { referer: "", title: "" },
  streams: { firstEventSecs: 120, idleSecs: 120, maxEventMib: 32 },
  baseUrls: { openrouter: null, openai: null, anthropic: null },
  localApi: { startWithApp: false, port: 4242 },
  chat: { sendKey: "ctrl_enter" },
};

const OFF: LocalApiStatus = { running: false, origin: null, inFlight: 0, served: 0 };

function fakeApi(routes: string[] = []) {
  let prefs = structuredClone(PREFS);
  let status = OFF;
  let keys: ClientKeyView[] = [];
  const calls = { started: [] as number[], stopped: 0, saved: [] as Preferences[] };
  const api = {
    settingsGet: async () => prefs,
    settingsSave: async (p: Preferences) => {
      calls.saved.push(p);
      prefs = p;
      return p;
    },
    routingGet: async () => ({ routes: routes.map((name) => ({ name })) }),
    localApiStatus: async () => status,
    localApiStart: async (port: number) => {
      calls.started.push(port);
      status = { running: true, origin: `http://127.0.0.1:${port}`, inFlight: 0, served: 3 };
      return status;
    },
    localApiStop: async () => {
      calls.stopped += 1;
      status = OFF;
      return status;
    },
    clientKeysList: async () => keys,
    clientKeyCreate: async (name: string) => {
      if (keys.some((k) => k.name === name && k.revokedMs === null)) {
        throw { code: "invalid_input", message: `A key named ${name} exists.`, retryable: false };
      }
      const key: ClientKeyView = {
        id: `id-${name}`,
        name,
        masked: "sb-…wxyz",
        createdMs: 1,
        revokedMs: null,
        lastUsedMs: null,
      };
      keys = [...keys, key];
      return { key, secret: `sb-secret-for-${name}-wxyz` };
    },
    clientKeyRevoke: async (id: string) => {
      keys = keys.map((k) => (k.id === id ? { ...k, revokedMs: 2 } : k));
      return keys.find((k) => k.id === id);
    },
  } as unknown as LocalApiScreenApi;
  return { api, calls };
}

describe("ports", () => {
  it("takes whole user ports only", () => {
    expect(parsePort("4242")).toBe(4242);
    expect(parsePort(" 65535 ")).toBe(65535);
    for (const bad of ["80", "1023", "65536", "42.5", "", "abc", "4242x"]) {
      expect(parsePort(bad), bad).toBeNull();
    }
  });
});

describe("the Local API screen", () => {
  it("turns the server on, shows where it serves, and remembers it for the next launch", async () => {
    const { api, calls } = fakeApi(["cheap"]);
    render(LocalApiView, { localApi: new LocalApiState(api) });
    const toggle = await screen.findByTestId("local-api-switch");
    await waitFor(() => expect(toggle).toBeEnabled());
    expect(screen.getByTestId("local-api-state")).toHaveTextContent("Off");
    await fireEvent.click(toggle);
    await waitFor(() =>
      expect(screen.getByTestId("local-api-state")).toHaveTextContent(
        "Serving at http://127.0.0.1:4242",
      ),
    );
    expect(calls.started).toEqual([4242]);
    expect(calls.saved.at(-1)?.localApi).toEqual({ startWithApp: true, port: 4242 });
    // The snippets name the running origin and the first route.
    expect(screen.getByTestId("snippet-claude-code")).toHaveTextContent(
      "ANTHROPIC_BASE_URL=http://127.0.0.1:4242",
    );
    expect(screen.getByTestId("snippet-codex")).toHaveTextContent('model = "cheap"');
    await fireEvent.click(toggle);
    await waitFor(() => expect(screen.getByTestId("local-api-state")).toHaveTextContent("Off"));
    expect(calls.saved.at(-1)?.localApi.startWithApp).toBe(false);
  });

  it("moves a running server to a new port and refuses a port it cannot use", async () => {
    const { api, calls } = fakeApi();
    const localApi = new LocalApiState(api);
    render(LocalApiView, { localApi });
    const toggle = await screen.findByTestId("local-api-switch");
    await waitFor(() => expect(toggle).toBeEnabled());
    await fireEvent.click(toggle);
    await waitFor(() => expect(localApi.running).toBe(true));
    const port = screen.getByTestId("local-api-port");
    await fireEvent.input(port, { target: { value: "80" } });
    expect(screen.getByTestId("local-api-state")).toHaveTextContent("1024 to 65535");
    await fireEvent.input(port, { target: { value: "5151" } });
    await fireEvent.click(screen.getByRole("button", { name: "Move to this port" }));
    await waitFor(() => expect(calls.started).toEqual([4242, 5151]));
    expect(calls.saved.at(-1)?.localApi).toEqual({ startWithApp: true, port: 5151 });
    expect(screen.getByTestId("snippet-openai-env")).toHaveTextContent(
      "OPENAI_BASE_URL=http://127.0.0.1:5151/v1",
    );
  });

  it("shows a new key once, puts it in the snippets, and revokes after a confirmation", async () => {
    const { api } = fakeApi();
    const localApi = new LocalApiState(api);
    render(LocalApiView, { localApi });
    expect(await screen.findByTestId("snippet-openai-sdk")).toHaveTextContent(KEY_PLACEHOLDER);
    await fireEvent.input(screen.getByTestId("client-key-name"), {
      target: { value: "claude-code" },
    });
    await fireEvent.click(screen.getByTestId("client-key-create"));
    expect(await screen.findByTestId("created-secret")).toHaveTextContent(
      "sb-secret-for-claude-code-wxyz",
    );
    expect(screen.getByTestId("snippet-openai-sdk")).toHaveTextContent(
      'api_key="sb-secret-for-claude-code-wxyz"',
    );
    // A second key of the same name: the backend's reason, shown.
    await fireEvent.input(screen.getByTestId("client-key-name"), {
      target: { value: "claude-code" },
    });
    await fireEvent.click(screen.getByTestId("client-key-create"));
    expect(await screen.findByRole("alert")).toHaveTextContent("A key named claude-code exists.");
    // Dismissed: the secret is gone from the screen for good.
    await fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("created-secret")).toBeNull();
    expect(screen.getByTestId("snippet-openai-sdk")).toHaveTextContent(KEY_PLACEHOLDER);
    await fireEvent.click(screen.getByRole("button", { name: "Revoke…" }));
    await fireEvent.click(screen.getByRole("button", { name: "Revoke claude-code" }));
    await waitFor(() => expect(localApi.activeKeys).toHaveLength(0));
    expect(screen.getByTestId("client-key-row")).toHaveTextContent("revoked");
  });

  it("refuses a budget that is not an amount before asking the backend", async () => {
    const { api } = fakeApi();
    const localApi = new LocalApiState(api);
    await localApi.load();
    const ok = await localApi.createKey({ name: "cursor", limit: "five", period: "day" });
    expect(ok).toBe(false);
    expect(localApi.keyError).toContain("dollars");
    expect(localApi.keys).toHaveLength(0);
  });
});
