import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { Budget, BudgetStatus, ClientKeyView, SpendReport } from "../ipc/client";
import { checkDraft, describeBudget, emptyDraft, SCOPES, toDraft } from "./budgets";
import SpendView from "./SpendView.svelte";
import { GROUPINGS, SpendState, type SpendApi } from "./spend.svelte";

const NOW = new Date(2026, 10, 24, 15, 30).getTime();
const noEvents = () => () => {};

const KEYS: ClientKeyView[] = [
  {
    id: "0192-claude",
    name: "claude-code",
    masked: "sb-…a1b2",
    createdMs: NOW - 86_400_000,
    revokedMs: null,
    lastUsedMs: NOW - 60_000,
  },
  {
    id: "0192-cursor",
    name: "cursor",
    masked: "sb-…c3d4",
    createdMs: NOW - 86_400_000,
    revokedMs: NOW - 3_600_000,
    lastUsedMs: null,
  },
];

/** Spend by client as the backend reports it: keyed by the key's id, labelled by its name. */
const BY_CLIENT: SpendReport = {
  grouping: "client",
  sinceMs: null,
  untilMs: null,
  total: "0.001644",
  unknownRequests: 0,
  rows: [
    ["0192-claude", "claude-code", "0.000822", 3],
    ["0192-cursor", "cursor", "0.000548", 2],
    ["(none)", "Switchboard app & CLI", "0.000274", 1],
  ].map(([key, label, cost, requests]) => ({
    key: key as string,
    label: label as string,
    cost: cost as string,
    unknownRequests: 0,
    requests: requests as number,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
  })),
};

function fakeApi(keys: ClientKeyView[] = KEYS) {
  const calls = { reports: [] as string[], saved: [] as Budget[] };
  let budgets: BudgetStatus[] = [];
  const api: SpendApi = {
    budgetsList: async () => budgets,
    budgetSave: async (b) => {
      const key = keys.find((k) => k.id === b.scopeValue);
      const saved = { ...b, id: "b1", scopeLabel: key?.name ?? null };
      calls.saved.push(b);
      budgets = [
        {
          budget: saved,
          spent: "0",
          reserved: "0",
          unknownRequests: 0,
          periodStartMs: 0,
          fraction: 0,
          exhausted: false,
        },
      ];
      return saved;
    },
    budgetDelete: async () => {},
    spendReport: async (grouping, sinceMs, untilMs) => {
      calls.reports.push(grouping);
      return { ...BY_CLIENT, grouping, sinceMs, untilMs };
    },
    spendChart: async () => "<svg></svg>",
    spendExport: async () => null,
    keyTest: async () => ({ latencyMs: 1, modelsVisible: null, openrouter: null }),
    providersOverview: async () => ({
      keychain: { available: true, backend: "test", detail: null },
      providers: [],
    }),
    clientKeysList: async () => keys,
  };
  return { api, calls };
}

describe("spend by client", () => {
  it("offers the grouping and shows each tool by its key's name, the app apart", async () => {
    expect(GROUPINGS.map((g) => g.id)).toContain("client");
    const { api, calls } = fakeApi();
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    await fireEvent.change(await screen.findByTestId("spend-grouping"), {
      target: { value: "client" },
    });
    await waitFor(() => expect(calls.reports.at(-1)).toBe("client"));
    const table = await screen.findByTestId("spend-table");
    await waitFor(() => expect(within(table).getAllByTestId("spend-row")).toHaveLength(3));
    const rows = within(table).getAllByTestId("spend-row");
    const heads = rows.map((r) => r.querySelector("th"));
    expect(heads.map((h) => h?.textContent?.trim())).toEqual([
      "claude-code",
      "cursor",
      "Switchboard app & CLI",
    ]);
    expect(heads[0]?.getAttribute("title"), "an id means nothing to a person").toBe("claude-code");
    expect(rows[0]).toHaveTextContent("$0.000822");
    expect(within(table).getByText(/^Client/)).toBeInTheDocument();
  });
});

describe("budgets scoped to a client", () => {
  it("are a scope of their own that needs a key", () => {
    expect(SCOPES.map((s) => s.id)).toContain("client");
    const missing = checkDraft({ ...emptyDraft(), name: "cc", limit: "5", scope: "client" });
    expect(missing.ok || missing.errors.scopeValue).toBe("Choose a client key.");
    const good = checkDraft({
      ...emptyDraft(),
      name: "cc",
      limit: "5",
      scope: "client",
      scopeValue: "0192-claude",
    });
    expect(good.ok && good.budget).toMatchObject({ scope: "client", scopeValue: "0192-claude" });
  });

  it("read by the key's name, never its id", () => {
    const b: Budget = {
      id: "b1",
      name: "cc",
      scope: "client",
      scopeValue: "0192-claude",
      scopeLabel: "claude-code",
      period: "day",
      limit: "5",
      alerts: [],
      hard: true,
    };
    expect(describeBudget(b)).toBe("$5.00 a day for client claude-code");
    expect(describeBudget({ ...b, scopeLabel: null })).toBe("$5.00 a day for a removed client key");
    expect(
      describeBudget({
        ...b,
        scope: "provider",
        scopeValue: "custom:0192f0c1-0000-7000-8000-000000000001",
        scopeLabel: "Desk Ollama",
      }),
    ).toBe("$5.00 a day for provider Desk Ollama");
    expect(checkDraft(toDraft(b))).toMatchObject({
      ok: true,
      budget: { scopeValue: "0192-claude" },
    });
  });

  it("are chosen from the client keys by name and saved by id", async () => {
    const { api, calls } = fakeApi();
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const form = await screen.findByTestId("budget-form");
    await fireEvent.input(within(form).getByTestId("budget-name"), {
      target: { value: "Claude Code daily" },
    });
    await fireEvent.change(within(form).getByTestId("budget-scope"), {
      target: { value: "client" },
    });
    const select = await within(form).findByTestId("budget-scope-value");
    await waitFor(() =>
      expect(
        within(select)
          .getAllByRole("option")
          .map((o) => o.textContent),
      ).toEqual(["Choose…", "claude-code", "cursor (revoked)"]),
    );
    await fireEvent.click(within(form).getByTestId("budget-save"));
    expect(form).toHaveTextContent("Choose a client key.");
    await fireEvent.change(select, { target: { value: "0192-claude" } });
    await fireEvent.input(within(form).getByTestId("budget-limit"), { target: { value: "5" } });
    await fireEvent.click(within(form).getByTestId("budget-save"));
    await waitFor(() => expect(calls.saved).toHaveLength(1));
    expect(calls.saved[0]).toMatchObject({ scope: "client", scopeValue: "0192-claude" });
    expect(await screen.findByTestId("budget-row")).toHaveTextContent("for client claude-code");
  });

  it("say how to get a key when there is none", async () => {
    const { api } = fakeApi([]);
    render(SpendView, { spend: new SpendState(api, NOW), listen: noEvents });
    const form = await screen.findByTestId("budget-form");
    await fireEvent.change(within(form).getByTestId("budget-scope"), {
      target: { value: "client" },
    });
    expect(await within(form).findByTestId("budget-no-client-keys")).toHaveTextContent(
      "switchboard api-keys create NAME",
    );
  });
});
