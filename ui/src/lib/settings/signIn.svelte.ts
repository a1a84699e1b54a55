import { AppError } from "../ipc/client";
import type { Api, ProvidersOverview, SignedIn } from "../ipc/client";
import { moneyExact } from "../shared/money";
import { parseDollars } from "../shared/money";

/** What signing in needs of the backend. */
export type SignInApi = Pick<Api, "openrouterSignIn" | "openrouterSignInCancel">;

/** What the new key's limit came to, in a sentence that follows "Signed in with OpenRouter". */
export function describeSignedIn(s: SignedIn): string {
  const saved = "Signed in with OpenRouter: the new key is in your keychain";
  switch (s.limit.status) {
    case "notRequested":
      return `${saved}.`;
    case "applied":
      return `${saved}, with a spending limit of ${moneyExact(s.limit.limit)}.`;
    case "notApplied":
      return `${saved}, but OpenRouter gave it ${
        s.limit.reported === null ? "no limit" : `a limit of ${moneyExact(s.limit.reported)}`
      } instead of ${moneyExact(s.limit.requested)}. Set the limit on OpenRouter's keys page.`;
    case "unchecked":
      return `${saved}. Its limit of ${moneyExact(s.limit.requested)} could not be read back; check it on OpenRouter's keys page.`;
  }
}

/**
 * Signing in with OpenRouter from Settings, the way the first-run view does: the system
 * browser opens OpenRouter's page, the key it makes goes straight to the keychain (the page
 * never sees it), an optional spending limit is asked for, and Cancel stops the wait. A
 * cancelled sign-in is the person's own choice: it says nothing.
 */
export class SignInState {
  waiting = $state(false);
  outcome = $state<{ ok: boolean; text: string } | null>(null);

  constructor(
    private readonly api: SignInApi,
    /** Receives the providers as they stand once the new key is saved. */
    private readonly onSaved: (overview: ProvidersOverview) => void,
  ) {}

  /** `limit` in dollars, blank for none; true once the key is saved. */
  async signIn(limit: string): Promise<boolean> {
    this.outcome = null;
    let usd: string | null = null;
    if (limit.trim() !== "") {
      usd = parseDollars(limit);
      if (usd === null || !/[1-9]/.test(usd)) {
        this.outcome = {
          ok: false,
          text: "A spending limit is an amount in dollars above zero, such as 10; leave it blank for none.",
        };
        return false;
      }
    }
    this.waiting = true;
    try {
      const signed = await this.api.openrouterSignIn(usd);
      this.onSaved(signed.providers);
      this.outcome = { ok: true, text: describeSignedIn(signed) };
      return true;
    } catch (e) {
      const error = AppError.from(e);
      this.outcome = error.code === "cancelled" ? null : { ok: false, text: error.message };
      return false;
    } finally {
      this.waiting = false;
    }
  }

  /** Stops waiting for the browser; the sign-in then ends as cancelled. */
  async cancel(): Promise<void> {
    await this.api.openrouterSignInCancel().catch(() => false);
  }
}
