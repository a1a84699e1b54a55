/**
 * What a click on a link means in an app window that must never navigate: a link is either
 * inert (in-app anchors, relative paths, schemes we never open) or an external web or email
 * address the user may open in their browser after confirming where it really goes.
 */

/** Characters that hide or reorder what a URL shows; the Rust side refuses them too. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/** An external link, split so the part that decides where it goes can be shown apart. */
export interface ExternalLink {
  /** The href exactly as written; Rust validates and normalizes it again before opening. */
  href: string;
  /** `https://` or `mailto:`. */
  scheme: string;
  /** The host (with port) for web links, the address for email links. */
  host: string;
  /** Path, query and fragment (normalized). */
  rest: string;
}

/** The `<a>` or `<area>` a click landed in, if any (SVG `<a>` included). */
export function linkOf(event: Event): Element | null {
  for (const node of event.composedPath()) {
    if (node instanceof Element && (node.localName === "a" || node.localName === "area")) {
      return node;
    }
  }
  return null;
}

/** A link's destination as written (SVG links may still use `xlink:href`). */
export function hrefOf(el: Element): string | null {
  return el.getAttribute("href") ?? el.getAttributeNS("http://www.w3.org/1999/xlink", "href");
}

/** The link as an external destination, or `null` if clicking it must do nothing. */
export function externalLink(href: string | null): ExternalLink | null {
  if (href === null || HIDDEN.test(href)) return null;
  let url: URL;
  try {
    // No base: relative links (in-app paths, `#anchors`) do not parse, so they stay inert.
    url = new URL(href.trim());
  } catch {
    return null;
  }
  if (url.protocol === "http:" || url.protocol === "https:") {
    if (!url.hostname || url.username || url.password) return null;
    return {
      href,
      scheme: `${url.protocol}//`,
      host: url.host,
      rest: url.pathname + url.search + url.hash,
    };
  }
  if (url.protocol === "mailto:" && url.pathname) {
    return { href, scheme: "mailto:", host: url.pathname, rest: url.search };
  }
  return null;
}

/**
 * The host a link's text claims when that text starts with a web address (`https://…`,
 * `www.…`, `example.com/…`) naming another host than the link opens; else `null`. Only the
 * first word counts: the answer renderer appends its own "(→ host)" note to such links.
 */
export function claimedHost(text: string, link: ExternalLink): string | null {
  if (link.scheme === "mailto:") return null;
  const first = text.trim().split(/\s+/)[0] ?? "";
  const withScheme = /^https?:\/\//i.test(first);
  if (!withScheme && !/^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/:?#]|$)/i.test(first)) {
    return null;
  }
  let shown: string;
  try {
    shown = new URL(withScheme ? first : `https://${first}`).hostname;
  } catch {
    return null;
  }
  const bare = (host: string) => host.toLowerCase().replace(/^www\./, "");
  const actual = new URL(`https://${link.host}`).hostname;
  return bare(shown) === bare(actual) ? null : shown;
}
