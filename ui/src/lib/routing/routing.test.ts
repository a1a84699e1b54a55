import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type {
  Decision,
  RouteRequest,
  RouterConfig,
  RoutingHealth,
  TargetHealth,
} from "../ipc/client";
import { AppError } from "../ipc/errors";
import RoutingView from "./RoutingView.svelte";
import { RoutingState, type RoutingApi } from "./routing.svelte";
import {
  describeRule,
  formatCost,
  isBlankToml,
  formatFraction,
  toConfig,
  toDraft,
  toRequest,
} from "./draft";
import { parseList } from "../shared/list";

const config = (): RouterConfig => ({
  routes: [
    {
      name: "code",
      strategy: "priority",
      targets: [
        { provider: "openrouter", model: "anthropic/claude-sonnet-4", weight: 1 },
        { provider: "openrouter", model: "openai/gpt-4o-mini", weight: 1 },
      ],
      failover: {
        mode: "immediate",
        wait_ms: 1000,
        base_ms: 500,
        max_ms: 8000,
        max_attempts: 4,
        retries_per_target: 1,
        max_retry_after_ms: 10000,
      },
    },
    {
      name: "chat",
      strategy: "lowest_cost",
      targets: [{ provider: "openai", model: "gpt-4o-mini", weight: 1 }],
      failover: {
        mode: "gradual",
        wait_ms: 1000,
        base_ms: 500,
        max_ms: 8000,
        max_attempts: 4,
        retries_per_target: 1,
        max_retry_after_ms: 10000,
      },
    },
  ],
  rules: [
    { name: "code questions", enabled: true, when: { task: ["code"] }, then: { route: "code" } },
    {
      name: "no audio",
      enabled: false,
      when: { modalities: ["audio"] },
      then: { block: "Audio is not allowed." },
    },
  ],
  breaker: {
    consecutive_failures: 3,
    failure_rate: 0.5,
    window: 20,
    open_ms: 30000,
    max_open_ms: 600000,
  },
  limits: [{ provider: "openrouter", rpm: 60 }],
  health: { active_probes: false, probe_every_s: 30 },
});

function decisionFor(cfg: RouterConfig, req: RouteRequest): Decision {
  const rules = cfg.rules ?? [];
  let matched: string | null = null;
  const traces = rules.map((r) => {
    if (matched) return { name: r.name, verdict: "not_reached" as const, detail: "earlier" };
    if (r.enabled === false) return { name: r.name, verdict: "disabled" as const, detail: "off" };
    const tasks = r.when?.task ?? [];
    if (tasks.length && !tasks.includes(req.task ?? "")) {
      return { name: r.name, verdict: "no_match" as const, detail: `task is "${req.task}"` };
    }
    matched = r.name;
    return { name: r.name, verdict: "matched" as const, detail: "every condition holds" };
  });
  const rule = rules.find((r) => r.name === matched);
  const routeName = rule?.then.route ?? req.route ?? null;
  const route = cfg.routes?.find((r) => r.name === routeName);
  const targets = route?.targets ?? [];
  return {
    request: req,
    rules: traces,
    rule: matched,
    blocked: null,
    route: routeName,
    direct: false,
    strategy: route?.strategy ?? "priority",
    set: null,
    candidates: targets.map((t, i) => ({
      target: t,
      exclusion:
        i === 1 ? { kind: "context_too_small" as const, needed: 200000, window: 128000 } : null,
      why: i === 1 ? "needs 200000 tokens, has 128000" : "chosen",
      rank: i === 1 ? null : 0,
      predicted_cost: 0.012345,
      ttft_ms: 420,
      tokens_per_second: 80,
      success: 0.99,
      in_flight: 0,
      circuit: "closed" as const,
      known: true,
    })),
    order: targets.slice(0, 1),
    failover: route?.failover ?? {},
    delegation: null,
    summary: matched
      ? `rule "${matched}" → route "${routeName}" (priority): chosen`
      : `route "${routeName}" (priority): chosen`,
  };
}

