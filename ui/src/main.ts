import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { afterFirstContent } from "./lib/shared/firstContent";
import { applyTheme } from "./lib/shared/theme";
import { loadHighlighting } from "./lib/render/markdown";

// Start-up timing marks for tests/benches/launch.rs (cheap, and useful in the inspector too):
// the bundle has been fetched, parsed and evaluated once this line runs.
performance.mark("switchboard:script");

// Follow the OS until the saved preference arrives, so there is no flash of the wrong theme.
applyTheme("system");

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
const app = mount(App, { target });
performance.mark("switchboard:mounted");
// Kept out of the start-up script (issue 17); in well before anyone reads a code block.
afterFirstContent(() => void loadHighlighting());
export default app;
