import js from "@eslint/js";
import ts from "typescript-eslint";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import svelteConfig from "./svelte.config.js";

export default ts.config(
  { ignores: ["dist/", "src/lib/ipc/bindings.ts"] },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"], svelteConfig },
    },
  },
  {
    // The one seam: only src/lib/ipc talks to Tauri, so everything else stays testable with a
    // fake client and a web build stays possible (house-style §9.4).
    files: ["src/**/*.ts", "src/**/*.svelte"],
    ignores: ["src/lib/ipc/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@tauri-apps/*"], message: "Only src/lib/ipc may import @tauri-apps/*." },
            {
              group: ["**/ipc/bindings", "**/ipc/bindings.ts"],
              message: "Use src/lib/ipc/client.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    // Model output and user text are rendered as text; raw HTML needs a sanitizer and a review.
    files: ["**/*.svelte"],
    rules: { "svelte/no-at-html-tags": "error" },
  },
);