function target(over: Partial<TargetHealth>): TargetHealth {
  return {
    provider: "openrouter",
    model: "anthropic/claude-sonnet-4",
    routes: ["code"],
    circuit: {
      state: "closed",
      reason: null,
      retry_in_ms: null,
      consecutive_failures: 0,
      times_opened: 0,
    },
    metrics: {
      requests: 12,
      success_rate: 0.75,
      ttft_p50_ms: 420,
      ttft_p95_ms: 1900,
      tokens_per_second: 55.4,
      cost: "0.004210",
      cost_unknown: 1,
    },
    in_flight: 1,
    ...over,
  };
}

const health = (): RoutingHealth => ({
  targets: [
    target({}),
    target({
      model: "openai/gpt-4o-mini",
      circuit: {
        state: "open",
        reason: "503 from upstream",
        retry_in_ms: 12000,
        consecutive_failures: 3,
        times_opened: 2,
      },
    }),
  ],
  limits: [{ provider: "openrouter", key: null, rpm: 60, tpm: null, requests: 7, tokens: 900 }],
});

type Fake = RoutingApi & {
  stored: RouterConfig;
  saves: RouterConfig[];
  explains: RouteRequest[];
  healthCalls: number;
  refuseNextSave: string | null;
};

function fakeApi(): Fake {
  const fake: Fake = {
    stored: config(),
    saves: [],
    explains: [],
    healthCalls: 0,
    refuseNextSave: null,
    routingGet: async () => structuredClone(fake.stored),
    routingSave: async (c) => {
      fake.saves.push(structuredClone(c));
      if (fake.refuseNextSave) {
        const message = fake.refuseNextSave;
        fake.refuseNextSave = null;
        throw new AppError({ code: "invalid_input", message, retryable: false });
      }
      fake.stored = structuredClone(c);
      return structuredClone(c);
    },
    routingExplain: async (req) => {
      fake.explains.push(req);
      return decisionFor(fake.stored, req);
    },
    routingHealth: async () => {
      fake.healthCalls++;
      return health();
    },
    routingLearned: async () => [
      {
        task: "code",
        models: [
          {
            provider: "openrouter",
            model: "openai/gpt-4o-mini",
            good: 14,
            bad: 0.5,
            quality: 0.91,
            pick_share: 0.97,
          },
          {
            provider: "openrouter",
            model: "anthropic/claude-sonnet-4",
            good: 1.2,
            bad: 14,
            quality: 0.12,
            pick_share: 0.03,
          },
        ],
      },
    ],
    routingExport: async () => "/home/me/Downloads/switchboard-routing.toml",
    routingImport: async (toml) => {
      if (toml.includes("mian")) {
        throw new AppError({
          code: "invalid_input",
          message: 'line 3: rule "x" uses route "mian", which does not exist',
          retryable: false,
        });
      }
      fake.stored = { ...config(), rules: [] };
      return structuredClone(fake.stored);
    },
    modelsList: async () => [
      {
        provider: "openrouter",
        providerName: "OpenRouter",
        id: "anthropic/claude-sonnet-4",
        name: "Claude Sonnet 4",
        contextLength: 200000,
        promptPerMillion: "3",
        completionPerMillion: "15",
        inputModalities: ["text", "image"],
        supportsReasoning: true,
      },
    ],
    providersOverview: async () => ({
      keychain: { available: true, backend: "Secret Service", detail: null },
      providers: [],
    }),
  };
  return fake;
}

afterEach(() => {
  vi.useRealTimers();
});

function must<T>(x: T | null | undefined): T {
  if (x === null || x === undefined) throw new Error("missing");
  return x;
}

function at<T>(xs: readonly T[] | null | undefined, i: number): T {
  return must(xs?.[i]);
}

