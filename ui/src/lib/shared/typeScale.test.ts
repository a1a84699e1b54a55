/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every stylesheet of the UI (component styles included), as text, by path under `ui/src`.
 * Read from disk: Vitest hands a `.css` import over as an empty module. The UI draws text in
 * the sizes and weights of the type scale in app.css and no others: each extra size or weight
 * is another font the webview matches and loads before its first paint (issue 17).
 */
const root = join(__dirname, "../..");
const sources: Record<string, string> = Object.fromEntries(
  readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(svelte|css)$/.test(file))
    .map((file) => [file, readFileSync(join(root, file), "utf8")]),
);

/** A size from the scale, one relative to the parent's (em, %), or none of its own. */
const SIZE = /^(var\(--text-[a-z0-9]+\)|\d*\.?\d+(em|%)|inherit)$/;
/** Normal or the scale's strong weight. */
const WEIGHT = /^(normal|var\(--weight-strong\)|inherit)$/;

function offScale(property: string, allowed: RegExp): string[] {
  const declaration = new RegExp(`(?<![\\w-])${property}:\\s*([^;}"]+)`, "g");
  return Object.entries(sources).flatMap(([file, text]) =>
    text.split("\n").flatMap((line, i) =>
      [...line.matchAll(declaration)]
        .map((m) => (m[1] ?? "").replace(/\s*!important$/, "").trim())
        .filter((value) => !allowed.test(value))
        .map((value) => `${file}:${i + 1}: ${property}: ${value}`),
    ),
  );
}

describe("the UI's type scale", () => {
  it("is read (every stylesheet is found)", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(sources["app.css"]).toContain("--text-base:");
  });

  it("is the only source of font sizes, apart from the root's", () => {
    expect(offScale("font-size", SIZE)).toEqual([
      expect.stringMatching(/^app\.css:\d+: font-size: 15px$/),
    ]);
  });

  it("has two weights", () => {
    expect(offScale("font-weight", WEIGHT)).toEqual([]);
  });

  it("sets the figures' variant once, for everything", () => {
    expect(offScale("font-variant-numeric", /^$/)).toEqual([
      expect.stringMatching(/^app\.css:\d+: font-variant-numeric: tabular-nums$/),
    ]);
  });
});
