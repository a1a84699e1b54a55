import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/svelte";
import { afterEach } from "vitest";
import { loadHighlighting, loadMath } from "./lib/render/markdown";

// The app loads KaTeX and highlight.js on first use; tests render math and code synchronously,
// as they always have.
await Promise.all([loadMath(), loadHighlighting()]);

// Vitest globals are off, so Testing Library cannot register its own cleanup.
afterEach(() => cleanup());