const draftOf = (m: RoutingState) => must(m.draft);
const ruleOf = (m: RoutingState, i: number) => at(draftOf(m).rules, i);
const routeOf = (m: RoutingState, i: number) => at(draftOf(m).routes, i);

describe("RoutingState", () => {
  it("keeps edits as a draft until saved, and reverts to the saved configuration", async () => {
    const api = fakeApi();
    const m = new RoutingState(api);
    await m.load();
    expect(m.dirty).toBe(false);
    ruleOf(m, 0).when.task = ["review"];
    expect(m.dirty).toBe(true);
    expect(at(must(m.saved).rules, 0).when?.task).toEqual(["code"]);
    m.revert();
    expect(m.dirty).toBe(false);
    expect(ruleOf(m, 0).when.task).toEqual(["code"]);

    ruleOf(m, 0).when.task = ["review"];
    expect(await m.save()).toBe(true);
    expect(api.saves).toHaveLength(1);
    expect(at(at(api.saves, 0).rules, 0).when).toEqual({ task: ["review"] });
    expect(m.dirty).toBe(false);
    expect(at(must(m.saved).rules, 0).when?.task).toEqual(["review"]);
  });

  it("editor keys never count as edits", async () => {
    const m = new RoutingState(fakeApi());
    await m.load();
    const keys = draftOf(m).rules.map((r) => r.key);
    m.draft = toDraft(must(m.saved)); // the same configuration under new keys
    expect(draftOf(m).rules.map((r) => r.key)).not.toEqual(keys);
    expect(m.dirty).toBe(false);
    ruleOf(m, 0).when.task = ["review"];
    expect(m.dirty).toBe(true);
    ruleOf(m, 0).when.task = ["code"];
    expect(m.dirty).toBe(false);
  });

  it("a refused save shows the reason and loses nothing from the draft", async () => {
    const api = fakeApi();
    const m = new RoutingState(api);
    await m.load();
    ruleOf(m, 0).route = "x";
    routeOf(m, 1).strategy = "weighted";
    api.refuseNextSave = 'rule "code questions" uses route "x", which does not exist';
    expect(await m.save()).toBe(false);
    expect(m.saveError).toContain('uses route "x"');
    expect(m.dirty).toBe(true);
    expect(ruleOf(m, 0).route).toBe("x");
    expect(routeOf(m, 1).strategy).toBe("weighted");
    expect(at(must(m.saved).rules, 0).then.route).toBe("code");
  });

  it("reorders rules and routes, adds and removes targets", async () => {
    const m = new RoutingState(fakeApi());
    await m.load();
    m.moveRule(1, -1);
    expect(draftOf(m).rules.map((r) => r.name)).toEqual(["no audio", "code questions"]);
    m.moveRule(0, -1); // already first: nothing moves
    expect(draftOf(m).rules.map((r) => r.name)).toEqual(["no audio", "code questions"]);
    m.moveRule(0, 1);
    expect(draftOf(m).rules.map((r) => r.name)).toEqual(["code questions", "no audio"]);

    m.addTarget(1, "anthropic", " claude-haiku ");
    expect(routeOf(m, 1).targets.map((t) => t.model)).toEqual(["gpt-4o-mini", "claude-haiku"]);
    m.moveTarget(1, 1, -1);
    expect(routeOf(m, 1).targets.map((t) => t.model)).toEqual(["claude-haiku", "gpt-4o-mini"]);
    m.removeTarget(1, 1);
    const sent = toConfig(draftOf(m));
    expect(at(sent.routes, 1).targets).toEqual([
      { provider: "anthropic", model: "claude-haiku", weight: 1 },
    ]);
    m.addTarget(1, "openai", "   ");
    expect(routeOf(m, 1).targets).toHaveLength(1);
  });

  it("renaming a route renames the rules that use it", async () => {
    const m = new RoutingState(fakeApi());
    await m.load();
    ruleOf(m, 1).when.route = ["code", "chat"];
    m.renameRoute(0, "coding");
    expect(ruleOf(m, 0).route).toBe("coding");
    expect(ruleOf(m, 1).when.route).toEqual(["coding", "chat"]);
  });

  it("debounces explain and sends the sample as a RouteRequest", async () => {
    vi.useFakeTimers();
    const api = fakeApi();
    const m = new RoutingState(api);
    await m.load();
    expect(api.explains).toHaveLength(1);
    expect(at(api.explains, 0).route).toBe("code"); // the first route, so there is something to route

    m.sample.task = "review";
    m.scheduleExplain();
    m.sample.prompt = "x".repeat(40);
    m.scheduleExplain();
    m.sample.capabilities = ["tools"];
    m.sample.image = true;
    m.sample.maxOutputTokens = 300;
    m.sample.provider = "openai";
    m.sample.model = "gpt-4o";
    m.scheduleExplain();
    await vi.advanceTimersByTimeAsync(150);
    expect(api.explains).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(api.explains).toHaveLength(2);
    expect(api.explains[1]).toEqual({
      task: "review",
      route: "code",
      provider: "openai",
      model: "gpt-4o",
      prompt_tokens: 10,
      max_output_tokens: 300,
      capabilities: ["tools"],
      modalities: ["image"],
    });
    expect(at(must(m.decision).rules, 0).verdict).toBe("no_match");
  });

  it("an import error names the line and shows it", async () => {
    const m = new RoutingState(fakeApi());
    await m.load();
    await m.importToml('[[rules]]\nname = "x"\nthen = { route = "mian" }\n');
    expect(m.importError).toEqual({
      message: 'line 3: rule "x" uses route "mian", which does not exist',
      line: 3,
      text: 'then = { route = "mian" }',
    });
    await m.importToml("ok");
    expect(m.importError).toBeNull();
    expect(draftOf(m).rules).toHaveLength(0);
  });

  it("a blank file replaces the configuration only after confirmation", async () => {
    const api = fakeApi();
    const imports = vi.spyOn(api, "routingImport");
    const m = new RoutingState(api);
    await m.load();

    await m.importToml("# exported, then emptied\n\n");
    expect(m.confirmingEmpty).toBe(true);
    expect(imports).not.toHaveBeenCalled();
    expect(api.saves).toHaveLength(0);
    m.cancelEmptyImport();
    expect(m.confirmingEmpty).toBe(false);
    expect(must(m.saved).routes).toHaveLength(2);
    expect(m.notice).toMatch(/unchanged/);

    await m.importToml("");
    expect(m.confirmingEmpty).toBe(true);
    await m.confirmEmptyImport();
    expect(api.saves).toEqual([{ routes: [], rules: [], limits: [] }]);
    expect(must(m.saved).routes).toHaveLength(0);
    expect(draftOf(m).rules).toHaveLength(0);
    expect(m.notice).toMatch(/empty configuration/);

    // Nothing left to lose: no question, nothing sent.
    await m.importToml("   \n");
    expect(m.confirmingEmpty).toBe(false);
    expect(api.saves).toHaveLength(1);
    expect(imports).not.toHaveBeenCalled();
  });

  it("a file over 1 MiB is refused without being read or sent", async () => {
    const api = fakeApi();
    const imports = vi.spyOn(api, "routingImport");
    const m = new RoutingState(api);
    await m.load();
    await m.importFile(new Blob(["#".repeat(1024 * 1024 + 1)]));
    expect(m.importError?.message).toMatch(/at most 1048576 bytes \(1 MiB\)/);
    expect(imports).not.toHaveBeenCalled();
    await m.importFile(new Blob(['[[rules]]\nname = "x"\nthen = { route = "code" }\n']));
    expect(imports).toHaveBeenCalledTimes(1);
    expect(m.importError).toBeNull();
  });
});

