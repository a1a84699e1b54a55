import type { TurnView } from "../ipc/client";
import { formatCount } from "../shared/count";

/** Above this share of the window the meter turns to the warning colour. */
export const CONTEXT_WARN = 0.8;

/**
 * How many prompt tokens the conversation so far takes in a column: what its latest answer
 * that reported usage was sent (every earlier turn plus that message). `null` before any.
 */
export function latestPromptTokens(turns: readonly TurnView[], columnId: string): number | null {
  for (let t = turns.length - 1; t >= 0; t -= 1) {
    const answer = turns[t]?.answers.find((a) => a.columnId === columnId);
    if (answer && answer.stats.promptTokens > 0) return answer.stats.promptTokens;
  }
  return null;
}

/** A token count people can scan: 950, 12.3k, 128k, 1.05M. */
export function compactTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  const trim = (s: string) => s.replace(/\.0+$/, "").replace(/(\.\d*?)0+$/, "$1");
  if (n < 100_000) return `${trim((n / 1000).toFixed(1))}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${trim((n / 1_000_000).toFixed(2))}M`;
}

/** What a column's context meter shows. */
export interface ContextUsage {
  tokens: number;
  /** The model's context window; `null` when the catalogue does not say. */
  window: number | null;
  /** `tokens / window`, clamped to 0–1; `null` without a window. */
  share: number | null;
  /** "12.3k / 128k", or "12.3k tokens" without a window. */
  label: string;
  /** Above {@link CONTEXT_WARN} of the window. */
  warn: boolean;
  /** The tooltip: exact figures and what they mean. */
  title: string;
}

/** The meter for `tokens` (null before the first answer) against a model's `window`. */
export function describeContext(tokens: number | null, window: number | null): ContextUsage {
  const used = tokens ?? 0;
  const n = formatCount;
  const known = window !== null && window > 0;
  const raw = known ? used / window : null;
  const share = raw === null ? null : Math.min(1, Math.max(0, raw));
  const label = known
    ? `${compactTokens(used)} / ${compactTokens(window)}`
    : `${compactTokens(used)} tokens`;
  let title: string;
  if (tokens === null) {
    title = known
      ? `Context: nothing sent yet; the model takes ${n(window)} tokens.`
      : "Context: nothing sent yet; the model's context window is not known.";
  } else if (known && raw !== null) {
    const pct = Math.round(raw * 1000) / 10;
    title =
      `Context: the latest request in this column sent ${n(used)} of the ${n(window)} tokens ` +
      `the model takes (${pct}%).`;
    if (raw > CONTEXT_WARN) title += " Start a new chat or continue with fewer turns soon.";
  } else {
    title = `Context: the latest request in this column sent ${n(used)} tokens; the model's context window is not known.`;
  }
  return {
    tokens: used,
    window: known ? window : null,
    share,
    label,
    warn: (raw ?? 0) > CONTEXT_WARN,
    title,
  };
}
