import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Preferences, ProviderView, ProvidersOverview, SignedIn } from "../ipc/client";
import { AppError } from "../ipc/errors";
import { navigation } from "../shared/navigation.svelte";
import { describeCheck } from "../shared/providers.svelte";
import { provider } from "../shared/testing";
import SettingsView from "./SettingsView.svelte";
import { SettingsState, type SettingsApi } from "./settings.svelte";
import { describeSignedIn } from "./signIn.svelte";

vi.mock("../ipc/client", async (importOriginal) => {
  const real = await importOriginal<typeof import("../ipc/client")>();
  return { ...real, onProvidersChanged: () => () => {}, onSettingsChanged: () => () => {} };
});

const prefs: Preferences = {
  theme: "system",
  attribution: { referer: "https://switchboard.app", title: "Switchboard" },
  streams: { firstEventSecs: 120, idleSecs: 120, maxEventMib: 32 },
  baseUrls: { openrouter: null, openai: null, anthropic: null },
  localApi: { startWithApp: false, port: 4242 },
  chat: { sendKey: "ctrl_enter" },
};

function overview(available: boolean, providers: ProviderView[]): ProvidersOverview {
  return {
    keychain: {
      available,
      backend: "Secret Service",
      detail: available ? null : "no D-Bus session",
    },
    providers,
  };
}

function withProvider(
  o: ProvidersOverview,
  id: string,
  change: (p: ProviderView) => ProviderView,
): ProvidersOverview {
  return { ...o, providers: o.providers.map((p) => (p.id === id ? change(p) : p)) };
}

function fakeApi(initial: ProvidersOverview): SettingsApi & { saved: string[] } {
  let current = initial;
  const saved: string[] = [];
  return {
    saved,
    appInfo: async () => ({
      version: "0.1.0",
      dataDir: "/d",
      logDir: "/d/logs",
      schemaVersion: 1,
      keychainBackend: "Secret Service",
    }),
    settingsGet: async () => prefs,
    settingsSave: async (p) => p,
    providersOverview: async () => current,
    keySave: async (id, key) => {
      saved.push(key);
      current = overview(true, [
        provider({
          id,
          key: {
            source: "keychain",
            masked: `••••${key.slice(-4)}`,
            envVar: "OPENROUTER_API_KEY",
            envShadowed: false,
          },
        }),
      ]);
      return current;
    },
    keyRemove: async () => {
      current = overview(true, [provider({})]);
      return current;
    },
    keyTest: async () => {
      throw new AppError({
        code: "auth",
        message: "the provider rejected the key (401): User not found.",
        retryable: false,
      });
    },
    keyExtraAdd: async (id, label, key) => {
      saved.push(key);
      current = withProvider(current, id, (p) => ({
        ...p,
        extraKeys: [
          ...(p.extraKeys ?? []),
          { label, masked: `••••${key.slice(-4)}`, disabled: null },
        ],
      }));
      return current;
    },
    keyExtraRemove: async (id, label) => {
      current = withProvider(current, id, (p) => ({
        ...p,
        extraKeys: (p.extraKeys ?? []).filter((k) => k.label !== label),
      }));
      return current;
    },
    keyEnable: async (id, label) => {
      current = withProvider(current, id, (p) =>
        label === "default"
          ? { ...p, key: { ...p.key, disabled: null } }
          : {
              ...p,
              extraKeys: (p.extraKeys ?? []).map((k) =>
                k.label === label ? { ...k, disabled: null } : k,
              ),
            },
      );
      return current;
    },
    customProviderAdd: async () => current,
    customProviderUpdate: async () => current,
    customProviderRemove: async () => current,
    openrouterSignIn: async (limit = null) => {
      current = overview(true, [
        provider({
          key: {
            source: "keychain",
            masked: "••••oaut",
            envVar: "OPENROUTER_API_KEY",
            envShadowed: false,
          },
        }),
      ]);
      return {
        providers: current,
        limit:
          limit === null
            ? ({ status: "notRequested" } as const)
            : ({ status: "applied", limit } as const),
      };
    },
    openrouterSignInCancel: async () => true,
  };
}