describe("helpers", () => {
  it("recognises blank TOML as the backend does", () => {
    expect(isBlankToml("")).toBe(true);
    expect(isBlankToml(" \n\t\r\n# only comments\n   # indented\n")).toBe(true);
    expect(isBlankToml("\uFEFF# with a byte-order mark")).toBe(true);
    expect(isBlankToml("[breaker]\n")).toBe(false);
    expect(isBlankToml("routes = []")).toBe(false);
  });

  it("formats fractions as whole percents", () => {
    expect(formatFraction(0.424)).toBe("42%");
    expect(formatFraction(0.005)).toBe("1%");
    expect(formatFraction(1)).toBe("100%");
    expect(formatFraction(0)).toBe("0%");
    expect(formatFraction(null)).toBe("—");
    expect(formatFraction(null, "0%")).toBe("0%");
  });

  it("formats predicted costs by the scan rule", () => {
    expect(formatCost(0.012345), "four significant digits, half up").toBe("$0.01235");
    expect(formatCost(0.5)).toBe("$0.50");
    expect(formatCost(2.345), "cents at a dollar or more").toBe("$2.35");
    expect(formatCost(0.0000456)).toBe("$0.0000456");
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(1e-9), "a tiny prediction is never $0").toBe("$0.000000001");
    expect(formatCost(null)).toBe("unknown");
  });

  it("parses comma lists and round-trips the configuration", () => {
    expect(parseList(" code, review ,, chat ")).toEqual(["code", "review", "chat"]);
    expect(toConfig(toDraft(config()))).toEqual(config());
  });

  it("a sample with a token count and no model names nothing to send to", () => {
    expect(
      toRequest({
        task: "",
        route: "",
        provider: "openrouter",
        model: "",
        prompt: "ignored",
        promptTokens: 5000,
        maxOutputTokens: null,
        capabilities: [],
        image: false,
      }),
    ).toEqual({ prompt_tokens: 5000, capabilities: [], modalities: [] });
  });

  it("describes a rule in one line", () => {
    const d = toDraft(config());
    expect(describeRule(at(d.rules, 0))).toBe('When task is "code" → use route "code"');
    expect(describeRule(at(d.rules, 1))).toBe("When carries audio → block it");
  });
});

