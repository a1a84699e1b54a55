/** Fakes for the Team screen's tests: an in-memory OpenRouter team behind the `TeamApi`. */
import { vi, type Mock } from "vitest";
import { AppError } from "../ipc/errors";
import type { TeamApi } from "../ipc/team";
import type {
  Guardrail,
  ManagementKeyStatus,
  Reconciliation,
  TeamKey,
  TeamSpend,
  TeamSpendRow,
} from "../ipc/client";

/** Tuesday 2026-11-24, 15:00 UTC: the week began on Monday the 23rd. */
export const NOW = Date.UTC(2026, 10, 24, 15, 0, 0);

export const MANAGEMENT = "sk-or-v1-management-000000000000000000000000000000dead";

export function teamKey(over: Partial<TeamKey> = {}): TeamKey {
  return {
    hash: "a".repeat(64),
    name: "alice",
    label: "sk-or-v1-abc...wxyz",
    disabled: false,
    limit: "5",
    limitRemaining: "4.25",
    limitReset: "daily",
    includeByokInLimit: false,
    usage: { today: "0.75", week: "1.5", month: "3.25", total: "10" },
    byokUsage: { today: "0", week: "0", month: "0", total: "0" },
    createdAt: "2026-11-01T09:00:00Z",
    expiresAt: null,
    onThisMachine: false,
    ...over,
  };
}

export function guardrail(over: Partial<Guardrail> = {}): Guardrail {
  return {
    id: "g1",
    name: "Interns",
    description: null,
    budget: "20",
    budgetReset: "monthly",
    includeByokInBudget: false,
    allowedModels: ["openai/gpt-4o-mini"],
    allowedProviders: [],
    zdr: { anthropic: false, openai: false, google: false, other: false },
    keyHashes: [],
    memberUserIds: [],
    createdAt: null,
    ...over,
  };
}

export function spendRow(over: Partial<TeamSpendRow> = {}): TeamSpendRow {
  return {
    keyHash: "a".repeat(64),
    keyName: "alice",
    date: "2026-11-23",
    model: "openai/gpt-4o-mini",
    requests: 2,
    usage: "0.1",
    byokUsage: "0",
    promptTokens: 100,
    completionTokens: 20,
    reasoningTokens: 0,
    ...over,
  };
}

/** A week: alice on two models and today's running total, bob on one model. */
export function weekSpend(): TeamSpend {
  const bob = { keyHash: "b".repeat(64), keyName: "bob" };
  return {
    range: { since: "2026-11-23", until: "2026-11-24" },
    rows: [
      spendRow({ usage: "0.1", requests: 2 }),
      spendRow({ ...bob, model: "anthropic/claude-sonnet-4", usage: "1.25", requests: 1 }),
      spendRow({
        date: "2026-11-23",
        model: "anthropic/claude-sonnet-4",
        usage: "0.20000000001",
        byokUsage: "0.3",
        requests: 3,
      }),
      spendRow({ date: "2026-11-24", model: null, usage: "0.05", requests: null }),
    ],
    byKey: [],
    total: "1.60000000001",
    byokTotal: "0.3",
    requests: 6,
    coveredFrom: "2026-10-25",
  };
}

export function reconciliation(): Reconciliation {
  return {
    range: { since: "2026-11-23", until: "2026-11-24" },
    keys: [
      {
        keyHash: "a".repeat(64),
        keyName: "alice",
        openrouter: "0.35000000001",
        local: "0.3",
        difference: "0.05000000001",
        matches: false,
        localRequests: 5,
        pendingRequests: 0,
        unknownCostRequests: 0,
        estimatedRequests: 0,
        byokUsage: "0.3",
        causes: ["requests_elsewhere"],
        explanation: "OpenRouter counted $0.05 more: the key was also used from another machine.",
      },
    ],
    openrouterTotal: "0.35000000001",
    localTotal: "0.3",
    difference: "0.05000000001",
    explanation:
      "One key of the team is saved here; OpenRouter counted $0.05 more than this machine.",
  };
}

/** The fake: every method a spy, over keys and guardrails held in memory. */
export type FakeTeam = { [K in keyof TeamApi]: Mock<TeamApi[K]> } & {
  keys: TeamKey[];
  guardrails: Guardrail[];
  status: ManagementKeyStatus;
};

