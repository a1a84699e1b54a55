/**
 * The Routing editor's draft and the pure rules around it: every field an input binds to, as
 * typed (`toDraft` fills it from the saved configuration, `toConfig` turns it back), the edits
 * the editor makes to it, the explain panel's sample request, and how figures are shown. The
 * reactive screen state (`routing.svelte.ts`) holds a draft and calls these.
 */
import { moneyScan } from "../shared/money";
import type {
  BreakerSettings,
  Capability,
  Failover,
  FailoverMode,
  HealthSettings,
  Modality,
  ProviderId,
  RateLimit,
  ReasoningEffort,
  RouteRequest,
  RouterConfig,
  Rule,
  Strategy,
  Value,
} from "../ipc/client";

/** A target being edited. `key` keeps list items stable while they move; it is never sent. */
export interface EditTarget {
  key: number;
  provider: ProviderId;
  model: string;
  weight: number;
  max_concurrency: number | null;
  /** OpenRouter provider preferences, passed through untouched. */
  openrouter: Value | null;
}

export interface EditRoute {
  key: number;
  name: string;
  strategy: Strategy;
  openrouter_sort: string | null;
  /** For the smart strategy: how much cost counts against quality (null = the default). */
  cost_weight: number | null;
  targets: EditTarget[];
  failover: Required<Failover>;
}

export interface EditConditions {
  task: string[];
  model: string[];
  route: string[];
  min_prompt_tokens: number | null;
  max_prompt_tokens: number | null;
  modalities: Modality[];
  capabilities: Capability[];
  agent: string[];
  conversation: string[];
  /** Client key names (local API); kept through edits so a saved rule never loses them. */
  client: string[];
}

export interface EditRule {
  key: number;
  name: string;
  enabled: boolean;
  when: EditConditions;
  /** `route` uses a route (or, with none, only sets parameters); `block` refuses. */
  kind: "route" | "block";
  route: string | null;
  temperature: number | null;
  max_tokens: number | null;
  reasoning_effort: ReasoningEffort | null;
  block: string;
}

/** The whole configuration as the editor holds it: every field present, lists keyed. */
export interface Draft {
  routes: EditRoute[];
  rules: EditRule[];
  breaker: BreakerSettings;
  limits: RateLimit[];
  health: HealthSettings;
}

/** The explain panel's sample request, as typed. */
export interface Sample {
  task: string;
  /** The requested route's name; "" for none. */
  route: string;
  provider: ProviderId;
  /** The requested model; "" for none. */
  model: string;
  prompt: string;
  /** Overrides the estimate from `prompt` when set. */
  promptTokens: number | null;
  maxOutputTokens: number | null;
  capabilities: Capability[];
  image: boolean;
}

export const STRATEGIES: { id: Strategy; label: string; explain: string }[] = [
  { id: "priority", label: "Priority", explain: "Tries the targets in the order written." },
  {
    id: "round_robin",
    label: "Round robin",
    explain: "Each request starts one target further down the list.",
  },
  {
    id: "weighted",
    label: "Weighted",
    explain: "Picks at random, in proportion to each target's weight.",
  },
  {
    id: "least_busy",
    label: "Least busy",
    explain: "Picks the target with the fewest requests in flight.",
  },
  {
    id: "lowest_cost",
    label: "Lowest cost",
    explain: "Picks the lowest predicted cost: the request's tokens times each target's prices.",
  },
  {
    id: "lowest_latency",
    label: "Lowest latency",
    explain:
      "Picks the faster of two random targets by time to first token and throughput, so traffic does not herd onto one.",
  },
  {
    id: "performance",
    label: "Performance",
    explain: "Weighs success rate with latency and cost.",
  },
  {
    id: "smart",
    label: "Smart (learns)",
    explain:
      "Learns which target answers each task type well, from failures, thumbs and comparison votes, and weighs that against cost.",
  },
  {
    id: "openrouter",
    label: "OpenRouter decides",
    explain:
      "Sends one request to OpenRouter with the other targets as its fallbacks; OpenRouter picks.",
  },
];