describe("RoutingView", () => {
  async function mount(api = fakeApi()) {
    const routing = new RoutingState(api);
    const view = render(RoutingView, { routing });
    await waitFor(() => expect(screen.getAllByTestId("route-card")).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId("explain-summary")).toBeInTheDocument());
    return { api, routing, view };
  }

  it("shows what the smart strategy learned per task type, best first", async () => {
    await mount();
    const table = await screen.findByTestId("learned-task");
    expect(table.dataset.task).toBe("code");
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("openai/gpt-4o-mini");
    expect(rows[1]).toHaveTextContent("97%");
    expect(rows[1]).toHaveTextContent("14");
    expect(rows[2]).toHaveTextContent("anthropic/claude-sonnet-4");
    expect(rows[2]).toHaveTextContent("3%");
  });

  it("asks before a blank file replaces the saved routes, and replaces them when told", async () => {
    const { api } = await mount();
    const input = screen.getByLabelText("Import a routing TOML file");
    const blank = new File(["# nothing here\n"], "routing.toml", { type: "application/toml" });
    await fireEvent.change(input, { target: { files: [blank] } });
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("deletes the 2 saved routes and 2 rules");
    expect(api.saves).toHaveLength(0);

    await fireEvent.click(screen.getByTestId("routing-import-empty-confirm"));
    await waitFor(() => expect(screen.queryAllByTestId("route-card")).toHaveLength(0));
    expect(api.saves).toEqual([{ routes: [], rules: [], limits: [] }]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("shows routes, rules, the explain result and health", async () => {
    await mount();
    expect(screen.getAllByTestId("rule-row")).toHaveLength(2);
    expect(screen.getByText(/Evaluated top to bottom/)).toBeInTheDocument();
    expect(screen.getAllByText("Tries the targets in the order written.").length).toBeGreaterThan(
      0,
    );

    const traces = screen.getAllByTestId("explain-rule");
    expect(traces.map((t) => t.dataset.verdict)).toEqual(["no_match", "disabled"]);
    const candidates = screen.getAllByTestId("explain-candidate");
    expect(candidates.map((c) => c.dataset.eligible)).toEqual(["true", "false"]);
    expect(within(at(candidates, 0)).getByText("chosen")).toBeInTheDocument();
    expect(within(at(candidates, 0)).getByText("$0.01235")).toBeInTheDocument();
    expect(
      within(at(candidates, 1)).getByText("needs 200000 tokens, has 128000"),
    ).toBeInTheDocument();

    await waitFor(() => expect(screen.getAllByTestId("health-target")).toHaveLength(2));
    const closed = at(screen.getAllByTestId("health-target"), 0);
    const open = at(screen.getAllByTestId("health-target"), 1);
    expect(closed.dataset.state).toBe("closed");
    expect(open.dataset.state).toBe("open");
    expect(within(open).getByText("503 from upstream")).toBeInTheDocument();
    expect(within(open).getByText(/retry in 1[12] s/)).toBeInTheDocument();
    expect(within(closed).getByText(/\$0\.00421\b/), "spend so far is exact").toBeInTheDocument();
    expect(within(closed).getByText("420 ms / 1.9 s")).toBeInTheDocument();
    expect(screen.getByText(/requests 7 \/ 60 per min/)).toBeInTheDocument();
  });

  it("edits a rule's tags, saves, and the explain re-runs against the saved configuration", async () => {
    const { api } = await mount();
    await fireEvent.input(screen.getByTestId("explain-task"), { target: { value: "review" } });
    await waitFor(() => expect(api.explains.at(-1)?.task).toBe("review"));
    await waitFor(() =>
      expect(at(screen.getAllByTestId("explain-rule"), 0).dataset.verdict).toBe("no_match"),
    );

    const tags = at(screen.getAllByTestId("rule-task-input"), 0);
    await fireEvent.input(tags, { target: { value: "review, " } });
    expect((tags as HTMLInputElement).value).toBe("review, "); // typing is not reformatted
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("routing-save"));
    await waitFor(() =>
      expect(at(screen.getAllByTestId("explain-rule"), 0).dataset.verdict).toBe("matched"),
    );
    expect(at(at(api.saves, 0).rules, 0).when?.task).toEqual(["review"]);
    expect(screen.getByTestId("explain-summary").textContent).toContain('route "code"');
    expect(screen.queryByTestId("routing-error")).toBeNull();
  });

  it("shows a refused save inline and keeps the edits", async () => {
    const { api } = await mount();
    api.refuseNextSave = 'rule "code questions" uses route "x", which does not exist';
    const tags = at(screen.getAllByTestId("rule-task-input"), 0);
    await fireEvent.input(tags, { target: { value: "code, docs" } });
    await fireEvent.click(screen.getByTestId("routing-save"));
    const alert = await screen.findByTestId("routing-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert.textContent).toContain('uses route "x"');
    expect((screen.getAllByTestId("rule-task-input")[0] as HTMLInputElement).value).toBe(
      "code, docs",
    );
  });

  it("shows the weight only for weighted routes and the sort only for OpenRouter", async () => {
    await mount();
    const card = at(screen.getAllByTestId("route-card"), 0);
    expect(within(card).queryByText("Weight")).toBeNull();
    await fireEvent.change(within(card).getByLabelText("Strategy of code"), {
      target: { value: "weighted" },
    });
    expect(within(card).getByText("Weight")).toBeInTheDocument();
    expect(within(card).queryByLabelText("OpenRouter sort of code")).toBeNull();
    await fireEvent.change(within(card).getByLabelText("Strategy of code"), {
      target: { value: "openrouter" },
    });
    expect(within(card).getByLabelText("OpenRouter sort of code")).toBeInTheDocument();
  });

  it("deletes a route and a rule after confirming, and moves rules", async () => {
    const { routing } = await mount();
    const first = at(screen.getAllByTestId("route-card"), 0);
    await fireEvent.click(within(first).getByRole("button", { name: "Delete route code" }));
    await fireEvent.click(within(first).getByRole("button", { name: "Delete “code”?" }));
    expect(screen.getAllByTestId("route-card")).toHaveLength(1);
    expect(draftOf(routing).routes.map((r) => r.name)).toEqual(["chat"]);

    await fireEvent.click(screen.getByRole("button", { name: "Move rule no audio up" }));
    expect(screen.getAllByTestId("rule-row").map((r) => r.dataset.rule)).toEqual([
      "no audio",
      "code questions",
    ]);
    const row = at(screen.getAllByTestId("rule-row"), 0);
    await fireEvent.click(within(row).getByRole("button", { name: "Delete rule no audio" }));
    await fireEvent.click(within(row).getByRole("button", { name: "Delete “no audio”?" }));
    expect(screen.getAllByTestId("rule-row").map((r) => r.dataset.rule)).toEqual([
      "code questions",
    ]);
    await fireEvent.click(screen.getByRole("button", { name: "Revert" }));
    expect(screen.getAllByTestId("route-card")).toHaveLength(2);
    expect(screen.getAllByTestId("rule-row")).toHaveLength(2);
  });

  it("adds a target from the form, with model suggestions", async () => {
    const { routing } = await mount();
    const card = at(screen.getAllByTestId("route-card"), 1);
    const input = within(card).getByLabelText("Model id of the new target");
    const list = must(document.getElementById(must(input.getAttribute("list"))));
    expect(list.querySelectorAll("option")).toHaveLength(1);
    await fireEvent.input(input, { target: { value: "anthropic/claude-sonnet-4" } });
    await fireEvent.click(within(card).getByRole("button", { name: "Add target" }));
    expect(routeOf(routing, 1).targets.map((t) => t.model)).toEqual([
      "gpt-4o-mini",
      "anthropic/claude-sonnet-4",
    ]);
    expect(within(card).getAllByTestId("route-target")).toHaveLength(2);
  });

  it("exports where the save dialog says and shows the path", async () => {
    await mount();
    await fireEvent.click(screen.getByRole("button", { name: "Export…" }));
    expect(
      await screen.findByText("/home/me/Downloads/switchboard-routing.toml"),
    ).toBeInTheDocument();
  });

  it("says nothing was exported when the save dialog is cancelled", async () => {
    let answer: (path: string | null) => void = () => {};
    const api = fakeApi();
    api.routingExport = () =>
      new Promise<string | null>((resolve) => {
        answer = resolve;
      });
    await mount(api);
    const button = screen.getByRole("button", { name: "Export…" });
    await fireEvent.click(button);
    // One dialog at a time: the button waits for the answer.
    await waitFor(() => expect(button).toBeDisabled());
    answer(null);
    await waitFor(() => expect(button).toBeEnabled());
    expect(screen.queryByText(/Exported the saved configuration/)).not.toBeInTheDocument();
  });

  it("polls health every 2 s and stops when the screen closes", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const api = fakeApi();
    const view = render(RoutingView, { routing: new RoutingState(api) });
    await vi.waitFor(() => expect(api.healthCalls).toBe(1));
    const before = api.healthCalls;
    await vi.advanceTimersByTimeAsync(4000);
    expect(api.healthCalls).toBe(before + 2);
    view.unmount();
    await vi.advanceTimersByTimeAsync(6000);
    expect(api.healthCalls).toBe(before + 2);
  });
});
