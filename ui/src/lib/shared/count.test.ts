import { expect, it } from "vitest";
import { formatCount } from "./count";

it("writes counts as toLocaleString('en-US') does", () => {
  for (const v of [0, 7, 1240, 1_000_000, 36.5, -12]) {
    expect(formatCount(v)).toBe(v.toLocaleString("en-US"));
  }
});
