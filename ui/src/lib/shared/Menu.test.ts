import { fireEvent, render, screen } from "@testing-library/svelte";
import Copy from "@lucide/svelte/icons/copy";
import Trash from "@lucide/svelte/icons/trash-2";
import { tick } from "svelte";
import { afterEach, describe, expect, test, vi } from "vitest";
import Menu from "./Menu.svelte";
import { nextIndex, placeMenu, type MenuItem } from "./menu";

function setup(items?: MenuItem[]) {
  const selected: string[] = [];
  const pick = (label: string) => () => selected.push(label);
  const list = items ?? [
    { label: "Copy", icon: Copy, onselect: pick("Copy") },
    { label: "Rename", onselect: pick("Rename") },
    { label: "Archive", onselect: pick("Archive"), disabled: true },
    { label: "Delete", icon: Trash, onselect: pick("Delete"), danger: true },
  ];
  render(Menu, { props: { label: "More actions", items: list, testid: "more" } });
  const trigger = screen.getByRole("button", { name: "More actions" });
  const item = (label: string) => screen.getByRole("menuitem", { name: label });
  return { selected, trigger, item };
}

const menu = () => screen.queryByRole("menu");

afterEach(() => vi.restoreAllMocks());

describe("the trigger", () => {
  test("is a named icon button that says it opens a menu", () => {
    const { trigger } = setup();
    expect(trigger).toHaveAttribute("aria-haspopup", "menu");
    expect(trigger).toHaveAttribute("aria-expanded", "false");
    expect(trigger).toHaveAttribute("title", "More actions");
    expect(trigger).toHaveAttribute("data-testid", "more");
    expect(trigger).toHaveClass("icon");
    expect(menu(), "closed until asked").toBeNull();
  });
});

describe("by keyboard", () => {
  test("Enter opens it on the first item; arrows move, skip disabled items and wrap", async () => {
    const { trigger, item } = setup();
    trigger.focus();
    await fireEvent.keyDown(trigger, { key: "Enter" });
    await tick();
    expect(menu()).not.toBeNull();
    expect(trigger).toHaveAttribute("aria-expanded", "true");
    expect(item("Copy")).toHaveFocus();

    await fireEvent.keyDown(item("Copy"), { key: "ArrowDown" });
    expect(item("Rename")).toHaveFocus();
    await fireEvent.keyDown(item("Rename"), { key: "ArrowDown" });
    expect(item("Delete"), "the disabled Archive is skipped").toHaveFocus();
    await fireEvent.keyDown(item("Delete"), { key: "ArrowDown" });
    expect(item("Copy"), "wraps to the top").toHaveFocus();
    await fireEvent.keyDown(item("Copy"), { key: "ArrowUp" });
    expect(item("Delete"), "wraps to the bottom").toHaveFocus();
    await fireEvent.keyDown(item("Delete"), { key: "Home" });
    expect(item("Copy")).toHaveFocus();
    await fireEvent.keyDown(item("Copy"), { key: "End" });
    expect(item("Delete")).toHaveFocus();
  });

  test("Space opens it too, and ArrowUp on the trigger opens it on the last item", async () => {
    const { trigger, item } = setup();
    await fireEvent.keyDown(trigger, { key: " " });
    await tick();
    expect(item("Copy")).toHaveFocus();
    await fireEvent.keyDown(item("Copy"), { key: "Escape" });
    await fireEvent.keyDown(trigger, { key: "ArrowUp" });
    await tick();
    expect(item("Delete")).toHaveFocus();
  });

  test("Escape closes it, gives focus back to the trigger, and goes no further", async () => {
    const elsewhere = vi.fn((e: KeyboardEvent) => e.key === "Escape");
    window.addEventListener("keydown", elsewhere);
    try {
      const { trigger, item } = setup();
      await fireEvent.keyDown(trigger, { key: "Enter" });
      await tick();
      await fireEvent.keyDown(item("Copy"), { key: "Escape" });
      expect(menu()).toBeNull();
      expect(trigger).toHaveAttribute("aria-expanded", "false");
      expect(trigger).toHaveFocus();
      expect(
        elsewhere.mock.calls.filter(([e]) => e.key === "Escape"),
        "the chat's Escape (stop all) does not see it",
      ).toEqual([]);
    } finally {
      window.removeEventListener("keydown", elsewhere);
    }
  });
});

