/**
 * The Agents screen's backend over Tauri IPC: implements `AgentsApi` with the generated
 * commands. Each run gets its own `Channel`, so the events of two runs never mix.
 */
import { Channel } from "@tauri-apps/api/core";
import type { AgentsApi } from "../agents/api";
import { commands } from "./bindings";
import type { AgentEvent } from "./bindings";
import { call, done, routeNames } from "./client";

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
