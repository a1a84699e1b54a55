import type { AnswerStats, AnswerStatus, ColumnSpec } from "../ipc/client";
import { formatUsd, moneyExact } from "../shared/money";
import { formatCount } from "../shared/count";

/** What an answer cost, as shown: the amount, where it came from, and a tooltip. */
export interface CostLabel {
  amount: string;
  /** `exact`, `est.` or `not billed`; absent when the amount says it all. */
  source: string | null;
  title: string;
}

/** One label per cost source, never the word "cost" twice ("Cost cost unknown"). */
export function describeCost(stats: AnswerStats): CostLabel {
  switch (stats.costSource) {
    case "not_sent":
      return {
        amount: "not sent · $0",
        source: null,
        title: "Refused before anything was sent: nothing was billed.",
      };
    case "not_billed":
      return {
        amount: "$0",
        source: "not billed",
        title: "The provider refused the request and reported no usage: nothing was billed.",
      };
    default:
      break;
  }
  if (stats.cost === null) {
    return { amount: "unknown", source: null, title: "The provider reported no cost." };
  }
  const source =
    stats.costSource === "provider" ? "exact" : stats.costSource === "estimate" ? "est." : null;
  return {
    amount: formatUsd(stats.cost),
    source,
    title:
      stats.costSource === "provider"
        ? `$${stats.cost}, as the provider billed it.`
        : `$${stats.cost}, estimated from tokens × prices.`,
  };
}

/** How an answer served with the person's own provider key (OpenRouter BYOK) was paid for. */
export interface ByokLabel {
  /** "BYOK · upstream $0.00021 · OpenRouter fee $0.0000105". */
  text: string;
  title: string;
}

/**
 * The BYOK line, `null` for any other answer. Both amounts are exact: the upstream cost is what
 * the person's provider account was billed, the fee what OpenRouter charged (the answer's cost,
 * the only one counted in Spend and budgets).
 */
export function describeByok(stats: AnswerStats): ByokLabel | null {
  if (!stats.isByok) return null;
  const upstream = stats.upstreamCost ? moneyExact(stats.upstreamCost) : "unknown";
  const fee = stats.cost === null ? "unknown" : moneyExact(stats.cost);
  return {
    text: `BYOK · upstream ${upstream} · OpenRouter fee ${fee}`,
    title:
      `Served with your own provider key. Your provider billed ${upstream} to your account ` +
      `with it; OpenRouter charged ${fee}, which is what Spend and budgets count.`,
  };
}

const n = formatCount;

/**
 * "36 in · 13 out · 5 reasoning". A stream that ended early (stopped, failed, interrupted)
 * usually never got its usage: its tokens are unknown, not zero.
 */
export function describeTokens(stats: AnswerStats, status: AnswerStatus): string {
  if (stats.costSource === "not_sent") return "none";
  if (status !== "complete" && stats.promptTokens === 0 && stats.completionTokens === 0) {
    return "unknown";
  }
  const parts = [`${n(stats.promptTokens)} in`, `${n(stats.completionTokens)} out`];
  if (stats.reasoningTokens > 0) parts.push(`${n(stats.reasoningTokens)} reasoning`);
  if (stats.cachedTokens > 0) parts.push(`${n(stats.cachedTokens)} cached`);
  return parts.join(" · ");
}

/**
 * Where the request went, when a rule or a route sent it somewhere other than the column's
 * own provider and model: "→ LiteLLM · mock-gpt via route local-first". `null` otherwise.
 */
export function describeDestination(stats: AnswerStats, spec: ColumnSpec | null): string | null {
  if (!stats.provider || (stats.attempts ?? 0) === 0) return null;
  const elsewhere = spec !== null && stats.provider !== spec.provider;
  if (!elsewhere && !stats.route) return null;
  const who = stats.providerName ?? stats.provider;
  const model = stats.model ?? spec?.model ?? "";
  const via = stats.route ? ` via route ${stats.route}` : "";
  return `→ ${who} · ${model}${via}`;
}

/** The same, for a prediction before sending. */
export function describeRoutedTo(target: {
  providerName: string;
  model: string;
  route: string | null;
}): string {
  const via = target.route ? ` via route ${target.route}` : "";
  return `→ ${target.providerName} · ${target.model}${via}`;
}
