import { fireEvent, render, screen } from "@testing-library/svelte";
import Copy from "@lucide/svelte/icons/copy";
import { describe, expect, test, vi } from "vitest";
import IconButton from "./IconButton.svelte";

describe("IconButton", () => {
  test("its label is the accessible name and the tooltip; the icon is hidden", async () => {
    const onclick = vi.fn();
    render(IconButton, { props: { label: "Copy answer", icon: Copy, onclick, testid: "copy" } });
    const button = screen.getByRole("button", { name: "Copy answer" });
    expect(button).toHaveAttribute("title", "Copy answer");
    expect(button).toHaveAttribute("type", "button");
    expect(button).toHaveAttribute("data-testid", "copy");
    expect(button).toHaveClass("icon");
    expect(button).not.toHaveAttribute("aria-pressed");
    expect(button.textContent?.trim(), "no text beside the icon").toBe("");
    expect(button.querySelector("svg")).toHaveAttribute("aria-hidden", "true");
    await fireEvent.click(button);
    expect(onclick).toHaveBeenCalledOnce();
  });

  test("a toggle says whether it is pressed; small, danger and disabled show", () => {
    render(IconButton, {
      props: {
        label: "Delete",
        icon: Copy,
        pressed: true,
        size: "small",
        tone: "danger",
        disabled: true,
      },
    });
    const button = screen.getByRole("button", { name: "Delete" });
    expect(button).toHaveAttribute("aria-pressed", "true");
    expect(button).toHaveClass("icon", "small", "danger");
    expect(button).toBeDisabled();
  });

  test("pressed false is still announced as a toggle", () => {
    render(IconButton, { props: { label: "Pin", icon: Copy, pressed: false } });
    expect(screen.getByRole("button", { name: "Pin" })).toHaveAttribute("aria-pressed", "false");
  });
});
