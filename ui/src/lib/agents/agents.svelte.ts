/**
 * The Agents screen's state: the agents, templates and MCP servers; the agent being edited
 * (a draft plus its saved memory); its past runs; and the trace being shown (a live run or a
 * past one).
 */
import { AppError } from "../ipc/errors";
import type { AgentsApi } from "../ipc/agents";
import type { AgentSpec, McpServer, Memory, RunView, Task, Template } from "../ipc/client";
import { blankSpec, toDraft, toSpec, type AgentDraft } from "./draft";

/** A plain copy of JSON data (no state proxies): what IPC and the next draft get. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
import { TraceState } from "./trace.svelte";

export class AgentsState {
  agents = $state<AgentSpec[]>([]);
  templates = $state<Template[]>([]);
  servers = $state<McpServer[]>([]);
  routes = $state<string[]>([]);
  loadError = $state<string | null>(null);

  /** The agent being edited; `null` when none is open. */
  draft = $state<AgentDraft | null>(null);
  /** The saved name of the agent being edited; `null` for a new one. */
  previous = $state<string | null>(null);
  memory = $state<Memory>({ pinned: [], summary: null, turns: [] });
  saveError = $state<string | null>(null);
  memoryError = $state<string | null>(null);
  saving = $state(false);
  /** Set for a moment after a save, so the editor can say so. */
  savedNotice = $state(false);

  runs = $state<RunView[]>([]);
  trace = $state<TraceState | null>(null);
  serverError = $state<string | null>(null);

  constructor(private readonly api: AgentsApi) {}

  async load(): Promise<void> {
    try {
      const [agents, templates, servers] = await Promise.all([
        this.api.list(),
        this.api.templates(),
        this.api.servers(),
      ]);
      this.agents = agents;
      this.templates = templates;
      this.servers = servers;
      this.loadError = null;
    } catch (e) {
      this.loadError = AppError.from(e).message;
    }
    try {
      this.routes = await this.api.routes();
    } catch {
      this.routes = [];
    }
  }

  /** A new, unsaved agent from a template (or blank when `null`). */
  create(template: Template | null): void {
    this.draft = toDraft(template ? plain(template.spec) : blankSpec());
    this.previous = null;
    this.memory = { pinned: [], summary: null, turns: [] };
    this.saveError = null;
    this.memoryError = null;
    this.runs = [];
    this.trace = null;
  }

  async open(name: string): Promise<void> {
    try {
      const detail = await this.api.get(name);
      this.draft = toDraft(detail.spec);
      this.previous = detail.spec.name;
      this.memory = detail.memory;
      this.saveError = null;
      this.memoryError = null;
      this.trace = null;
      await this.refreshRuns();
    } catch (e) {
      this.loadError = AppError.from(e).message;
    }
  }

  close(): void {
    this.draft = null;
    this.previous = null;
    this.runs = [];
    this.trace = null;
  }

  /** Saves the draft; a refusal (Rust's validation) shows in `saveError`. */
  async save(): Promise<boolean> {
    if (!this.draft) return false;
    const built = toSpec(this.draft);
    if ("error" in built) {
      this.saveError = built.error;
      return false;
    }
    this.saving = true;
    this.saveError = null;
    try {
      const saved = await this.api.save(this.previous, plain(built.spec));
      this.previous = saved.name;
      this.draft = toDraft(saved);
      this.agents = await this.api.list();
      this.savedNotice = true;
      return true;
    } catch (e) {
      this.saveError = AppError.from(e).message;
      return false;
    } finally {
      this.saving = false;
    }
  }

  async remove(): Promise<void> {
    if (this.previous === null) {
      this.close();
      return;
    }
    try {
      await this.api.remove(this.previous);
      this.close();
      this.agents = await this.api.list();
    } catch (e) {
      this.saveError = AppError.from(e).message;
    }
  }

  async addPinned(fact: string): Promise<void> {
    const text = fact.trim();
    if (!text) return;
    await this.saveMemory({ ...this.memory, pinned: [...(this.memory.pinned ?? []), text] });
  }

  async removePinned(index: number): Promise<void> {
    const pinned = (this.memory.pinned ?? []).filter((_, i) => i !== index);
    await this.saveMemory({ ...this.memory, pinned });
  }

  /** Forgets the conversation (turns and summary); pinned facts stay. */
  async forget(): Promise<void> {
    await this.saveMemory({ pinned: this.memory.pinned ?? [], summary: null, turns: [] });
  }

  private async saveMemory(memory: Memory): Promise<void> {
    if (this.previous === null) return;
    try {
      await this.api.saveMemory(this.previous, plain(memory));
      this.memory = memory;
      this.memoryError = null;
    } catch (e) {
      this.memoryError = AppError.from(e).message;
    }
  }

  async refreshRuns(): Promise<void> {
    if (this.previous === null) {
      this.runs = [];
      return;
    }
    try {
      this.runs = await this.api.runs(this.previous);
    } catch {
      this.runs = [];
    }
  }

  showRun(run: RunView): void {
    if (this.trace?.running) return;
    this.trace = TraceState.fromRun(run);
  }

  get running(): boolean {
    return this.trace?.running === true && !this.trace.past;
  }

  /** Runs a task on the saved agent; the trace fills in as events arrive. */
  async run(task: Task): Promise<void> {
    const name = this.previous;
    if (name === null || this.running) return;
    const trace = new TraceState(task.title || task.description || "Task");
    this.trace = trace;
    try {
      const report = await this.api.run(name, task, (event) => {
        trace.apply(event);
        if (event.type === "started" && trace.stopping) void this.api.stop(event.run_id);
      });
      trace.finish(report);
    } catch (e) {
      trace.fail(AppError.from(e).message);
    }
    if (this.previous !== name) return;
    await this.refreshRuns();
    // The task and its result are now remembered turns.
    try {
      const detail = await this.api.get(name);
      if (this.previous === name) this.memory = detail.memory;
    } catch {
      // The memory shown stays as it was; the next open reloads it.
    }
  }

  /** Stops the live run (once it has an id; a stop asked before that is sent when it comes). */
  async stop(): Promise<void> {
    const trace = this.trace;
    if (!trace?.running) return;
    trace.stopping = true;
    if (trace.runId === null) return;
    try {
      await this.api.stop(trace.runId);
    } catch (e) {
      trace.error = AppError.from(e).message;
    }
  }

  async approve(callId: string, allow: boolean): Promise<void> {
    const approval = this.trace?.approvals.find((a) => a.callId === callId);
    if (!approval || approval.answer !== null) return;
    approval.answer = allow;
    try {
      await this.api.approve(callId, allow);
    } catch (e) {
      approval.answer = null;
      if (this.trace) this.trace.error = AppError.from(e).message;
    }
  }

  async saveServer(server: McpServer): Promise<boolean> {
    try {
      await this.api.saveServer(plain(server));
      this.servers = await this.api.servers();
      this.serverError = null;
      return true;
    } catch (e) {
      this.serverError = AppError.from(e).message;
      return false;
    }
  }

  async deleteServer(name: string): Promise<void> {
    try {
      await this.api.deleteServer(name);
      this.servers = await this.api.servers();
      this.serverError = null;
    } catch (e) {
      this.serverError = AppError.from(e).message;
    }
  }
}
