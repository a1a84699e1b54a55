/**
 * The agent editor's draft: every field an input binds to, as typed. `toDraft` fills it from a
 * spec; `toSpec` turns it back, keeping what the editor does not show (how many recent turns
 * memory keeps word for word) as it was.
 */
import type {
  AgentSpec,
  AgentTarget,
  McpServer,
  Plan,
  ReasoningEffort,
  Stage,
  ToolGrant,
} from "../ipc/client";

/** A target as its inputs hold it: both the model and the route fields, whichever is chosen. */
export interface EditTarget {
  key: number;
  kind: "model" | "route";
  provider: string;
  model: string;
  route: string;
}

export interface EditStage {
  key: number;
  name: string;
  instruction: string;
  target: EditTarget;
  /** Tried when the stage's model fails with an error worth retrying. */
  fallback: EditTarget | null;
}

export interface EditCandidate {
  key: number;
  target: EditTarget;
}

export type PlanKind = Plan["kind"];

export interface AgentDraft {
  name: string;
  description: string;
  template: string | null;
  system_prompt: string;
  target: EditTarget;
  temperature: number | null;
  max_tokens: number | null;
  reasoning_effort: ReasoningEffort | null;
  max_steps: number;
  /** USD as typed; empty for none. */
  budget: string;
  task_type: string;
  calculator: boolean;
  clock: boolean;
  readFiles: boolean;
  readRoot: string;
  httpGet: boolean;
  /** Hosts fetched without asking, comma- or space-separated (`docs.rs`, `10.0.0.5:8080`). */
  httpHosts: string;
  /** Also any other public host, each asked for once per task. */
  httpAnyPublic: boolean;
  /** Names of granted MCP servers. */
  mcp: string[];
  plan: PlanKind;
  stages: EditStage[];
  candidates: EditCandidate[];
  /** 0–1. */
  qualityBar: number;
  windowTokens: number;
  /** Who summarizes older memory; null for the agent's own model. */
  summarizeWith: EditTarget | null;
  /** The output JSON Schema as typed; empty for none. */
  outputSchema: string;
  /** The spec the draft came from, for the fields it does not edit. */
  base: AgentSpec | null;
}

export const PLAN_KINDS: { id: PlanKind; label: string; explain: string }[] = [
  { id: "single", label: "Single model", explain: "Every step on the agent's model." },
  {
    id: "staged",
    label: "Stages",
    explain: "Stages in order, each on its own model (a cheap draft, then a strong review).",
  },
  {
    id: "cost_aware",
    label: "Cost-aware",
    explain:
      "The cheapest candidate whose learned quality meets the bar and whose cost fits the budget; on failure, the next one up.",
  },
];

let nextKey = 1;
const newKey = (): number => nextKey++;

export function editTarget(t?: AgentTarget | null): EditTarget {
  if (t?.kind === "route") {
    return { key: newKey(), kind: "route", provider: "openrouter", model: "", route: t.route };
  }
  return {
    key: newKey(),
    kind: "model",
    provider: t?.provider ?? "openrouter",
    model: t?.model ?? "",
    route: "",
  };
}

export function toTarget(t: EditTarget): AgentTarget {
  return t.kind === "route"
    ? { kind: "route", route: t.route.trim() }
    : { kind: "model", provider: t.provider.trim(), model: t.model.trim() };
}

export function newStage(name = ""): EditStage {
  return { key: newKey(), name, instruction: "", target: editTarget(), fallback: null };
}

export function newCandidate(t?: AgentTarget | null): EditCandidate {
  const target = editTarget(t);
  return { key: target.key, target };
}

/** The spec a blank agent starts from. */
export function blankSpec(): AgentSpec {
  return {
    name: "",
    description: "",
    template: null,
    system_prompt: "",
    target: { kind: "model", provider: "openrouter", model: "openai/gpt-4o-mini" },
    params: {},
    tools: [],
    memory: { window_tokens: 6000, keep_recent: 4 },
    budget_usd: null,
    max_steps: 10,
    task_type: null,
    plan: { kind: "single" },
  };
}

