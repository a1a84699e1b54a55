/**
 * A pane that scrolls (a wide table in a narrow card, a long snippet) has to be reachable by
 * keyboard, or the part it hides cannot be scrolled to without a mouse (WCAG 2.1.1; axe's
 * "scrollable-region-focusable"). This action makes the pane a focusable, named region while
 * its content overflows it, and a plain box otherwise, so it adds no tab stop when nothing is
 * hidden.
 */
export function scrollRegion(
  node: HTMLElement,
  label: string,
): { update(next: string): void; destroy(): void } {
  let name = label;
  function sync(): void {
    const overflows =
      node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
    if (overflows) {
      node.tabIndex = 0;
      node.setAttribute("role", "region");
      node.setAttribute("aria-label", name);
    } else {
      node.removeAttribute("tabindex");
      node.removeAttribute("role");
      node.removeAttribute("aria-label");
    }
  }
  // The pane and what it holds both change size: the window, or new rows.
  const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(sync);
  observer?.observe(node);
  for (const child of Array.from(node.children)) observer?.observe(child);
  sync();
  return {
    update(next: string) {
      name = next;
      sync();
    },
    destroy() {
      observer?.disconnect();
    },
  };
}
