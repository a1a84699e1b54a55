/**
 * The Agents screen's backend over Tauri IPC: `AgentsApi` says what the screen needs and
 * `agentsApi` implements it with the generated commands. Each run gets its own `Channel`, so the
 * events of two runs never mix. The interface lives here, beside its implementation, so the
 * transport imports no screen; tests pass a fake (`../agents/testing.ts`). Every method rejects
 * with an `AppError` (`code`, `message`, `retryable`).
 */
import { Channel } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type { AgentEvent } from "./bindings";
import { call, done, routeNames } from "./client";
import type {
  AgentDetail,
  AgentSpec,
  McpServer,
  Memory,
  RunView,
  Task,
  TaskReport,
  Template,
} from "./client";

export interface AgentsApi {
  /** The templates a new agent can start from. */
  templates(): Promise<Template[]>;
  list(): Promise<AgentSpec[]>;
  /** One agent and its memory. */
  get(name: string): Promise<AgentDetail>;
  /** Creates (`previous` null) or updates; a bad spec rejects with `invalid_input` and what to fix. */
  save(previous: string | null, spec: AgentSpec): Promise<AgentSpec>;
  remove(name: string): Promise<void>;
  saveMemory(name: string, memory: Memory): Promise<void>;
  /** The newest runs of one agent (all agents when `null`). */
  runs(agent: string | null): Promise<RunView[]>;
  /** Runs a task; events stream through `onEvent` (the first is `started`). Resolves with the
   * report, also when the task failed or was stopped (`report.error`). */
  run(name: string, task: Task, onEvent: (event: AgentEvent) => void): Promise<TaskReport>;
  stop(runId: string): Promise<void>;
  approve(callId: string, approve: boolean): Promise<void>;
  servers(): Promise<McpServer[]>;
  saveServer(server: McpServer): Promise<void>;
  deleteServer(name: string): Promise<void>;
  /** The configured route names, offered as agent targets. */
  routes(): Promise<string[]>;
}

export const agentsApi: AgentsApi = {
  templates: () => call(commands.agentTemplates()),
  list: () => call(commands.agentsList()),
  get: (name) => call(commands.agentGet(name)),
  save: (previous, spec) => call(commands.agentSave(previous, spec)),
  remove: (name) => done(commands.agentDelete(name)),
  saveMemory: (name, memory) => done(commands.agentMemorySave(name, memory)),
  runs: (agent) => call(commands.agentRuns(agent)),
  run: (name, task, onEvent) => {
    const ch = new Channel<AgentEvent>();
    ch.onmessage = onEvent;
    return call(commands.agentRun(name, task, ch));
  },
  stop: (runId) => done(commands.agentStop(runId)),
  approve: (callId, approve) => done(commands.agentApprove(callId, approve)),
  servers: () => call(commands.mcpServersList()),
  saveServer: (server) => done(commands.mcpServerSave(server)),
  deleteServer: (name) => done(commands.mcpServerDelete(name)),
  routes: routeNames,
};
