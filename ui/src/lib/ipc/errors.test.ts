import { describe, expect, it } from "vitest";
import { AppError } from "./errors";

describe("AppError.from", () => {
  it("keeps a command's {code, message, retryable}", () => {
    const e = AppError.from({ code: "rate_limited", message: "slow down", retryable: true });
    expect(e).toMatchObject({ code: "rate_limited", message: "slow down", retryable: true });
  });

  it("turns Tauri's own string rejections into internal errors", () => {
    const e = AppError.from("command key_save not found");
    expect(e).toMatchObject({ code: "internal", message: "command key_save not found" });
  });
});
