import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/svelte";
import { afterEach } from "vitest";
import { loadMath } from "./lib/render/markdown";

// The app loads KaTeX on first use; tests render math synchronously, as they always have.
await loadMath();

// Vitest globals are off, so Testing Library cannot register its own cleanup.
afterEach(() => cleanup());
