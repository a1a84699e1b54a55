import { describe, expect, it } from "vitest";
import { shortcutFor } from "./keyboard";

describe("keyboard", () => {
  const key = (init: KeyboardEventInit) => new KeyboardEvent("keydown", init);
  it("maps the shortcuts", () => {
    expect(shortcutFor(key({ key: "Enter", ctrlKey: true })), "Ctrl+Enter").toBe("send");
    expect(shortcutFor(key({ key: "Enter", metaKey: true })), "Cmd+Enter").toBe("send");
    expect(shortcutFor(key({ key: "Enter" })), "Enter alone is a newline").toBeNull();
    expect(shortcutFor(key({ key: "Escape" })), "Escape").toBe("stopAll");
    expect(shortcutFor(key({ key: "n", ctrlKey: true })), "Ctrl+N").toBe("newChat");
    expect(shortcutFor(key({ key: "k", metaKey: true })), "Cmd+K").toBe("focusSearch");
  });
});
