import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import Nav from "./Nav.svelte";
import { navigation } from "../shared/navigation.svelte";
import { installScreenShortcuts, screenForKey } from "./shortcuts";

const key = (init: KeyboardEventInit) => new KeyboardEvent("keydown", init);

describe("screenForKey", () => {
  test.each<[KeyboardEventInit, string]>([
    [{ ctrlKey: true, key: "1", code: "Digit1" }, "chat"],
    [{ ctrlKey: true, key: "2", code: "Digit2" }, "models"],
    [{ ctrlKey: true, key: "3", code: "Digit3" }, "routing"],
    [{ ctrlKey: true, key: "4", code: "Digit4" }, "agents"],
    [{ ctrlKey: true, key: "5", code: "Digit5" }, "spend"],
    [{ ctrlKey: true, key: "6", code: "Digit6" }, "localApi"],
    [{ ctrlKey: true, key: "7", code: "Digit7" }, "team"],
    [{ ctrlKey: true, key: ",", code: "Comma" }, "settings"],
    // AZERTY: the key above the letters types "&" without Shift; its code is still Digit1.
    [{ ctrlKey: true, key: "&", code: "Digit1" }, "chat"],
  ])("%o opens %s", (init, screen) => {
    expect(screenForKey(key(init))).toBe(screen);
  });

  test.each<[KeyboardEventInit, string]>([
    [{ key: "2", code: "Digit2" }, "no Ctrl"],
    [{ ctrlKey: true, shiftKey: true, key: "2", code: "Digit2" }, "Shift held"],
    [{ ctrlKey: true, altKey: true, key: "2", code: "Digit2" }, "Alt held"],
    [{ ctrlKey: true, metaKey: true, key: "2", code: "Digit2" }, "Meta held"],
    [{ ctrlKey: true, key: "8", code: "Digit8" }, "no eighth screen"],
    [{ ctrlKey: true, key: "k", code: "KeyK" }, "another shortcut"],
  ])("%o does nothing (%s)", (init) => {
    expect(screenForKey(key(init))).toBeNull();
  });
});

describe("installed on the window", () => {
  let uninstall: () => void;
  let textarea: HTMLTextAreaElement;

  beforeEach(() => {
    navigation.go("chat");
    uninstall = installScreenShortcuts(window, (s) => navigation.go(s));
    textarea = document.createElement("textarea");
    document.body.append(textarea);
    textarea.focus();
  });
  afterEach(() => {
    uninstall();
    textarea.remove();
    navigation.go("chat");
  });

  test("Ctrl+2 opens Models and Ctrl+, opens Settings, even while typing in a textarea", () => {
    const two = key({ ctrlKey: true, key: "2", code: "Digit2", bubbles: true, cancelable: true });
    textarea.dispatchEvent(two);
    expect(navigation.screen).toBe("models");
    expect(two.defaultPrevented, "the key is taken").toBe(true);

    textarea.dispatchEvent(
      key({ ctrlKey: true, key: ",", code: "Comma", bubbles: true, cancelable: true }),
    );
    expect(navigation.screen).toBe("settings");
  });

  test("a key another handler already took is left alone", () => {
    textarea.addEventListener("keydown", (e) => e.preventDefault(), { once: true });
    textarea.dispatchEvent(
      key({ ctrlKey: true, key: "2", code: "Digit2", bubbles: true, cancelable: true }),
    );
    expect(navigation.screen).toBe("chat");
  });

  test("once removed, the keys do nothing", () => {
    uninstall();
    textarea.dispatchEvent(key({ ctrlKey: true, key: "2", code: "Digit2", bubbles: true }));
    expect(navigation.screen).toBe("chat");
    uninstall = () => {};
  });
});

describe("the navigation", () => {
  test("names each screen, shows its shortcut in the tooltip, and marks the current one", async () => {
    const chosen: string[] = [];
    render(Nav, { props: { current: "models", onselect: (s) => chosen.push(s) } });
    const models = screen.getByRole("button", { name: "Models" });
    expect(models).toHaveAttribute("title", "Models (Ctrl+2)");
    expect(models).toHaveAttribute("aria-current", "page");
    expect(models.id, "the e2e suite finds items by id").toBe("nav-models");
    expect(models.querySelector("svg"), "an icon").not.toBeNull();
    expect(screen.getByRole("button", { name: "Settings" })).toHaveAttribute(
      "title",
      "Settings (Ctrl+,)",
    );
    expect(screen.getByRole("button", { name: "Chat" })).not.toHaveAttribute("aria-current");
    await fireEvent.click(screen.getByRole("button", { name: "Routing" }));
    expect(chosen).toEqual(["routing"]);
  });
});

describe("openSettings", () => {
  test("shows Settings and hands the anchor over once", () => {
    navigation.openSettings("provider-openrouter");
    expect(navigation.screen).toBe("settings");
    expect(navigation.takeSettingsAnchor()).toBe("provider-openrouter");
    expect(navigation.takeSettingsAnchor(), "only once").toBeNull();
    navigation.go("chat");
  });
});
