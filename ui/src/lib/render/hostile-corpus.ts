// Test support (imported only by *.test.ts): the hostile corpus in tests/fixtures/hostile/ and the
// checks every rendering of it must pass. Runs under Vitest (node + jsdom).

import { expect, vi } from "vitest";
import { SAFE_IMAGE, SAFE_LINK } from "./markdown";

interface NodeFs {
  existsSync(path: string): boolean;
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: "utf8"): string;
}

const CORPUS = "tests/fixtures/hostile";

export interface Payload {
  name: string;
  text: string;
}

/** Every `NN-name.md` in tests/fixtures/hostile/, sorted. */
export async function loadCorpus(): Promise<Payload[]> {
  const specifier = "node:fs"; // no @types/node in this project: keep the import untyped
  const fs = (await import(/* @vite-ignore */ specifier)) as NodeFs;
  // Vitest runs from ui/ (npx -w ui) or from the repo root; the corpus lives at the repo root.
  const cwd = (globalThis as { process?: { cwd(): string } }).process?.cwd() ?? ".";
  const dir = [`${cwd}/../${CORPUS}`, `${cwd}/${CORPUS}`].find((d) => fs.existsSync(d));
  if (!dir) throw new Error(`hostile corpus not found from ${cwd}`);
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d\d-[\w-]+\.md$/.test(f))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(`${dir}/${name}`, "utf8") }));
}

const FORBIDDEN_ELEMENTS = new Set(
  [
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "link",
    "style",
    "foreignobject",
    "noscript",
    "template",
    "svg",
    "textarea",
    "select",
    "option",
    "audio",
    "video",
    "source",
    "picture",
    "area",
    "use",
  ].map((t) => t.toLowerCase()),
);

/** Names a model might clobber through `id`/`name` (named access on window and document). */
const GLOBALS = [
  "__TAURI_INTERNALS__",
  "__TAURI__",
  "__TAURI_IPC__",
  "__pwned",
  "alert",
  "document",
  "window",
  "fetch",
  "location",
  "top",
  "parent",
  "opener",
  "navigator",
  "getElementById",
  "cookie",
  "body",
  "forms",
  "images",
];

const EVENTS = ["click", "mouseover", "error", "load", "toggle", "focus"] as const;

type Globals = Record<string, unknown>;

export interface Traps {
  invoke: ReturnType<typeof vi.fn>;
  postMessage: ReturnType<typeof vi.fn>;
  fetch: ReturnType<typeof vi.fn>;
  restore(): void;
}

/**
 * The windows a payload could reach. jsdom compiles inline handlers against its own realm's
 * window, which is not the `globalThis`/`window` Vitest hands to the test; a probe handler (`this`
 * is the element, shared by both realms) fetches it.
 */
function windows(): Globals[] {
  const outer = globalThis as unknown as Globals;
  const probe = document.createElement("i");
  probe.setAttribute("onclick", "this.__realm = window");
  probe.click();
  const inner = (probe as unknown as { __realm?: Globals }).__realm;
  return inner && inner !== outer ? [inner, outer] : [outer];
}

/** Installs a fake Tauri IPC and a fetch spy on every window; clears `__pwned`. */
export function installTraps(): Traps {
  const invoke = vi.fn();
  const postMessage = vi.fn();
  const fetchSpy = vi.fn();
  const saved = windows().map((w) => [w, w.fetch] as const);
  for (const [w] of saved) {
    delete w.__pwned;
    w.__TAURI_INTERNALS__ = { invoke, postMessage };
    w.__TAURI__ = { core: { invoke } };
    w.fetch = fetchSpy;
  }
  return {
    invoke,
    postMessage,
    fetch: fetchSpy,
    restore() {
      for (const [w, originalFetch] of saved) {
        delete w.__TAURI_INTERNALS__;
        delete w.__TAURI__;
        delete w.__pwned;
        w.fetch = originalFetch;
      }
    },
  };
}

/** `__pwned` as a payload would have set it, on any window. */
export function pwned(): unknown {
  return windows()
    .map((w) => w.__pwned)
    .find((v) => v !== undefined);
}

