/**
 * What the first screen shows, read before the app mounts (issue 17: start-up).
 *
 * The backend has these reads done by the time the page asks (src-tauri/src/startup.rs), so
 * they come back within a few milliseconds. Mounting first and reading after painted the
 * window three times on the way: the navigation alone, then Chat without its conversation,
 * then the conversation, each a full style, layout and paint of the window, and every answer
 * waited for the main thread to finish the frame before it. Reading first and mounting once
 * paints the Chat screen whole in one frame.
 *
 * The reads are used once, by the first screen (`main.ts` hands them out); anything later asks
 * the backend. A read that fails or is slow (a locked keychain can wait on the person) is simply
 * missing, and the screen asks for it itself as it always did.
 */
import type { ChatApi } from "../ipc/chat";
import type {
  Api,
  ConversationPage,
  ConversationSummary,
  Preferences,
  ProvidersOverview,
} from "../ipc/client";

/** The backend calls the launch reads use (the real `api` in the app, a fake in tests). */
export type LaunchApi = Pick<Api, "providersOverview" | "settingsGet" | "lastConversationGet"> &
  Pick<ChatApi, "listConversationPage" | "openConversationPage">;

/** The launch reads; a field is `undefined` when its read failed or was not back in time. */
export interface Launch {
  overview?: ProvidersOverview;
  preferences?: Preferences;
  /** The sidebar's first page. */
  conversations?: ConversationSummary[];
  /** The conversation open when the app last closed (`null`: none). */
  lastConversation?: string | null;
  /** That conversation's latest page. */
  page?: ConversationPage;
}

/** The page sizes the Chat screen asks for first. */
export interface LaunchSizes {
  sidebar: number;
  turns: number;
}

/**
 * Reads what the first screen needs, all at once, waiting at most `waitMs` for them; what is
 * not back by then is left out (and its read is not waited for).
 */
export async function readLaunch(
  api: LaunchApi,
  sizes: LaunchSizes,
  waitMs: number,
): Promise<Launch> {
  const launch: Launch = {};
  // A call that throws before it returns a promise (no backend at all) fails its read alone.
  const read = (work: () => Promise<unknown>) =>
    Promise.resolve()
      .then(work)
      .catch(() => undefined);
  const reads = [
    read(async () => (launch.overview = await api.providersOverview())),
    read(async () => (launch.preferences = await api.settingsGet())),
    read(async () => {
      launch.conversations = await api.listConversationPage(null, sizes.sidebar);
    }),
    read(async () => {
      const id = await api.lastConversationGet();
      const page = id ? await api.openConversationPage(id, null, sizes.turns) : undefined;
      launch.lastConversation = id;
      launch.page = page;
    }),
  ];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  await Promise.race([Promise.all(reads), late]);
  clearTimeout(timer);
  // Copied, so a read that lands after the deadline changes nothing already handed out.
  return { ...launch };
}
