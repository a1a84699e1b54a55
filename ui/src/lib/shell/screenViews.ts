/**
 * The screens other than Chat, loaded on their first visit. Start-up parses only the shell and
 * Chat; the other screens' code (charts, rule editors, the model table) is fetched and parsed
 * when first shown, which keeps launch time and idle memory down (issue 17).
 */
import type { Component } from "svelte";
import type { Screen } from "../shared/screens";

type Loader = () => Promise<{ default: Component }>;

export const screenViews: Partial<Record<Screen, Loader>> = {
  models: () => import("../models/ModelsView.svelte"),
  routing: () => import("../routing/RoutingView.svelte"),
  agents: () => import("../agents/AgentsView.svelte"),
  spend: () => import("../spend/SpendView.svelte"),
  localApi: () => import("../localApi/LocalApiView.svelte"),
  team: () => import("../team/TeamView.svelte"),
  settings: () => import("../settings/SettingsView.svelte"),
};
