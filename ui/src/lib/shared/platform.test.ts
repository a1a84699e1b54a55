import { describe, expect, it } from "vitest";
import { markPlatform, platformOf } from "./platform";

describe("the platform", () => {
  it.each([
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
      "linux",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
      "mac",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      "windows",
    ],
    ["Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36", "other"],
  ])("%s is %s", (agent, platform) => {
    expect(platformOf(agent)).toBe(platform);
  });

  it("is marked on the document, where the font rules read it", () => {
    markPlatform(document, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15");
    expect(document.documentElement.dataset.platform).toBe("linux");
  });
});
