import js from "@eslint/js";
import ts from "typescript-eslint";
import svelte from "eslint-plugin-svelte";
import { importX, createNodeResolver } from "eslint-plugin-import-x";
import globals from "globals";
import svelteConfig from "./svelte.config.js";

/** The folders under src/lib that hold one screen or concern each (shell/ is the frame). */
const DOMAINS = [
  "agents",
  "chat",
  "localApi",
  "models",
  "onboarding",
  "routing",
  "settings",
  "spend",
  "team",
];
/** What every domain may import. */
const COMMON = ["./shared", "./ipc", "./render"];

/** The import fences as `import-x/no-restricted-paths` zones (paths relative to src/lib). */
function zones() {
  const zone = (folder, except, message) => ({
    target: `./src/lib/${folder}`,
    from: "./src/lib",
    except,
    message,
  });
  return [
    ...DOMAINS.map((d) =>
      zone(d, [`./${d}`, ...COMMON], `${d}/ imports only itself, shared/, ipc/ and render/.`),
    ),
    zone("render", ["./render", "./shared", "./ipc"], "render/ imports no domain."),
    zone("shared", ["./shared", "./ipc"], "shared/ is used by every domain and imports none."),
    zone("ipc", ["./ipc"], "ipc/ is the transport; it imports no domain."),
  ];
}

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
    // fake client and a web build stays possible (docs/conventions.md, IPC types).
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
    // Import fences (issue 19). A domain is a folder under src/lib; it imports only itself and
    // the folders every domain may use: shared/, ipc/ and render/. shell/ (the app frame) and the
    // composition root (App.svelte, main.ts) may import any domain. ipc/ imports no domain, so
    // the transport never depends on a screen; shared/ and render/ likewise. No import cycles.
    files: ["src/**/*.ts", "src/**/*.svelte"],
    plugins: { "import-x": importX },
    // import-x parses imported .svelte files with the importing file's parser options: give
    // every file the options a .svelte script needs (ignored by the TypeScript parser).
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"], svelteConfig },
    },
    settings: {
      "import-x/resolver-next": [
        createNodeResolver({ extensions: [".ts", ".svelte.ts", ".svelte", ".js"] }),
      ],
      "import-x/parsers": {
        "svelte-eslint-parser": [".svelte"],
        "@typescript-eslint/parser": [".ts"],
      },
      "import-x/extensions": [".ts", ".svelte", ".js"],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones: zones() }],
    },
  },
  {
    // Model output and user text are rendered as text; raw HTML needs a sanitizer and a review.
    files: ["**/*.svelte"],
    rules: { "svelte/no-at-html-tags": "error" },
  },
);
