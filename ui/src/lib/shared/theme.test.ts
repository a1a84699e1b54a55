import { afterEach, describe, expect, it, vi } from "vitest";
import { applyTheme, onThemeShown, shownTheme } from "./theme";

/** A stand-in for the OS colour preference, which jsdom does not have. */
function fakeSystem(prefersDark: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    get matches() {
      return prefersDark;
    },
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  vi.stubGlobal("matchMedia", () => query);
  return {
    flip(dark: boolean) {
      prefersDark = dark;
      for (const l of listeners) l();
    },
    listening: () => listeners.size,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  delete document.documentElement.dataset.theme;
});

describe("theme", () => {
  it("shows the chosen theme and tells listeners only when it changes", () => {
    fakeSystem(false);
    const seen: string[] = [];
    const stop = onThemeShown((t) => seen.push(t));
    expect(shownTheme(), "light until a theme is applied").toBe("light");
    applyTheme("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    applyTheme("dark");
    applyTheme("light");
    stop();
    applyTheme("dark");
    expect(seen).toEqual(["dark", "light"]);
  });

  it("follows the OS while the preference is system, and stops when it is not", () => {
    const system = fakeSystem(false);
    const seen: string[] = [];
    const stop = onThemeShown((t) => seen.push(t));
    applyTheme("system");
    expect(shownTheme()).toBe("light");
    system.flip(true);
    expect(shownTheme()).toBe("dark");
    applyTheme("light");
    expect(system.listening(), "a fixed theme stops watching the OS").toBe(0);
    system.flip(false);
    system.flip(true);
    expect(shownTheme()).toBe("light");
    expect(seen).toEqual(["dark", "light"]);
    stop();
  });
});
