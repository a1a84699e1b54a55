import { AppError, api as realApi } from "../ipc/client";
import type { Api, ProviderId, ServedModels } from "../ipc/client";

/** When a list was fetched, in the user's locale. Built on first use: an Intl formatter loads
 * ICU data, and this module is evaluated at start-up (issue 17). */
let listedAt: Intl.DateTimeFormat | undefined;
function listedAtFormat(): Intl.DateTimeFormat {
  listedAt ??= new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });
  return listedAt;
}

/** What a custom provider's model list needs of the backend (and what its tests fake). */
export type ServedModelsApi = Pick<Api, "servedModels">;

/**
 * A custom provider's models as Settings and the first run show them: what its `GET /models`
 * listed (cached, so it shows while the server is off), and a refresh that says why when it fails.
 */
export class ServedModelsState {
  served = $state<ServedModels | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(
    readonly provider: ProviderId,
    private readonly api: ServedModelsApi = realApi,
  ) {}

  /** The cached list (fetched once when there is none); `refresh` asks the server again. */
  async load(refresh = false): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      this.served = await this.api.servedModels(this.provider, refresh);
    } catch (e) {
      this.error = AppError.from(e).message;
    } finally {
      this.busy = false;
    }
  }

  /** "3 models, listed 12/05/2026, 10:32" or that none was listed yet. */
  get summary(): string {
    const s = this.served;
    if (!s) return "Models not listed yet.";
    const count = `${s.models.length} model${s.models.length === 1 ? "" : "s"}`;
    if (s.fetchedMs === null) return count;
    return `${count}, listed ${listedAtFormat().format(s.fetchedMs)}`;
  }
}