export const FAILOVER_MODES: { id: FailoverMode; label: string; explain: string }[] = [
  { id: "immediate", label: "Immediate", explain: "The next attempt starts at once." },
  { id: "delayed", label: "Delayed", explain: "The next attempt starts after a fixed wait." },
  {
    id: "gradual",
    label: "Gradual",
    explain: "Exponential backoff with jitter, never sooner than Retry-After.",
  },
];

export const CAPABILITIES: { id: Capability; label: string }[] = [
  { id: "tools", label: "Tools" },
  { id: "vision", label: "Vision" },
  { id: "json", label: "JSON output" },
  { id: "reasoning", label: "Reasoning" },
];

export const MODALITIES: { id: Modality; label: string }[] = [
  { id: "image", label: "Image" },
  { id: "file", label: "File" },
  { id: "audio", label: "Audio" },
];

const DEFAULT_FAILOVER: Required<Failover> = {
  mode: "immediate",
  wait_ms: 1000,
  base_ms: 500,
  max_ms: 8000,
  max_attempts: 4,
  retries_per_target: 1,
  max_retry_after_ms: 10000,
};

let nextKey = 1;
const newKey = (): number => nextKey++;

/** Fills every field the editor binds to; `previous` lends its keys (by position), `key` makes
 * the others. */
export function toDraft(
  config: RouterConfig,
  previous?: Draft | null,
  key: () => number = newKey,
): Draft {
  const routes = (config.routes ?? []).map((r, i): EditRoute => {
    const old = previous?.routes[i];
    return {
      key: old?.key ?? key(),
      name: r.name,
      strategy: r.strategy ?? "priority",
      openrouter_sort: r.openrouter_sort ?? null,
      cost_weight: r.cost_weight ?? null,
      failover: { ...DEFAULT_FAILOVER, ...(r.failover ?? {}) },
      targets: r.targets.map((t, j) => ({
        key: old?.targets[j]?.key ?? key(),
        provider: t.provider,
        model: t.model,
        weight: t.weight ?? 1,
        max_concurrency: t.max_concurrency ?? null,
        openrouter: t.openrouter ?? null,
      })),
    };
  });
  const rules = (config.rules ?? []).map((r, i): EditRule => {
    const w = r.when ?? {};
    const set = r.then.set ?? {};
    const block = r.then.block ?? null;
    return {
      key: previous?.rules[i]?.key ?? key(),
      name: r.name,
      enabled: r.enabled ?? true,
      when: {
        task: [...(w.task ?? [])],
        model: [...(w.model ?? [])],
        route: [...(w.route ?? [])],
        min_prompt_tokens: w.min_prompt_tokens ?? null,
        max_prompt_tokens: w.max_prompt_tokens ?? null,
        modalities: [...(w.modalities ?? [])],
        capabilities: [...(w.capabilities ?? [])],
        agent: [...(w.agent ?? [])],
        conversation: [...(w.conversation ?? [])],
        client: [...(w.client ?? [])],
      },
      kind: block === null ? "route" : "block",
      route: r.then.route ?? null,
      temperature: set.temperature ?? null,
      max_tokens: set.max_tokens ?? null,
      reasoning_effort: set.reasoning_effort ?? null,
      block: block ?? "",
    };
  });
  return {
    routes,
    rules,
    breaker: { ...(config.breaker ?? {}) },
    limits: (config.limits ?? []).map((l) => ({ ...l })),
    health: { ...(config.health ?? {}) },
  };
}

