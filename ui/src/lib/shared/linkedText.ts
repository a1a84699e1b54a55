/** A piece of plain text, or a web address in it to show as a link. */
export interface TextPart {
  text: string;
  /** Set when the piece is a web address. */
  url?: string;
}

// A URL ends at white space or a character that cannot end one in prose; trailing sentence
// punctuation is given back to the text.
const URL = /https?:\/\/[^\s<>"'`]+/g;
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Splits `text` into plain pieces and web addresses, so a message from the backend (an error
 * naming the endpoint that failed, say) can show its URLs as links. The links go through the
 * app's link guard like every other: a click asks before anything opens.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(URL)) {
    const start = match.index;
    let url = match[0];
    const tail = TRAILING.exec(url)?.[0] ?? "";
    // Keep a closing bracket that belongs to the URL (a Wikipedia "(disambiguation)").
    const keep = tail.startsWith(")") && url.includes("(") ? ")" : "";
    url = url.slice(0, url.length - tail.length) + keep;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: url, url });
    at = start + url.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}
