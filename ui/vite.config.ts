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
  },
}));
