import type { AnswerView } from "../ipc/client";

/**
 * Whether a failed answer failed for want of a working key, which Settings fixes: the key was
 * refused (`auth`), or none is set. The engine reports a missing key as `invalid_input` naming
 * "no API key" (there is no code of its own for it), so the message is what tells it apart from
 * other rejected input.
 */
export function isKeyProblem(error: AnswerView["error"]): boolean {
  if (!error) return false;
  if (error.code === "auth") return true;
  return error.code === "invalid_input" && /\bno (?:API )?key\b/i.test(error.message);
}

/** Where Settings shows the key of `provider`; `null` (Settings' top) when it is not known. */
export function keySettingsAnchor(provider: string | null | undefined): string | null {
  return provider ? `provider-${provider}` : null;
}
