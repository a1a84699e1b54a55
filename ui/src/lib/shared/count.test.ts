import { expect, it } from "vitest";
import { formatCount } from "./count";

it("writes counts as toLocaleString('en-US') does", () => {
  const values = [0, -0, 7, 12, 123, 1240, 12_345, 123_456, 1_000_000, -12, -1_234_567];
  values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1e21, 36.5, 0.12345);
  values.push(NaN, Infinity, -Infinity);
  for (let d = 1; d <= 16; d++) values.push(10 ** d - 1, 10 ** d, -(10 ** d));
  for (const v of values) expect(formatCount(v), String(v)).toBe(v.toLocaleString("en-US"));
});
