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
