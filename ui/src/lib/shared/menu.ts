import type { LucideProps } from "@lucide/svelte";
import type { Component } from "svelte";

/** An icon component from `@lucide/svelte` (or anything that takes the same props). */
export type IconComponent = Component<LucideProps>;

/** One entry of an overflow menu (`Menu.svelte`). */
export interface MenuItem {
  /** The visible text, also the item's `data-menu-item` for tests. */
  label: string;
  icon?: IconComponent;
  /** Runs after the menu has closed and focus is back on the trigger. */
  onselect: () => void;
  /** Drawn in the danger colour (Delete, Remove). */
  danger?: boolean;
  disabled?: boolean;
}

/** Where an open menu goes so it stays inside the window. */
export interface MenuPlacement {
  /** Open above the trigger rather than below it. */
  up: boolean;
  /** Align the menu's right edge with the trigger's rather than its left edge. */
  left: boolean;
}

/**
 * Chooses the side of the trigger a menu of `menu` size opens on, inside a `view` of the
 * window's size: below and rightward unless that would cross the window's edge and the other
 * side has more room.
 */
export function placeMenu(
  trigger: { top: number; bottom: number; left: number; right: number },
  menu: { width: number; height: number },
  view: { width: number; height: number },
): MenuPlacement {
  const below = view.height - trigger.bottom;
  const above = trigger.top;
  const rightward = view.width - trigger.left;
  const leftward = trigger.right;
  return {
    up: menu.height > below && above > below,
    left: menu.width > rightward && leftward > rightward,
  };
}

/**
 * The index focus moves to from `from` on `key` among items, skipping disabled ones and
 * wrapping around; `null` when the key does not move focus or nothing is enabled.
 */
export function nextIndex(
  items: readonly Pick<MenuItem, "disabled">[],
  from: number,
  key: string,
): number | null {
  const enabled = items.flatMap((item, i) => (item.disabled ? [] : [i]));
  if (enabled.length === 0) return null;
  const first = enabled[0] as number;
  const last = enabled[enabled.length - 1] as number;
  if (key === "Home") return first;
  if (key === "End") return last;
  if (key === "ArrowDown") return enabled.find((i) => i > from) ?? first;
  if (key === "ArrowUp") return [...enabled].reverse().find((i) => i < from) ?? last;
  return null;
}
