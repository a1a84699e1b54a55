import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { applyTheme } from "./lib/shell/theme";

// Follow the OS until the saved preference arrives, so there is no flash of the wrong theme.
applyTheme("system");

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