describe("Settings", () => {
  it("saves a key, shows only its mask, and clears the input", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    render(SettingsView, { settings: new SettingsState(api) });
    const input = await screen.findByLabelText("OpenRouter API key");
    await fireEvent.input(input, { target: { value: "sk-or-v1-abcdef123456wxyz" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("••••wxyz")).toBeInTheDocument();
    expect(screen.getByText("in keychain")).toBeInTheDocument();
    expect((input as HTMLInputElement).value).toBe("");
    expect(api.saved).toEqual(["sk-or-v1-abcdef123456wxyz"]);
    expect(document.body.innerHTML).not.toContain("sk-or-v1-abcdef123456wxyz");
  });

  it("explains the environment fallback when the keychain is unreachable", async () => {
    const env = provider({
      key: {
        source: "environment",
        masked: "••••9f9f",
        envVar: "OPENROUTER_API_KEY",
        envShadowed: false,
      },
    });
    render(SettingsView, { settings: new SettingsState(fakeApi(overview(false, [env]))) });
    const banner = await screen.findByTestId("keychain-unavailable");
    expect(banner).toHaveTextContent("not reachable, so keys cannot be saved");
    expect(banner).toHaveTextContent("OPENROUTER_API_KEY");
    expect(banner).toHaveTextContent("no D-Bus session");
    expect(screen.getByText("from environment")).toBeInTheDocument();
    expect(screen.getByLabelText("OpenRouter API key")).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Remove" })).toBeNull();
  });

  it("shows a failed key test as the provider's error", async () => {
    const stored = provider({
      key: { source: "keychain", masked: "••••1234", envVar: null, envShadowed: false },
    });
    render(SettingsView, { settings: new SettingsState(fakeApi(overview(true, [stored]))) });
    await fireEvent.click(await screen.findByRole("button", { name: "Test" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("User not found."));
  });

  it("asks before removing a key", async () => {
    const stored = provider({
      key: { source: "keychain", masked: "••••1234", envVar: null, envShadowed: false },
    });
    render(SettingsView, { settings: new SettingsState(fakeApi(overview(true, [stored]))) });
    await fireEvent.click(await screen.findByRole("button", { name: "Remove" }));
    await fireEvent.click(screen.getByRole("button", { name: "Remove key?" }));
    expect(await screen.findByText("No key")).toBeInTheDocument();
  });
});

describe("stream limits", () => {
  it("saves typed deadlines and refuses values out of range", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    const sent: unknown[] = [];
    api.settingsSave = async (p) => (sent.push(p), p);
    render(SettingsView, { settings: new SettingsState(api) });
    const first = await screen.findByTestId("pref-first-event");
    await fireEvent.input(first, { target: { value: "30" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save stream limits" }));
    expect(await screen.findByText("Stream limits saved.")).toBeInTheDocument();
    expect(sent[0]).toMatchObject({ streams: { firstEventSecs: 30, idleSecs: 120 } });
    await fireEvent.input(screen.getByTestId("pref-max-event"), { target: { value: "0" } });
    expect(screen.getByRole("button", { name: "Save stream limits" })).toBeDisabled();
  });
});

describe("opening Settings at one place", () => {
  const three = () =>
    overview(true, [
      provider({}),
      provider({ id: "openai", kind: "open_ai", name: "OpenAI" }),
      provider({ id: "anthropic", kind: "anthropic", name: "Anthropic" }),
    ]);

  it("focuses the asked provider's key field once the cards are there", async () => {
    navigation.openSettings("provider-openai");
    render(SettingsView, { settings: new SettingsState(fakeApi(three())) });
    const field = await screen.findByLabelText("OpenAI API key");
    await waitFor(() => expect(document.activeElement, "its key field has the focus").toBe(field));
    const card = document.getElementById("settings-provider-openai");
    expect(card, "each provider card has its anchor id").toContainElement(field);
    expect(card).toHaveClass("anchored");
    expect(navigation.takeSettingsAnchor(), "the anchor is handed over once").toBeNull();
  });

  it("focuses the chosen Enter-to-send choice in the Chat section", async () => {
    navigation.openSettings("preferences-chat");
    render(SettingsView, { settings: new SettingsState(fakeApi(three())) });
    const chosen = await screen.findByTestId("pref-send-ctrl_enter");
    await waitFor(() => expect(document.activeElement).toBe(chosen));
    expect(document.getElementById("settings-preferences-chat")).toContainElement(chosen);
  });

  it("goes to a place asked for while Settings is already showing", async () => {
    render(SettingsView, { settings: new SettingsState(fakeApi(three())) });
    const field = await screen.findByLabelText("Anthropic API key");
    expect(document.activeElement).not.toBe(field);
    navigation.openSettings("provider-anthropic");
    await waitFor(() => expect(document.activeElement).toBe(field));
  });

  it("stays at the top when the place is gone", async () => {
    navigation.openSettings("provider-custom:deleted");
    render(SettingsView, { settings: new SettingsState(fakeApi(three())) });
    await screen.findByLabelText("OpenAI API key");
    await waitFor(() => expect(navigation.takeSettingsAnchor()).toBeNull());
    expect(document.activeElement).toBe(document.body);
  });
});

describe("Enter to send", () => {
  it("saves the chosen send key in the chat preferences", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    const sent: Preferences[] = [];
    api.settingsSave = async (p) => (sent.push(p), p);
    render(SettingsView, { settings: new SettingsState(api) });
    const section = await screen.findByTestId("pref-chat");
    expect(within(section).getByRole("radio", { name: /^Ctrl\+Enter/ })).toBeChecked();
    await fireEvent.click(within(section).getByRole("radio", { name: /^Enter/ }));
    expect(await screen.findByText("Send key saved.")).toBeInTheDocument();
    expect(sent[0]?.chat).toEqual({ sendKey: "enter" });
    expect(sent[0]?.theme, "the other preferences are kept").toBe("system");
  });
});

describe("describeCheck", () => {
  it("summarizes OpenRouter's account figures", () => {
    expect(
      describeCheck({
        latencyMs: 120,
        modelsVisible: null,
        openrouter: {
          label: null,
          usageUsd: "0.42",
          limitUsd: "10",
          limitRemainingUsd: "9.58",
          isFreeTier: false,
        },
      }),
    ).toBe("Key works · 120 ms · $0.42 used of $10.00 ($9.58 left)");
  });

  it("counts models for OpenAI-compatible servers", () => {
    expect(describeCheck({ latencyMs: 5, modelsVisible: 1, openrouter: null })).toBe(
      "Key works · 5 ms · 1 model visible",
    );
  });
});

describe("further keys", () => {
  it("shows refused keys with the reason, re-enables them, adds and removes keys", async () => {
    const stored = provider({
      key: {
        source: "keychain",
        masked: "••••main",
        envVar: "OPENROUTER_API_KEY",
        envShadowed: false,
        disabled: "the provider rejected the key (401): User not found.",
      },
      extraKeys: [{ label: "spare", masked: "••••spar", disabled: "rejected (401)" }],
    });
    const api = fakeApi(overview(true, [stored]));
    render(SettingsView, { settings: new SettingsState(api) });
    await screen.findByText(/The provider refused this key: the provider rejected the key \(401\)/);
    const spare = screen.getByText("spare").closest("li");
    expect(spare?.getAttribute("data-disabled")).toBe("true");
    expect(spare?.textContent).toContain("refused: rejected (401)");

    const again = screen.getAllByRole("button", { name: "Use it again" });
    await fireEvent.click(again[0] as HTMLElement);
    await waitFor(() => expect(screen.queryByText(/The provider refused this key/)).toBeNull());

    await fireEvent.click(screen.getByRole("button", { name: "Add another key" }));
    await fireEvent.input(screen.getByLabelText("Key label"), { target: { value: "team" } });
    const keyInput = screen.getByLabelText("OpenRouter further key");
    await fireEvent.input(keyInput, { target: { value: "sk-or-v1-team-key-0000beef" } });
    await fireEvent.click(screen.getByRole("button", { name: "Add key" }));
    await screen.findByText("••••beef");
    expect(api.saved).toContain("sk-or-v1-team-key-0000beef");
    expect(screen.queryByDisplayValue("sk-or-v1-team-key-0000beef")).toBeNull();

    const team = screen.getByText("team").closest("li") as HTMLElement;
    await fireEvent.click(within(team).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.queryByText("team")).toBeNull());
  });
});

describe("Sign in with OpenRouter in Settings", () => {
  it("asks for the limit typed, and shows the new key masked once it is in the keychain", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    const signIn = vi.spyOn(api, "openrouterSignIn");
    render(SettingsView, { settings: new SettingsState(api) });
    const card = (await screen.findByRole("heading", { name: "OpenRouter" })).closest(
      "article",
    ) as HTMLElement;
    await fireEvent.input(within(card).getByLabelText(/Spending limit for the new key/), {
      target: { value: "$10" },
    });
    await fireEvent.click(within(card).getByRole("button", { name: "Sign in with OpenRouter" }));
    expect(signIn).toHaveBeenCalledWith("10");
    await within(card).findByText("••••oaut");
    expect(within(card).getByTestId("settings-sign-in-outcome").textContent).toContain(
      "Signed in with OpenRouter: the new key is in your keychain, with a spending limit of $10.00.",
    );
  });

  it("offers Cancel while the browser is open; a cancelled sign-in says nothing", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    let reject: (e: unknown) => void = () => {};
    api.openrouterSignIn = vi.fn(() => new Promise<SignedIn>((_, r) => (reject = r)));
    const cancel = vi.spyOn(api, "openrouterSignInCancel");
    const settings = new SettingsState(api);
    render(SettingsView, { settings });
    await fireEvent.click(await screen.findByRole("button", { name: "Sign in with OpenRouter" }));
    expect(screen.getByRole("status").textContent).toContain("Waiting for OpenRouter");
    await fireEvent.click(screen.getByTestId("settings-sign-in-cancel"));
    expect(cancel).toHaveBeenCalledOnce();
    reject({ code: "cancelled", message: "Cancelled.", retryable: false });
    await screen.findByRole("button", { name: "Sign in with OpenRouter" });
    expect(screen.queryByTestId("settings-sign-in-outcome")).toBeNull();
    expect(api.openrouterSignIn).toHaveBeenCalledWith(null);
  });

  it("says why a sign-in failed, and refuses a limit that is not an amount", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    const settings = new SettingsState(api);
    api.openrouterSignIn = vi.fn(async () => {
      throw new AppError({
        code: "invalid_input",
        message: "The browser came back with the wrong state value, so nothing was saved.",
        retryable: false,
      });
    });
    expect(await settings.signIn.signIn("ten")).toBe(false);
    expect(settings.signIn.outcome?.text).toMatch(/^A spending limit is an amount in dollars/);
    expect(api.openrouterSignIn).not.toHaveBeenCalled();
    expect(await settings.signIn.signIn("")).toBe(false);
    expect(settings.signIn.outcome).toEqual({
      ok: false,
      text: "The browser came back with the wrong state value, so nothing was saved.",
    });
  });

  it("says when OpenRouter did not give the key the limit asked for", () => {
    const providers = overview(true, []);
    expect(
      describeSignedIn({
        providers,
        limit: { status: "notApplied", requested: "5", reported: null },
      }),
    ).toBe(
      "Signed in with OpenRouter: the new key is in your keychain, but OpenRouter gave it no limit instead of $5.00. Set the limit on OpenRouter's keys page.",
    );
    expect(
      describeSignedIn({ providers, limit: { status: "unchecked", requested: "5" } }),
    ).toContain("could not be read back");
  });
});
