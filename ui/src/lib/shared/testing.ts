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
