/**
 * The spend chart arrives as an SVG document drawn by plotters on the Rust side. It is our own
 * output, but its labels are provider data (model names, conversation titles), so it is
 * sanitized like anything else before it reaches the DOM: SVG shapes and text only, no scripts,
 * links, external references, `<style>` or `style` attributes (the CSP would block those anyway).
 */
import DOMPurify from "dompurify";

const purify = DOMPurify();

const CONFIG = {
  USE_PROFILES: { svg: true, svgFilters: false },
  FORBID_TAGS: ["style", "script", "foreignObject", "a", "image", "use", "animate", "set"],
  FORBID_ATTR: ["style", "href", "xlink:href", "id", "class"],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  SAFE_FOR_XML: true,
  RETURN_DOM_FRAGMENT: true as const,
};

/** The chart's SVG as a detached fragment, safe to insert; empty when nothing usable is left. */
export function sanitizeChart(svg: string): DocumentFragment {
  // The XML prolog (if plotters ever writes one) means nothing to the HTML parser.
  const body = svg.replace(/^\s*<\?xml[^>]*\?>/, "");
  const fragment = purify.sanitize(body, CONFIG);
  // Only the chart itself: one <svg> root, nothing beside it.
  const root = fragment.querySelector("svg");
  const out = document.createDocumentFragment();
  if (root) {
    root.setAttribute("role", "img");
    // An image needs a name: the chart's caption says what it shows ("Spend by day: …").
    const caption = root.querySelector("text")?.textContent?.trim();
    root.setAttribute("aria-label", caption || "Spend chart");
    // The chart scales to its card: the viewBox keeps its proportions, CSS gives the width.
    if (!root.hasAttribute("viewBox")) {
      const w = root.getAttribute("width");
      const h = root.getAttribute("height");
      if (w && h) root.setAttribute("viewBox", `0 0 ${w} ${h}`);
    }
    root.removeAttribute("width");
    root.removeAttribute("height");
    root.setAttribute("preserveAspectRatio", "xMidYMid meet");
    out.append(root);
  }
  return out;
}

/** Action: keeps `node`'s content the sanitized chart for `svg` (never an HTML string). */
export function chartContent(node: HTMLElement, svg: string): { update(next: string): void } {
  node.replaceChildren(sanitizeChart(svg));
  return {
    update(next: string) {
      node.replaceChildren(sanitizeChart(next));
    },
  };
}