/** The draft as the backend takes it: no editor keys, no empty optional fields. */
export function toConfig(draft: Draft): RouterConfig {
  return {
    routes: draft.routes.map((r) => ({
      name: r.name.trim(),
      strategy: r.strategy,
      ...(r.strategy === "openrouter" && r.openrouter_sort
        ? { openrouter_sort: r.openrouter_sort }
        : {}),
      ...(r.strategy === "smart" && r.cost_weight !== null ? { cost_weight: r.cost_weight } : {}),
      targets: r.targets.map((t) => ({
        provider: t.provider,
        model: t.model.trim(),
        weight: t.weight,
        ...(t.max_concurrency !== null ? { max_concurrency: t.max_concurrency } : {}),
        ...(t.openrouter !== null ? { openrouter: t.openrouter } : {}),
      })),
      failover: { ...r.failover },
    })),
    rules: draft.rules.map((r): Rule => {
      const w = r.when;
      const when: Rule["when"] = {};
      if (w.task.length) when.task = [...w.task];
      if (w.model.length) when.model = [...w.model];
      if (w.route.length) when.route = [...w.route];
      if (w.min_prompt_tokens !== null) when.min_prompt_tokens = w.min_prompt_tokens;
      if (w.max_prompt_tokens !== null) when.max_prompt_tokens = w.max_prompt_tokens;
      if (w.modalities.length) when.modalities = [...w.modalities];
      if (w.capabilities.length) when.capabilities = [...w.capabilities];
      if (w.agent.length) when.agent = [...w.agent];
      if (w.conversation.length) when.conversation = [...w.conversation];
      if (w.client.length) when.client = [...w.client];
      const then: Rule["then"] = {};
      if (r.kind === "block") {
        then.block = r.block;
      } else {
        if (r.route) then.route = r.route;
        const set: NonNullable<Rule["then"]["set"]> = {};
        if (r.temperature !== null) set.temperature = r.temperature;
        if (r.max_tokens !== null) set.max_tokens = r.max_tokens;
        if (r.reasoning_effort !== null) set.reasoning_effort = r.reasoning_effort;
        if (Object.keys(set).length) then.set = set;
      }
      return { name: r.name.trim(), enabled: r.enabled, when, then };
    }),
    breaker: { ...draft.breaker },
    limits: draft.limits.map((l) => ({ ...l })),
    health: { ...draft.health },
  };
}

/** The largest routing file the app reads (the backend refuses larger ones too). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** Whether a TOML document holds only blank lines and comments: it reads as an empty
 * configuration, so importing it would delete every route, rule and limit. Same rule as the
 * backend's `is_blank`. */
export function isBlankToml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => {
    const t = line.replace(/^\uFEFF/, "").trim();
    return t === "" || t.startsWith("#");
  });
}

/** Whether a configuration has nothing to lose: no routes, rules or limits. */
export function isEmptyConfig(config: RouterConfig | null): boolean {
  return (
    !config ||
    ((config.routes ?? []).length === 0 &&
      (config.rules ?? []).length === 0 &&
      (config.limits ?? []).length === 0)
  );
}

/** Prompt tokens as the router would estimate them from text: about four characters each. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The RouteRequest a sample stands for. */
export function toRequest(s: Sample): RouteRequest {
  const req: RouteRequest = {
    prompt_tokens: s.promptTokens ?? estimateTokens(s.prompt),
    capabilities: [...s.capabilities],
    modalities: s.image ? ["image"] : [],
  };
  if (s.task.trim()) req.task = s.task.trim();
  if (s.route) req.route = s.route;
  if (s.model.trim()) {
    req.provider = s.provider;
    req.model = s.model.trim();
  }
  if (s.maxOutputTokens !== null) req.max_output_tokens = s.maxOutputTokens;
  return req;
}

/**
 * A predicted cost, scanned in a list: "$0.01235", "$1.50" (../shared/money's scan rule).
 * Predictions are floats from the router; they are shown, never summed.
 */
export function formatCost(usd: number | null): string {
  return usd === null ? "unknown" : moneyScan(usd);
}