export function fakeTeamApi(opts: { saved?: boolean; keys?: TeamKey[] } = {}): FakeTeam {
  const state = {
    keys: opts.keys ?? [teamKey()],
    guardrails: [guardrail()],
    status: {
      saved: opts.saved ?? true,
      masked: opts.saved === false ? null : "••••dead",
      usedForChat: false,
    } as ManagementKeyStatus,
  };
  let made = 0;
  const fake: FakeTeam = {
    get keys() {
      return state.keys;
    },
    get guardrails() {
      return state.guardrails;
    },
    get status() {
      return state.status;
    },
    teamManagementKeyStatus: vi.fn(async () => state.status),
    teamManagementKeySave: vi.fn(async (key: string) => {
      if (!key.includes("management")) {
        throw new AppError({
          code: "invalid_input",
          message:
            "This is an inference key, not a management key: it can run models but cannot manage the team's keys. Nothing was saved.",
          retryable: false,
        });
      }
      state.status = { saved: true, masked: `••••${key.slice(-4)}`, usedForChat: false };
      return state.status;
    }),
    teamManagementKeyRemove: vi.fn(async () => {
      state.status = { saved: false, masked: null, usedForChat: false };
      return state.status;
    }),
    teamKeysList: vi.fn(async () => state.keys),
    teamKeyCreate: vi.fn(async (draft) => {
      made += 1;
      const key = teamKey({
        hash: String(made).repeat(64).slice(0, 64),
        name: draft.name,
        label: `sk-or-v1-ne${made}...${made}${made}${made}${made}`,
        limit: draft.limit,
        limitRemaining: draft.limit,
        limitReset: draft.limitReset,
        expiresAt: draft.expiresAt,
        usage: { today: "0", week: "0", month: "0", total: "0" },
      });
      state.keys = [...state.keys, key];
      return { key, secret: `sk-or-v1-secret-${made}-0123456789abcdef` };
    }),
    teamKeyUpdate: vi.fn(async (hash, change) => {
      const key = state.keys.find((k) => k.hash === hash);
      if (!key)
        throw new AppError({ code: "not_found", message: "No such key.", retryable: false });
      const next: TeamKey = { ...key };
      if (change.disabled !== undefined && change.disabled !== null)
        next.disabled = change.disabled;
      if (change.limit?.kind === "amount") next.limit = change.limit.usd;
      if (change.limit?.kind === "noLimit") next.limit = null;
      if (change.limitReset?.kind === "never") next.limitReset = null;
      if (change.limitReset?.kind === "every") next.limitReset = change.limitReset.period;
      state.keys = state.keys.map((k) => (k.hash === hash ? next : k));
      return next;
    }),
    teamKeyDelete: vi.fn(async (hash) => {
      state.keys = state.keys.filter((k) => k.hash !== hash);
    }),
    teamGuardrailsList: vi.fn(async () => state.guardrails),
    teamGuardrailCreate: vi.fn(async (draft) => {
      const g = guardrail({ ...draft, id: `g${state.guardrails.length + 1}` });
      state.guardrails = [...state.guardrails, g];
      return g;
    }),
    teamGuardrailUpdate: vi.fn(async (id, draft) => {
      const g = { ...(state.guardrails.find((x) => x.id === id) ?? guardrail()), ...draft };
      state.guardrails = state.guardrails.map((x) => (x.id === id ? g : x));
      return g;
    }),
    teamGuardrailDelete: vi.fn(async (id) => {
      state.guardrails = state.guardrails.filter((x) => x.id !== id);
    }),
    teamGuardrailAssign: vi.fn(async (id, targets) => {
      const g = state.guardrails.find((x) => x.id === id) ?? guardrail();
      return { ...g, keyHashes: [...new Set([...g.keyHashes, ...targets.keyHashes])] };
    }),
    teamGuardrailUnassign: vi.fn(async (id, targets) => {
      const g = state.guardrails.find((x) => x.id === id) ?? guardrail();
      return { ...g, keyHashes: g.keyHashes.filter((h) => !targets.keyHashes.includes(h)) };
    }),
    teamSpend: vi.fn(async () => weekSpend()),
    teamSpendChart: vi.fn(
      async () =>
        '<svg width="800" height="360" xmlns="http://www.w3.org/2000/svg"><text x="10" y="20">Team spend by key: $1.60 in all</text></svg>',
    ),
    teamSpendExport: vi.fn(async (_range, _by, file) => `/home/me/Downloads/team.${file}`),
    teamReconcile: vi.fn(async () => reconciliation()),
  };
  return fake;
}
