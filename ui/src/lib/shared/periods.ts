import type { BudgetPeriod } from "../ipc/client";

/** The periods a budget or a key's limit resets over, as pickers list them. */
export const PERIODS: { id: BudgetPeriod; label: string; per: string }[] = [
  { id: "day", label: "Day", per: "a day" },
  { id: "week", label: "Week", per: "a week" },
  { id: "month", label: "Month", per: "a month" },
  { id: "all", label: "All time", per: "in all" },
];
