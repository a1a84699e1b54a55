export type Screen =
  "chat" | "models" | "routing" | "agents" | "spend" | "localApi" | "team" | "settings";

export interface ScreenInfo {
  id: Screen;
  label: string;
  /** The keyboard shortcut that opens it, as shown in tooltips (see shortcuts.ts). */
  shortcut: string;
}

export const screens: ScreenInfo[] = [
  { id: "chat", shortcut: "Ctrl+1", label: "Chat" },
  { id: "models", shortcut: "Ctrl+2", label: "Models" },
  { id: "routing", shortcut: "Ctrl+3", label: "Routing" },
  { id: "agents", shortcut: "Ctrl+4", label: "Agents" },
  { id: "spend", shortcut: "Ctrl+5", label: "Spend" },
  { id: "localApi", shortcut: "Ctrl+6", label: "Local API" },
  { id: "team", shortcut: "Ctrl+7", label: "Team" },
  { id: "settings", shortcut: "Ctrl+,", label: "Settings" },
];