/** "1.2 s", "340 ms". */
export function formatMs(ms: number | null): string {
  if (ms === null) return "—";
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 0 : 1)} s`;
  return `${Math.round(ms)} ms`;
}

/** A fraction as a whole percent ("42%"), or `ifNull` when there is none. */
export function formatFraction(x: number | null, ifNull = "—"): string {
  return x === null ? ifNull : `${Math.round(x * 100)}%`;
}

/** One line saying what a rule does, for its header. */
export function describeRule(rule: EditRule): string {
  const w = rule.when;
  const parts: string[] = [];
  const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(" or ");
  if (w.task.length) parts.push(`task is ${list(w.task)}`);
  if (w.model.length) parts.push(`model is ${list(w.model)}`);
  if (w.route.length) parts.push(`route is ${list(w.route)}`);
  if (w.min_prompt_tokens !== null) parts.push(`prompt ≥ ${w.min_prompt_tokens} tokens`);
  if (w.max_prompt_tokens !== null) parts.push(`prompt ≤ ${w.max_prompt_tokens} tokens`);
  if (w.modalities.length) parts.push(`carries ${w.modalities.join(" or ")}`);
  if (w.capabilities.length) parts.push(`needs ${w.capabilities.join(" and ")}`);
  if (w.agent.length) parts.push(`agent is ${list(w.agent)}`);
  if (w.conversation.length) parts.push("in chosen conversations");
  if (w.client.length) parts.push(`client is ${list(w.client)}`);
  const when = parts.length ? `When ${parts.join(", ")}` : "Every request";
  let then: string;
  if (rule.kind === "block") {
    then = "block it";
  } else {
    const set: string[] = [];
    if (rule.temperature !== null) set.push(`temperature ${rule.temperature}`);
    if (rule.max_tokens !== null) set.push(`max tokens ${rule.max_tokens}`);
    if (rule.reasoning_effort !== null) set.push(`reasoning ${rule.reasoning_effort}`);
    then = rule.route ? `use route "${rule.route}"` : "keep its route";
    if (set.length) then += `, set ${set.join(", ")}`;
  }
  return `${when} → ${then}`;
}

// ---- edits: each changes the draft in place, as the editor's inputs do

/** Appends a route named "new-route" (or "new-route-2", … when taken) with no targets. */
export function addRoute(draft: Draft, key: () => number = newKey): void {
  const taken = draft.routes.map((r) => r.name);
  let name = "new-route";
  for (let n = 2; taken.includes(name); n++) name = `new-route-${n}`;
  draft.routes.push({
    key: key(),
    name,
    strategy: "priority",
    openrouter_sort: null,
    cost_weight: null,
    targets: [],
    failover: { ...DEFAULT_FAILOVER },
  });
}

/** Renames a route and every rule that names it. */
export function renameRoute(draft: Draft, index: number, name: string): void {
  const route = draft.routes[index];
  if (!route) return;
  const old = route.name;
  route.name = name;
  for (const rule of draft.rules) {
    if (rule.route === old) rule.route = name;
    rule.when.route = rule.when.route.map((r) => (r === old ? name : r));
  }
}

/** Appends a target to a route; a blank model adds nothing. */
export function addTarget(
  draft: Draft,
  routeIndex: number,
  provider: ProviderId,
  model: string,
  key: () => number = newKey,
): void {
  const route = draft.routes[routeIndex];
  if (!route || model.trim() === "") return;
  route.targets.push({
    key: key(),
    provider,
    model: model.trim(),
    weight: 1,
    max_concurrency: null,
    openrouter: null,
  });
}

/** Appends an enabled rule named "new rule" (or "new rule 2", …) that uses the first route. */
export function addRule(draft: Draft, key: () => number = newKey): void {
  const taken = draft.rules.map((r) => r.name);
  let name = "new rule";
  for (let n = 2; taken.includes(name); n++) name = `new rule ${n}`;
  draft.rules.push({
    key: key(),
    name,
    enabled: true,
    when: {
      task: [],
      model: [],
      route: [],
      min_prompt_tokens: null,
      max_prompt_tokens: null,
      modalities: [],
      capabilities: [],
      agent: [],
      conversation: [],
      client: [],
    },
    kind: "route",
    route: draft.routes[0]?.name ?? null,
    temperature: null,
    max_tokens: null,
    reasoning_effort: null,
    block: "",
  });
}

/** Moves `list[from]` to `to`; out of range does nothing. */
export function move<T>(list: T[], from: number, to: number): void {
  if (to < 0 || to >= list.length || from === to) return;
  list.splice(to, 0, ...list.splice(from, 1));
}
