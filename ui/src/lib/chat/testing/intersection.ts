/**
 * jsdom has no IntersectionObserver (and no layout to compute one). This one reports what the
 * test says is in view: `FakeIntersectionObserver.reveal()` tells every live observer that its
 * targets entered the viewport, as scrolling near the end of a list would.
 */
export class FakeIntersectionObserver {
  static live = new Set<FakeIntersectionObserver>();

  readonly targets = new Set<Element>();

  constructor(
    private readonly callback: IntersectionObserverCallback,
    readonly options: IntersectionObserverInit = {},
  ) {
    FakeIntersectionObserver.live.add(this);
  }

  /** Every live observer's targets come into view. */
  static reveal(): void {
    for (const observer of [...FakeIntersectionObserver.live]) observer.report(true);
  }

  static reset(): void {
    FakeIntersectionObserver.live.clear();
  }

  observe(target: Element): void {
    this.targets.add(target);
  }

  unobserve(target: Element): void {
    this.targets.delete(target);
  }

  disconnect(): void {
    this.targets.clear();
    FakeIntersectionObserver.live.delete(this);
  }

  takeRecords(): IntersectionObserverEntry[] {
    return [];
  }

  private report(isIntersecting: boolean): void {
    const entries = [...this.targets].map(
      (target) => ({ target, isIntersecting }) as IntersectionObserverEntry,
    );
    if (entries.length > 0) this.callback(entries, this as unknown as IntersectionObserver);
  }
}
