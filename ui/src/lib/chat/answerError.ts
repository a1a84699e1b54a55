import type { AnswerView } from "../ipc/client";

/**
 * Whether a failed answer failed for want of a working key, which Settings fixes: none is set
 * (`no_key`), or the provider refused it (`auth`).
 */
export function isKeyProblem(error: AnswerView["error"]): boolean {
  return error?.code === "no_key" || error?.code === "auth";
}

/** Where Settings shows the key of `provider`; `null` (Settings' top) when it is not known. */
export function keySettingsAnchor(provider: string | null | undefined): string | null {
  return provider ? `provider-${provider}` : null;
}

/** A refusal of the key itself, said in plain words with what to do and where. */
export interface KeyRefusalHint {
  /** What happened. */
  title: string;
  /** What to do about it: who can change it, and when it changes by itself. */
  advice: string;
  /** The screens that put it right, most likely first. */
  fixes: ("team" | "settings")[];
}

/**
 * The hint for an answer refused because of its key: over its own limit, blocked by a
 * guardrail, a management key used to chat, a disabled or an expired key. `null` for any other
 * failure. None of these is transient: trying the same key again fails the same way until a
 * person acts, so no hint offers to retry.
 */
export function keyRefusalHint(error: AnswerView["error"]): KeyRefusalHint | null {
  switch (error?.code) {
    case "key_limit_reached":
      return {
        title: "This key has used up its own spending limit.",
        advice:
          "It works again when the limit resets (midnight UTC for a daily limit, Monday for a weekly one, the 1st for a monthly one) or when the team's admin raises it under Team or on OpenRouter's keys page.",
        fixes: ["team"],
      };
    case "guardrail_blocked":
      return {
        title: "A guardrail or budget set for this key refused the request.",
        advice:
          "Pick a model and provider the guardrail allows, or ask the team's admin to allow this one or raise the budget under Team › Guardrails.",
        fixes: ["team"],
      };
    case "management_key_used":
      return {
        title: "This is a management key: it can manage keys but cannot run models.",
        advice:
          "Save an inference key for OpenRouter in Settings; the management key belongs under Team.",
        fixes: ["settings", "team"],
      };
    case "key_disabled":
      return {
        title: "This key is disabled.",
        advice:
          "The team's admin can enable it again under Team or on OpenRouter's keys page; or save another key in Settings.",
        fixes: ["settings", "team"],
      };
    case "key_expired":
      return {
        title: "This key has expired.",
        advice:
          "Ask the team's admin for a new key, or sign in with OpenRouter again, and save it in Settings.",
        fixes: ["settings"],
      };
    default:
      return null;
  }
}
