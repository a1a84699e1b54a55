/**
 * Copies text to the clipboard. WebKitGTK may lack `navigator.clipboard` (or refuse it outside
 * a secure context), so a hidden, read-only textarea and `execCommand("copy")` back it up.
 */
export function copyText(value: string): Promise<void> {
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.className = "md-copy-buffer";
    document.body.append(area);
    area.select();
    try {
      if (typeof document.execCommand !== "function" || !document.execCommand("copy")) {
        throw new Error("copy is not available");
      }
    } finally {
      area.remove();
    }
  };
  if (typeof navigator !== "undefined" && navigator.clipboard?.writeText) {
    return navigator.clipboard.writeText(value).catch(fallback);
  }
  try {
    fallback();
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
