/**
 * What the Agents screen needs from the backend. `src/lib/ipc/agents.ts` implements it over
 * Tauri IPC; tests pass a fake (`./testing.ts`). Every method rejects with an `AppError`
 * (`code`, `message`, `retryable`).
 */
import type {
  AgentDetail,
  AgentEvent,
  AgentSpec,
  McpServer,
  Memory,
  RunView,
  Task,
  TaskReport,
  Template,
} from "../ipc/client";

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
