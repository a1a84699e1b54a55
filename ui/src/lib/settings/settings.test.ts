import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Api, Preferences, ProviderView, ProvidersOverview } from "../ipc/client";
import { AppError } from "../ipc/errors";
import SettingsView from "./SettingsView.svelte";
import { SettingsModel, describeCheck } from "./settings.svelte";

vi.mock("../ipc/client", async (importOriginal) => {
  const real = await importOriginal<typeof import("../ipc/client")>();
  return { ...real, onProvidersChanged: () => () => {}, onSettingsChanged: () => () => {} };
});

function provider(over: Partial<ProviderView>): ProviderView {
  return {
    id: "openrouter",
    kind: "open_router",
    name: "OpenRouter",
    baseUrl: "https://openrouter.ai/api/v1",
    baseUrlSource: "default",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    baseUrlEnvVar: "OPENROUTER_BASE_URL",
    key: { source: "none", masked: null, envVar: "OPENROUTER_API_KEY", envShadowed: false },
    notice: null,
    ...over,
  };
}

const prefs: Preferences = {
  theme: "system",
  attribution: { referer: "https://switchboard.app", title: "Switchboard" },
  baseUrls: { openrouter: null, openai: null, anthropic: null },
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

function fakeApi(initial: ProvidersOverview): Api & { saved: string[] } {
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
    customProviderAdd: async () => current,
    customProviderUpdate: async () => current,
    customProviderRemove: async () => current,
  };
}

describe("Settings", () => {
  it("saves a key, shows only its mask, and clears the input", async () => {
    const api = fakeApi(overview(true, [provider({})]));
    render(SettingsView, { model: new SettingsModel(api) });
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
    render(SettingsView, { model: new SettingsModel(fakeApi(overview(false, [env]))) });
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
    render(SettingsView, { model: new SettingsModel(fakeApi(overview(true, [stored]))) });
    await fireEvent.click(await screen.findByRole("button", { name: "Test" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("User not found."));
  });

  it("asks before removing a key", async () => {
    const stored = provider({
      key: { source: "keychain", masked: "••••1234", envVar: null, envShadowed: false },
    });
    render(SettingsView, { model: new SettingsModel(fakeApi(overview(true, [stored]))) });
    await fireEvent.click(await screen.findByRole("button", { name: "Remove" }));
    await fireEvent.click(screen.getByRole("button", { name: "Remove key?" }));
    expect(await screen.findByText("No key")).toBeInTheDocument();
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