export function toDraft(spec: AgentSpec): AgentDraft {
  const tools = spec.tools ?? [];
  const read = tools.find((t) => t.kind === "read_files");
  const http = tools.find((t) => t.kind === "http_get");
  const plan = spec.plan ?? { kind: "single" };
  return {
    name: spec.name,
    description: spec.description ?? "",
    template: spec.template ?? null,
    system_prompt: spec.system_prompt,
    target: editTarget(spec.target),
    temperature: spec.params?.temperature ?? null,
    max_tokens: spec.params?.max_tokens ?? null,
    reasoning_effort: spec.params?.reasoning_effort ?? null,
    max_steps: spec.max_steps,
    budget: spec.budget_usd ?? "",
    task_type: spec.task_type ?? "",
    calculator: tools.some((t) => t.kind === "calculator"),
    clock: tools.some((t) => t.kind === "clock"),
    readFiles: read !== undefined,
    readRoot: read?.kind === "read_files" ? read.root : "",
    httpGet: http !== undefined,
    httpHosts: http?.kind === "http_get" ? (http.hosts ?? []).join(", ") : "",
    httpAnyPublic: http?.kind === "http_get" ? (http.any_public_host ?? false) : false,
    mcp: tools.flatMap((t) => (t.kind === "mcp" ? [t.server] : [])),
    plan: plan.kind,
    stages:
      plan.kind === "staged"
        ? plan.stages.map((s) => ({
            key: newKey(),
            name: s.name,
            instruction: s.instruction,
            target: editTarget(s.target),
            fallback: s.fallback ? editTarget(s.fallback) : null,
          }))
        : [],
    candidates: plan.kind === "cost_aware" ? plan.candidates.map((c) => newCandidate(c)) : [],
    qualityBar: plan.kind === "cost_aware" ? (plan.quality_bar ?? 0.7) : 0.7,
    windowTokens: spec.memory?.window_tokens ?? 6000,
    summarizeWith: spec.memory?.summarize_with ? editTarget(spec.memory.summarize_with) : null,
    outputSchema:
      spec.output_schema === null || spec.output_schema === undefined
        ? ""
        : JSON.stringify(spec.output_schema, null, 2),
    base: spec,
  };
}

/** Splits "a, b c" into ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** One environment variable of an MCP server, as saved (a value) or listed (a mask). */
export type McpVariable = NonNullable<McpServer["env"]>[number];

/** `NAME=value` lines into variables to save; blank lines are skipped. The values go to Rust
 * once and are kept in the OS keychain; they never come back to the UI. */
export function parseEnv(text: string): { env: McpVariable[] } | { error: string } {
  const env: McpVariable[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const at = line.indexOf("=");
    const name = at < 0 ? "" : line.slice(0, at).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return { error: `Write each variable as NAME=value (not "${line.trim()}").` };
    }
    env.push({ name, value: line.slice(at + 1) });
  }
  return { env };
}

function tools(d: AgentDraft): ToolGrant[] {
  const out: ToolGrant[] = [];
  if (d.calculator) out.push({ kind: "calculator" });
  if (d.clock) out.push({ kind: "clock" });
  if (d.readFiles) out.push({ kind: "read_files", root: d.readRoot.trim() });
  if (d.httpGet) {
    out.push({
      kind: "http_get",
      hosts: splitList(d.httpHosts),
      any_public_host: d.httpAnyPublic,
    });
  }
  for (const server of d.mcp) out.push({ kind: "mcp", server });
  return out;
}

function plan(d: AgentDraft): Plan {
  switch (d.plan) {
    case "staged":
      return {
        kind: "staged",
        stages: d.stages.map((s): Stage => ({
          name: s.name.trim(),
          instruction: s.instruction,
          target: toTarget(s.target),
          fallback: s.fallback ? toTarget(s.fallback) : null,
        })),
      };
    case "cost_aware":
      return {
        kind: "cost_aware",
        candidates: d.candidates.map((c) => toTarget(c.target)),
        quality_bar: d.qualityBar,
      };
    default:
      return { kind: "single" };
  }
}

/** The memory policy: the base's, with the window and the summarizing model as edited (the
 * field is left out, not null, when the agent's own model summarizes, as Rust writes it). */
function memory(base: AgentSpec, d: AgentDraft): AgentSpec["memory"] {
  const out = { ...base.memory, window_tokens: d.windowTokens };
  if (d.summarizeWith) out.summarize_with = toTarget(d.summarizeWith);
  else delete out.summarize_with;
  return out;
}

const USD = /^\d+(\.\d+)?$/;

/** The spec to save, or the one thing the UI can tell is wrong before Rust looks at it (the
 * budget must parse as money; everything else Rust checks and explains). */
export function toSpec(d: AgentDraft): { spec: AgentSpec } | { error: string } {
  const budget = d.budget.trim().replace(/^\$/, "");
  if (budget !== "" && !USD.test(budget)) {
    return { error: "the per-task budget is an amount in USD such as 0.25 (or left empty)" };
  }
  let schema: AgentSpec["output_schema"] = null;
  if (d.outputSchema.trim() !== "") {
    try {
      schema = JSON.parse(d.outputSchema) as AgentSpec["output_schema"];
    } catch (e) {
      return { error: `the output schema is not JSON: ${(e as Error).message}` };
    }
  }
  const base = d.base ?? blankSpec();
  const spec: AgentSpec = {
    ...base,
    name: d.name,
    description: d.description,
    template: d.template,
    system_prompt: d.system_prompt,
    target: toTarget(d.target),
    params: {
      ...base.params,
      temperature: d.temperature,
      max_tokens: d.max_tokens,
      reasoning_effort: d.reasoning_effort,
    },
    tools: tools(d),
    memory: memory(base, d),
    budget_usd: budget === "" ? null : budget,
    max_steps: d.max_steps,
    task_type: d.task_type.trim() === "" ? null : d.task_type.trim(),
    plan: plan(d),
    output_schema: schema,
  };
  return { spec };
}
