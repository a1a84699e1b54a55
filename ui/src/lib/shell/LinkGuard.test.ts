import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import Markdown from "../render/Markdown.svelte";
import { openExternal } from "../ipc/links";
import LinkGuard from "./LinkGuard.svelte";
import { claimedHost, externalLink } from "./links";

// "The API" below is the IPC wrapper: the guard's default `open` is the real import, mocked.
vi.mock("../ipc/links", () => ({ openExternal: vi.fn(async () => undefined) }));
const api = vi.mocked(openExternal);

/** A link somewhere in the page, outside any component: the guard covers the whole window. */
function link(href: string, text = "a link"): HTMLAnchorElement {
  const a = document.createElement("a");
  a.setAttribute("href", href);
  a.textContent = text;
  document.body.append(a);
  return a;
}

/** jsdom marks every dispatched event untrusted, so tests stand in for a person's click. */
function guard(props: { isUserGesture?: (e: MouseEvent) => boolean } = {}) {
  return render(LinkGuard, { props: { isUserGesture: () => true, ...props } });
}

const dialog = () => screen.queryByRole("dialog");

beforeEach(() => api.mockClear());
afterEach(() => {
  for (const a of Array.from(document.body.querySelectorAll(":scope > a"))) a.remove();
});

describe("links that must do nothing", () => {
  test.each([
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "tauri://localhost/settings",
    "https://user:pass@example.com/",
    "https://example.com/\u202Efdp.exe",
    "/settings",
    "#section",
    "",
  ])("%j is stopped and never reaches the API", async (href) => {
    guard();
    const a = link(href);
    expect(await fireEvent.click(a), "navigation prevented").toBe(false);
    expect(await fireEvent.click(a, { ctrlKey: true }), "ctrl-click prevented").toBe(false);
    expect(
      await fireEvent(
        a,
        new MouseEvent("auxclick", { button: 1, bubbles: true, cancelable: true }),
      ),
    ).toBe(false);
    await tick();
    expect(dialog(), "no confirm dialog").toBeNull();
    expect(api).not.toHaveBeenCalled();
  });

  test("a click by script is stopped but never asks", async () => {
    render(LinkGuard); // the real gesture check: jsdom's events are untrusted, like a script's
    const a = link("https://example.com/");
    expect(await fireEvent.click(a), "navigation prevented").toBe(false);
    await tick();
    expect(dialog()).toBeNull();
    expect(api).not.toHaveBeenCalled();
  });

  test("a right click only prevents the navigation", async () => {
    guard();
    const a = link("https://example.com/");
    const aux = new MouseEvent("auxclick", { button: 2, bubbles: true, cancelable: true });
    expect(await fireEvent(a, aux)).toBe(false);
    await tick();
    expect(dialog()).toBeNull();
  });
});

