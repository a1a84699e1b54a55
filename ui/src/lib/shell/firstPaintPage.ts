/**
 * The build step behind the first paint (see `firstPaint.ts`): `index.html` gets a marker where
 * the Rust shell puts the saved screen, and the UI's module script is started by a small
 * inline loader instead of a `<script type="module">` tag. WebKit does not paint before a
 * parser-inserted module script has run, however small the page is, so the saved screen would
 * wait for the whole bundle; the loader lets it paint first. Tauri hashes inline scripts into
 * the CSP when it embeds the page, so the loader needs no `unsafe-inline`.
 *
 * Runs in Vite's build (imported by `vite.config.ts`), not in the app.
 */
import type { Plugin } from "vite";

/** Where the Rust shell (`src-tauri/src/first_paint.rs`) puts the saved screen. */
export const MARKER = "<!--first-paint-->";

/**
 * The inline loader, written as a function so Vitest can run it; the page carries its source.
 * With no saved screen it starts the module at once. With one, it moves the saved screen out of
 * its `<template>` into the page, restores the document state
 * the screen was drawn in (theme, platform, inline layout styles, scroll offsets), marks
 * `switchboard:first-content` once that has painted (two frames: the second starts after the
 * first is painted), and only then starts the module.
 */
export function loader(src: string, doc: Document = document): void {
  const start = () => {
    const script = doc.createElement("script");
    script.type = "module";
    script.crossOrigin = "";
    script.src = src;
    doc.head.appendChild(script);
  };
  // Served in a <template> (see switchboard_engine's first_paint.rs for why), moved in here.
  const template = doc.getElementById("first-paint-saved");
  if (!(template instanceof HTMLTemplateElement)) return start();
  const saved = template.content.firstElementChild;
  if (!(saved instanceof HTMLElement)) return start();
  template.replaceWith(template.content);
  // For the start-up benchmark: the saved screen and the stylesheet are in; layout is next.
  performance.mark("switchboard:saved-screen");
  const root = doc.documentElement;
  root.dataset.theme = saved.dataset.theme;
  root.dataset.platform = saved.dataset.platform;
  saved.querySelectorAll<HTMLElement>("[data-fp-style]").forEach((e) => {
    e.style.cssText = e.dataset.fpStyle ?? "";
  });
  saved.querySelectorAll<HTMLElement>("[data-fp-scroll]").forEach((e) => {
    e.scrollTop = Number(e.dataset.fpScroll);
  });
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      performance.mark("switchboard:first-content");
      start();
    }),
  );
}

const MODULE_SCRIPT = /\s*<script type="module" crossorigin src="([^"]+)"><\/script>/;

/** `index.html` as built by Vite, rewritten for the first paint. */
export function withFirstPaint(html: string): string {
  const found = MODULE_SCRIPT.exec(html);
  const src = found?.[1];
  if (!found || !src) throw new Error("index.html: Vite's module script tag was not found");
  const app = '<div id="app"></div>';
  if (!html.includes(app)) throw new Error("index.html: no #app element");
  const inline = `<script>(${loader.toString()})(${JSON.stringify(src)});</script>`;
  return html.replace(found[0], "").replace(app, `${app}\n    ${MARKER}\n    ${inline}`);
}

/** The Vite plugin: rewrites the app's page (not the streaming bench's) in production builds. */
export function firstPaintPage(): Plugin {
  return {
    name: "switchboard-first-paint",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler: (html, ctx) => (ctx.path === "/index.html" ? withFirstPaint(html) : html),
    },
  };
}
