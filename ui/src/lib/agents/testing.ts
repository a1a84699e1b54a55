/** Fakes for the Agents screen's tests: an in-memory backend with scripted runs. */
import { AppError } from "../ipc/errors";
import type { AgentsApi } from "../ipc/agents";
import type {
  AgentDetail,
  AgentEvent,
  AgentSpec,
  ErrorCode,
  ErrorInfo,
  McpServer,
  Memory,
  RunView,
  Step,
  Task,
  TaskReport,
  Template,
} from "../ipc/client";
import { blankSpec } from "./draft";

export function spec(over: Partial<AgentSpec> = {}): AgentSpec {
  return { ...blankSpec(), name: "helper", system_prompt: "Help.", ...over };
}

export function step(over: Partial<Step> = {}): Step {
  return {
    kind: "model",
    model: "openai/gpt-4o-mini",
    tool: null,
    cost_usd: "0.0001",
    tokens: 100,
    ms: 250,
    stage: null,
    detail: "",
    error: null,
    ...over,
  };
}

export function report(over: Partial<TaskReport> = {}): TaskReport {
  return { result: "", cost_usd: "0", tokens: 0, steps: [], error: null, ...over };
}

/** Why a run did not finish, as a report carries it. */
export function runError(message: string, code: ErrorCode = "internal"): ErrorInfo {
  return { code, message, retryable: false };
}

const ids = ["code_reviewer", "summarizer", "translator", "data_extractor", "researcher"];

/** The five templates, shaped like Rust's. */
export function templates(): Template[] {
  return ids.map((id) => ({
    id,
    title: id.replace("_", " ").replace(/^./, (c) => c.toUpperCase()),
    blurb: `What the ${id} does.`,
    spec: spec({
      name: id,
      template: id,
      description: `The ${id}.`,
      system_prompt: `You are a ${id}.`,
      budget_usd: "0.05",
      params: { temperature: 0.2 },
      task_type: id === "translator" ? "translate" : null,
    }),
  }));
}

/** One step of a scripted run: an event to send, or a pause until the user answers. */
export type ScriptItem = AgentEvent | { type: "await_approval"; call_id: string };

/** Rust's `mask_key`: the last four characters of a long enough value, else dots only. */
function mask(value: string): string {
  return value.length < 12 ? "••••" : `••••${value.slice(-4)}`;
}

export class FakeAgentsApi implements AgentsApi {
  agents: AgentSpec[] = [];
  memories = new Map<string, Memory>();
  /** The servers as Rust lists them: variable names with masked values, never the values. */
  servers_: McpServer[] = [];
  /** Every server as the UI sent it to be saved, values included. */
  serverSaves: McpServer[] = [];
  pastRuns: RunView[] = [];
  /** Refuses the next save with this message (`invalid_input`), as Rust's validation does. */
  refuseSave: string | null = null;
  saved: { previous: string | null; spec: AgentSpec }[] = [];
  memorySaves: { name: string; memory: Memory }[] = [];
  tasks: Task[] = [];
  stops: string[] = [];
  approvals: { callId: string; approve: boolean }[] = [];
  /** What the next run does, and the report it resolves with. */
  script: ScriptItem[] = [];
  finalReport: TaskReport = report();

  private answered = new Map<string, () => void>();

  async templates(): Promise<Template[]> {
    return templates();
  }
  async list(): Promise<AgentSpec[]> {
    return this.agents.map((a) => structuredClone(a));
  }
  async get(name: string): Promise<AgentDetail> {
    const found = this.agents.find((a) => a.name === name);
    if (!found)
      throw new AppError({ code: "not_found", message: "no such agent", retryable: false });
    return { spec: structuredClone(found), memory: this.memories.get(name) ?? { pinned: [] } };
  }
  async save(previous: string | null, s: AgentSpec): Promise<AgentSpec> {
    this.saved.push({ previous, spec: s });
    if (this.refuseSave) {
      const message = this.refuseSave;
      this.refuseSave = null;
      throw new AppError({ code: "invalid_input", message, retryable: false });
    }
    this.agents = this.agents.filter((a) => a.name !== (previous ?? s.name));
    this.agents.push(structuredClone(s));
    return structuredClone(s);
  }
  async remove(name: string): Promise<void> {
    this.agents = this.agents.filter((a) => a.name !== name);
  }
  async saveMemory(name: string, memory: Memory): Promise<void> {
    this.memorySaves.push({ name, memory });
    this.memories.set(name, memory);
  }
  async runs(agent: string | null): Promise<RunView[]> {
    return this.pastRuns.filter((r) => agent === null || r.agent === agent);
  }
  async run(name: string, task: Task, onEvent: (event: AgentEvent) => void): Promise<TaskReport> {
    this.tasks.push(task);
    for (const item of this.script) {
      await Promise.resolve();
      if (item.type === "await_approval") {
        await new Promise<void>((resolve) => this.answered.set(item.call_id, resolve));
      } else {
        onEvent(item);
      }
    }
    this.pastRuns.unshift({
      id: "run-1",
      agent: name,
      task,
      report: this.finalReport,
      status: this.finalReport.error ? "failed" : "done",
      started_ms: 0,
      finished_ms: 1,
    });
    return this.finalReport;
  }
  async stop(runId: string): Promise<void> {
    this.stops.push(runId);
  }
  async approve(callId: string, approve: boolean): Promise<void> {
    this.approvals.push({ callId, approve });
    this.answered.get(callId)?.();
  }
  async servers(): Promise<McpServer[]> {
    return this.servers_.map((s) => structuredClone(s));
  }
  async saveServer(server: McpServer): Promise<void> {
    this.serverSaves.push(structuredClone(server));
    const listed: McpServer = {
      ...structuredClone(server),
      env: (server.env ?? []).map(({ name, value }) => ({ name, masked: mask(value ?? "") })),
    };
    this.servers_ = [...this.servers_.filter((s) => s.name !== server.name), listed];
  }
  async deleteServer(name: string): Promise<void> {
    this.servers_ = this.servers_.filter((s) => s.name !== name);
  }
  async routes(): Promise<string[]> {
    return ["cheap", "strong"];
  }
}