describe("an external link", () => {
  const href = "https://docs.example.com/guide/a b?x=1&y=2#part";

  test("shows the full URL with its host, and confirming opens the exact href", async () => {
    guard();
    const a = link(href, "the guide");
    expect(await fireEvent.click(a), "the window does not navigate").toBe(false);
    const box = await screen.findByRole("dialog");
    expect(screen.getByTestId("link-url")).toHaveTextContent(
      "https://docs.example.com/guide/a%20b?x=1&y=2#part",
    );
    expect(screen.getByTestId("link-host")).toHaveTextContent(/^docs\.example\.com$/);
    expect(screen.queryByTestId("link-mismatch"), "the text names no host").toBeNull();
    expect(screen.getByRole("button", { name: "Open in browser" }), "focused").toHaveFocus();
    expect(box).toHaveAttribute("aria-modal", "true");

    await fireEvent.click(screen.getByRole("button", { name: "Open in browser" }));
    expect(api).toHaveBeenCalledTimes(1);
    expect(api).toHaveBeenCalledWith(href);
    await waitFor(() => expect(dialog()).toBeNull());
    expect(a, "focus returns to the link").toHaveFocus();
  });

  test("Cancel does not open it", async () => {
    guard();
    await fireEvent.click(link(href));
    await fireEvent.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(dialog()).toBeNull();
    expect(api).not.toHaveBeenCalled();
  });

  test("Escape cancels, and no other shortcut sees it", async () => {
    const stopAll = vi.fn();
    window.addEventListener("keydown", stopAll);
    try {
      guard();
      await fireEvent.click(link(href));
      await screen.findByRole("dialog");
      await fireEvent.keyDown(document.activeElement ?? document.body, { key: "Escape" });
      expect(dialog()).toBeNull();
      expect(api).not.toHaveBeenCalled();
      expect(stopAll, "the chat's Escape (stop all) did not run").not.toHaveBeenCalled();
    } finally {
      window.removeEventListener("keydown", stopAll);
    }
  });

  test("Enter confirms; Tab stays inside the dialog", async () => {
    guard();
    await fireEvent.click(link(href));
    const openButton = await screen.findByRole("button", { name: "Open in browser" });
    const cancel = screen.getByRole("button", { name: "Cancel" });
    await fireEvent.keyDown(openButton, { key: "Tab" });
    expect(cancel).toHaveFocus();
    await fireEvent.keyDown(cancel, { key: "Tab", shiftKey: true });
    expect(openButton).toHaveFocus();
    await fireEvent.keyDown(openButton, { key: "Enter" });
    expect(api).toHaveBeenCalledExactlyOnceWith(href);
  });

  test("Enter on Cancel cancels", async () => {
    guard();
    await fireEvent.click(link(href));
    const cancel = await screen.findByRole("button", { name: "Cancel" });
    cancel.focus();
    await fireEvent.keyDown(cancel, { key: "Enter" });
    expect(dialog()).toBeNull();
    expect(api).not.toHaveBeenCalled();
  });

  test.each([
    ["middle click", new MouseEvent("auxclick", { button: 1, bubbles: true, cancelable: true })],
    ["ctrl-click", new MouseEvent("click", { ctrlKey: true, bubbles: true, cancelable: true })],
    ["shift-click", new MouseEvent("click", { shiftKey: true, bubbles: true, cancelable: true })],
  ])("a %s asks the same way", async (_, event) => {
    guard();
    expect(await fireEvent(link(href), event), "no new window, no navigation").toBe(false);
    await fireEvent.click(await screen.findByRole("button", { name: "Open in browser" }));
    expect(api).toHaveBeenCalledExactlyOnceWith(href);
  });

  test("text showing another domain is called out", async () => {
    guard();
    await fireEvent.click(link("https://evil.example/login", "https://www.bank.example/login"));
    expect(await screen.findByTestId("link-mismatch")).toHaveTextContent(
      "The link text shows www.bank.example, but it opens evil.example.",
    );
    expect(screen.getByTestId("link-host")).toHaveTextContent(/^evil\.example$/);
  });

  test("a failure to open is shown and the dialog stays", async () => {
    api.mockRejectedValueOnce({
      code: "internal",
      message: "No browser could be started for this link.",
      retryable: false,
    });
    guard();
    await fireEvent.click(link(href));
    await fireEvent.click(await screen.findByRole("button", { name: "Open in browser" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No browser could be started");
    expect(dialog()).not.toBeNull();
  });

  test("a link in a rendered answer goes through the same dialog", async () => {
    guard();
    const { container } = render(Markdown, {
      props: { text: "See [the docs](https://docs.example.com/start)." },
    });
    const a = container.querySelector("a");
    expect(a, "link rendered").not.toBeNull();
    expect(await fireEvent.click(a as HTMLAnchorElement)).toBe(false);
    await fireEvent.click(await screen.findByRole("button", { name: "Open in browser" }));
    expect(api).toHaveBeenCalledExactlyOnceWith("https://docs.example.com/start");
  });
});

describe("externalLink", () => {
  test("splits web and email links for display", () => {
    expect(externalLink("https://Example.com:8443/p?q#h")).toEqual({
      href: "https://Example.com:8443/p?q#h",
      scheme: "https://",
      host: "example.com:8443",
      rest: "/p?q#h",
    });
    expect(externalLink("mailto:a@example.com?subject=Hi")).toEqual({
      href: "mailto:a@example.com?subject=Hi",
      scheme: "mailto:",
      host: "a@example.com",
      rest: "?subject=Hi",
    });
  });

  test("claimedHost only speaks up for a different host", () => {
    const target = externalLink("https://example.com/x");
    if (!target) throw new Error("parses");
    expect(claimedHost("click here", target)).toBeNull();
    expect(claimedHost("www.example.com/x", target)).toBeNull();
    expect(claimedHost("https://example.com", target)).toBeNull();
    expect(claimedHost("example.org", target)).toBe("example.org");
    expect(claimedHost("https://paypal.com (→ example.com)", target)).toBe("paypal.com");
  });
});