describe("choosing", () => {
  test("an item runs once, after the menu closed and focus is back on the trigger", async () => {
    let focusedWhenRun: Element | null = null;
    const { trigger } = setup([
      { label: "Copy", onselect: () => (focusedWhenRun = document.activeElement) },
    ]);
    await fireEvent.click(trigger);
    await tick();
    const copy = document.querySelector('[data-menu-item="Copy"]');
    expect(copy, "items carry data-menu-item").not.toBeNull();
    await fireEvent.click(copy as Element);
    expect(menu()).toBeNull();
    expect(focusedWhenRun).toBe(trigger);
  });

  test("a disabled item does nothing; a danger item is marked", async () => {
    const { trigger, item, selected } = setup();
    await fireEvent.click(trigger);
    await tick();
    expect(item("Archive")).toBeDisabled();
    await fireEvent.click(item("Archive"));
    expect(selected).toEqual([]);
    expect(item("Delete")).toHaveClass("danger");
    await fireEvent.click(item("Delete"));
    expect(selected).toEqual(["Delete"]);
  });

  test("a click on the trigger again closes it", async () => {
    const { trigger } = setup();
    await fireEvent.click(trigger);
    await tick();
    expect(menu()).not.toBeNull();
    await fireEvent.click(trigger);
    expect(menu()).toBeNull();
  });
});

describe("outside the menu", () => {
  test("a click elsewhere closes it and returns focus to the trigger; nothing runs", async () => {
    const { trigger, selected } = setup();
    await fireEvent.click(trigger);
    await tick();
    expect(menu()).not.toBeNull();
    await fireEvent.pointerDown(document.body);
    expect(menu()).toBeNull();
    expect(trigger).toHaveFocus();
    expect(selected).toEqual([]);
  });

  test("a click inside the menu does not close it", async () => {
    const { trigger } = setup();
    await fireEvent.click(trigger);
    await tick();
    await fireEvent.pointerDown(menu() as HTMLElement);
    expect(menu()).not.toBeNull();
  });

  test("the list is not clipped by the pane it was opened from", async () => {
    const { trigger } = setup();
    await fireEvent.click(trigger);
    await tick();
    expect(menu()?.parentElement, "moved to <body>").toBe(document.body);
  });
});

describe("placement", () => {
  const view = { width: 800, height: 600 };
  const size = { width: 180, height: 200 };

  test("below and rightward when there is room", () => {
    const trigger = { top: 40, bottom: 72, left: 100, right: 132 };
    expect(placeMenu(trigger, size, view)).toEqual({ up: false, left: false });
  });

  test("upward near the bottom edge, leftward near the right edge", () => {
    const trigger = { top: 540, bottom: 572, left: 760, right: 792 };
    expect(placeMenu(trigger, size, view)).toEqual({ up: true, left: true });
  });

  test("stays below when neither side has room but below has more", () => {
    const trigger = { top: 100, bottom: 132, left: 10, right: 42 };
    expect(placeMenu(trigger, { width: 180, height: 550 }, view).up).toBe(false);
  });
});

test("nextIndex skips disabled items and says null for keys that do not move", () => {
  const items = [{}, { disabled: true }, {}];
  expect(nextIndex(items, 0, "ArrowDown")).toBe(2);
  expect(nextIndex(items, 2, "ArrowUp")).toBe(0);
  expect(nextIndex(items, 0, "a")).toBeNull();
  expect(nextIndex([{ disabled: true }], -1, "ArrowDown")).toBeNull();
});