/** Static checks of rendered output against the allow-list. */
export function assertAllowed(root: Element, label: string): void {
  const all = Array.from(root.querySelectorAll("*"));
  for (const el of all) {
    const tag = el.localName.toLowerCase();
    expect(FORBIDDEN_ELEMENTS.has(tag), `${label}: forbidden <${tag}> in output`).toBe(false);
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim();
      expect(name.startsWith("on"), `${label}: event handler ${name} on <${tag}>`).toBe(false);
      expect(name, `${label}: style attribute on <${tag}>`).not.toBe("style");
      expect(name, `${label}: srcset on <${tag}>`).not.toBe("srcset");
      expect(name.includes("xlink"), `${label}: ${name} on <${tag}>`).toBe(false);
      if (name === "href" || name === "action" || name === "formaction") {
        expect(tag, `${label}: ${name} on <${tag}> (only <a> may link)`).toBe("a");
        expect(SAFE_LINK.test(value), `${label}: ${name}="${value}" not allowed`).toBe(true);
        expect(/localhost/i.test(value), `${label}: ${name}="${value}" targets the app`).toBe(
          false,
        );
      }
      if (name === "src") {
        expect(tag, `${label}: src on <${tag}>`).toBe("img");
        expect(SAFE_IMAGE.test(value), `${label}: src="${value.slice(0, 60)}"`).toBe(true);
      }
      if (name === "id" || name === "name") {
        expect(GLOBALS.includes(value), `${label}: ${name}="${value}" clobbers a global`).toBe(
          false,
        );
        expect(value in window, `${label}: ${name}="${value}" shadows window.${value}`).toBe(false);
      }
    }
    if (tag === "img") {
      expect(
        SAFE_IMAGE.test(el.getAttribute("src") ?? ""),
        `${label}: <img> without an allowed data: image`,
      ).toBe(true);
    }
  }
  for (const g of GLOBALS) {
    for (const w of windows()) {
      expect(clobbered(w[g], root), `${label}: window.${g} is an element of the output`).toBe(
        false,
      );
    }
  }
}

/**
 * Whether a global resolves to an element of the rendered output. (jsdom also exposes ids from
 * DOMParser documents on window, which browsers don't; those are not in `root` and don't count.)
 */
function clobbered(value: unknown, root: Element): boolean {
  const items =
    value instanceof HTMLCollection || value instanceof NodeList
      ? Array.from(value as ArrayLike<unknown>)
      : [value];
  return items.some((v) => v instanceof Node && root.contains(v));
}

function makeEvent(type: (typeof EVENTS)[number]): Event {
  if (type === "click" || type === "mouseover") {
    return new MouseEvent(type, { bubbles: true, cancelable: true });
  }
  if (type === "focus") return new FocusEvent(type);
  return new Event(type, { bubbles: type !== "load" && type !== "toggle", cancelable: true });
}

/** Fires every event on every element, waits, and checks that nothing ran. */
export async function assertInert(root: Element, label: string, traps: Traps): Promise<void> {
  for (const el of Array.from(root.querySelectorAll("*"))) {
    for (const type of EVENTS) el.dispatchEvent(makeEvent(type));
    if (el instanceof HTMLElement) el.focus();
    if (el instanceof HTMLDetailsElement) el.open = !el.open;
  }
  await new Promise((r) => setTimeout(r, 30));
  // Any value but an element outside the output (jsdom's DOMParser named-access artifact) means
  // a payload ran.
  const flag = pwned();
  const artifact =
    flag instanceof Node || flag instanceof HTMLCollection || flag instanceof NodeList;
  expect(
    flag === undefined || (artifact && !clobbered(flag, root)),
    `${label}: window.__pwned was set to ${String(flag)}`,
  ).toBe(true);
  expect(traps.invoke, `${label}: forged IPC invoke was called`).not.toHaveBeenCalled();
  expect(traps.postMessage, `${label}: IPC postMessage was called`).not.toHaveBeenCalled();
  expect(traps.fetch, `${label}: fetch was called`).not.toHaveBeenCalled();
}
