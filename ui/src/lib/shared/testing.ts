/** Test helpers every screen's tests share. */

/**
 * jsdom has no ResizeObserver and no layout; virtua measures its viewport and rows with one. This
 * one reports every observed element as 1000×600 px, so the list renders a viewport's worth.
 */
export class FakeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element): void {
    queueMicrotask(() =>
      this.callback(
        [
          {
            target,
            contentRect: { width: 1000, height: 600 } as DOMRectReadOnly,
            borderBoxSize: [{ inlineSize: 1000, blockSize: 600 }],
            contentBoxSize: [{ inlineSize: 1000, blockSize: 600 }],
            devicePixelContentBoxSize: [],
          },
        ],
        this as unknown as ResizeObserver,
      ),
    );
  }
  unobserve(): void {}
  disconnect(): void {}
}

/**
 * jsdom has no scrolling and no `Element.scrollTo`; virtua scrolls with it. The shim records the
 * offset and reports a scroll, as a browser would. Returns the function that removes it.
 */
export function installScrollShim(): () => void {
  const proto = Element.prototype as { scrollTo?: unknown };
  const had = Object.prototype.hasOwnProperty.call(proto, "scrollTo");
  const original = proto.scrollTo;
  proto.scrollTo = function (this: Element, arg?: ScrollToOptions | number) {
    if (typeof arg === "object" && arg.top !== undefined) this.scrollTop = arg.top;
    this.dispatchEvent(new Event("scroll"));
  };
  return () => {
    if (had) proto.scrollTo = original;
    else delete proto.scrollTo;
  };
}
