/**
 * Opening a link from an answer in the user's browser. The Rust side checks the URL again
 * (web and email only) and launches the OS handler; the webview itself holds no permission
 * to open anything.
 */
import { commands } from "./bindings";
import { call } from "./client";

/** Resolves once the browser was started; rejects with an `AppError` (`invalid_input`, …). */
export async function openExternal(url: string): Promise<void> {
  await call(commands.linkOpen(url));
}
