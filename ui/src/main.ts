import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { api } from "./lib/ipc/client";
import { chatApi } from "./lib/ipc/chat";
import { PAGE_TURNS } from "./lib/chat/chat.svelte";
import { chatPlace } from "./lib/chat/place.svelte";
import { providersWithKeys } from "./lib/chat/settings";
import { SIDEBAR_PAGE } from "./lib/chat/sidebarList.svelte";
import { firstRun } from "./lib/onboarding/firstRun.svelte";
import { afterFirstContent } from "./lib/shared/firstContent";
import { readLaunch } from "./lib/shared/launch";
import { markPlatform } from "./lib/shared/platform";
import { applyTheme } from "./lib/shared/theme";
import { handOver, overlayShown } from "./lib/shared/firstPaint";
import { loadHighlighting } from "./lib/render/markdown";

/** The longest the window stays empty waiting for the launch reads (a keychain that asks to be
 * unlocked can take as long as the person does); the screens ask for what is missing. */
const LAUNCH_WAIT_MS = 500;

// Start-up timing marks for tests/benches/launch.rs (cheap, and useful in the inspector too):
// the bundle has been fetched, parsed and evaluated once this line runs.
performance.mark("switchboard:script");

// Before anything with text is drawn: the fonts to ask for depend on it (app.css).
markPlatform();
// Follow the OS until the saved preference arrives, so there is no flash of the wrong theme;
// unless the screen saved at the last run is showing, whose theme the loader already set.
if (!overlayShown()) applyTheme("system");

/** The longest the saved screen may stay once the live one is mounted, should that screen
 * never mark its first paint (an error page, say): never left over a working screen. */
const SAVED_SCREEN_MAX_MS = 2000;

async function start(target: HTMLElement): Promise<void> {
  // Read first, then mount once: see shared/launch.ts.
  const launch = await readLaunch(
    { ...api, ...chatApi },
    { sidebar: SIDEBAR_PAGE, turns: PAGE_TURNS },
    LAUNCH_WAIT_MS,
  );
  performance.mark("switchboard:launch-read");
  if (launch.preferences) applyTheme(launch.preferences.theme);
  if (launch.overview) firstRun.decide(launch.overview);
  // Only when Chat is the first screen: after a first run's Connect, the providers with a key
  // are no longer what was read at launch.
  if (firstRun.needed === false)
    chatPlace.launched({
      conversations: launch.conversations,
      lastConversation: launch.lastConversation,
      page: launch.page,
      keyed: launch.overview && providersWithKeys(launch.overview),
      sendKey: launch.preferences?.chat.sendKey,
    });
  mount(App, { target, props: { themeRead: launch.preferences !== undefined } });
  performance.mark("switchboard:mounted");
  // The saved screen is Chat's; when something else shows (a first run), it goes now.
  if (firstRun.needed !== false) handOver();
  else setTimeout(handOver, SAVED_SCREEN_MAX_MS);
  // Kept out of the start-up script (issue 17); in well before anyone reads a code block.
  afterFirstContent(() => void loadHighlighting());
}

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
void start(target);
