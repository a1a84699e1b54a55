export type Screen =
  "chat" | "models" | "routing" | "agents" | "spend" | "localApi" | "team" | "settings";

export interface ScreenInfo {
  id: Screen;
  label: string;
  /** The keyboard shortcut that opens it, as shown in tooltips (see shortcuts.ts). */
  shortcut: string;
  /** What the screen will hold; shown until it does. */
  summary: string;
  points: string[];
}

export const screens: ScreenInfo[] = [
  {
    id: "chat",
    shortcut: "Ctrl+1",
    label: "Chat",
    summary: "Several models side by side, one composer, every answer with its cost and speed.",
    points: [
      "1 to N columns, each with its own model, parameters and stream",
      "tokens, exact cost, time to first token and tokens per second on every answer",
      "history with branches, full-text search, export and import",
    ],
  },
  {
    id: "models",
    shortcut: "Ctrl+2",
    label: "Models",
    summary: "The OpenRouter catalogue and your direct providers' models, with real prices.",
    points: [
      "search and filter by modality, context, tools, reasoning, price",
      "per-provider endpoints, uptime and latency",
      "compare prices of 2 to 4 models",
    ],
  },
  {
    id: "routing",
    shortcut: "Ctrl+3",
    label: "Routing",
    summary: "Rules, strategies, fallbacks and circuit breakers you can see and edit.",
    points: [
      "cheapest, fastest, weighted, least-busy and OpenRouter's own routing",
      "an explain view: which rule matched and why each target was chosen or skipped",
      "live circuit-breaker and rate-limit state per target",
    ],
  },
  {
    id: "agents",
    shortcut: "Ctrl+4",
    label: "Agents",
    summary: "Hand a task to an agent; get the result, the steps and what it cost.",
    points: [
      "templates: code reviewer, summarizer, translator, data extractor, researcher",
      "tools, MCP servers and approval for side effects",
      "a router that learns which model serves each kind of task",
    ],
  },
  {
    id: "spend",
    shortcut: "Ctrl+5",
    label: "Spend",
    summary: "Budgets that hold, and spend that matches the bill.",
    points: [
      "budgets per provider, model, agent and conversation, with alerts and hard limits",
      "charts by day, model, provider and agent; CSV and SVG export",
    ],
  },
  {
    id: "localApi",
    shortcut: "Ctrl+6",
    label: "Local API",
    summary: "Your other tools through Switchboard's routes, budgets and ledger.",
    points: [],
  },
  {
    id: "team",
    shortcut: "Ctrl+7",
    label: "Team",
    summary: "Members' OpenRouter keys, their limits and guardrails, and what each spent.",
    points: [],
  },
  {
    id: "settings",
    shortcut: "Ctrl+,",
    label: "Settings",
    summary: "Keys, providers and preferences.",
    points: [],
  },
];
