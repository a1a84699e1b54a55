import type { ErrorCode, ErrorInfo } from "./bindings";

/**
 * Every failure the UI sees: a command's `{code, message, retryable}`, or one of Tauri's own
 * rejections (plain strings) normalized to the same shape.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = "AppError";
    this.code = info.code;
    this.retryable = info.retryable;
  }

  static from(raw: unknown): AppError {
    if (raw instanceof AppError) return raw;
    if (isErrorInfo(raw)) return new AppError(raw);
    const message =
      raw instanceof Error ? raw.message : typeof raw === "string" ? raw : "Unknown error";
    return new AppError({ code: "internal", message, retryable: false });
  }
}

function isErrorInfo(raw: unknown): raw is ErrorInfo {
  return (
    typeof raw === "object" &&
    raw !== null &&
    typeof (raw as ErrorInfo).code === "string" &&
    typeof (raw as ErrorInfo).message === "string"
  );
}
