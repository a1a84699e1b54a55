import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { firstPaintPage } from "./src/lib/shell/firstPaintPage.ts";

export default defineConfig(({ mode }) => ({
  // firstPaintPage: the saved screen paints before the bundle runs (src/lib/shared/firstPaint.ts).
  plugins: [svelte(), firstPaintPage()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  // WebKitGTK 2.50 / Safari 15 are the oldest engines we ship on.
  // The second page is the streaming benchmark's baseline (bench/stream.ts); the app never
  // navigates to it.
  build: {
    target: "safari15",
    sourcemap: false,
    rollupOptions: { input: ["index.html", "bench/stream.html"] },
  },
  // Under Vitest, Svelte must resolve to its browser build, or mount() is the server one.
  resolve: mode === "test" ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test-setup.ts"],
    // Vitest leaves one core free by default, which on a 2-core machine runs the 61 files one
    // after another: 308 s, against 195 s with both cores (the largest step of a cold
    // `.ci/test` after compiling). The main process only waits on its workers meanwhile.
    maxWorkers: "100%",
    // Timeouts catch a hang, not slowness (the benches measure speed): a test that takes 2 s
    // alone may take twice that while the other core is busy too.
    testTimeout: 15_000,
  },
}));
