import type { StylePlatform } from "../ipc/client";

/** The operating system's family, as far as styles care: see `:root[data-platform]` in app.css
 * (defined in Rust, which keeps it with the first paint). */
export type Platform = StylePlatform;

/** Reads the platform from the webview's user agent (WebKitGTK says "Linux", WKWebView
 * "Macintosh", WebView2 "Windows"). */
export function platformOf(userAgent: string): Platform {
  if (/Android/i.test(userAgent)) return "other";
  if (/Windows/i.test(userAgent)) return "windows";
  if (/Macintosh|Mac OS X/i.test(userAgent)) return "mac";
  if (/Linux|X11|FreeBSD|OpenBSD/i.test(userAgent)) return "linux";
  return "other";
}

/** Marks the document with its platform; must run before anything with text is drawn. */
export function markPlatform(doc: Document = document, userAgent = navigator.userAgent): void {
  doc.documentElement.dataset.platform = platformOf(userAgent);
}
