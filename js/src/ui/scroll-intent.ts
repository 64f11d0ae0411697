/**
 * Whether a scroll is the user's. The browser also scrolls a box on its own: it clamps
 * `scrollTop` when content below shrinks, and scroll anchoring moves it when rows above resize
 * (content-visibility swaps an estimate for the real height). Those are not a wish to stop
 * following the reply, so only a scroll that comes with a wheel, touch, key or scrollbar drag
 * counts as one.
 */
export class ScrollIntent {
  /** Until when (performance.now()) a scroll still belongs to the last gesture. */
  private until = 0;
  /** A finger or the scrollbar is held down. */
  private held = false;
  private readonly off: Array<() => void> = [];

  constructor(box: HTMLElement) {
    // A wheel and keys scroll smoothly for a few hundred ms; a flick glides on after touchend.
    this.listen(box, "wheel", () => this.extend(400));
    this.listen(box, "keydown", (event) => {
      if (SCROLL_KEYS.has((event as KeyboardEvent).key)) this.extend(800);
    });
    this.listen(box, "touchstart", () => {
      this.held = true;
    });
    this.listen(box, "pointerdown", (event) => {
      // On the box itself (its scrollbar), not on a row's button or text.
      if (event.target === box) this.held = true;
    });
    const release = () => {
      if (!this.held) return;
      this.held = false;
      this.extend(1500);
    };
    const doc = box.ownerDocument;
    for (const type of ["touchend", "touchcancel", "pointerup", "pointercancel"]) {
      this.listen(doc, type, release);
    }
  }

  get active(): boolean {
    return this.held || performance.now() < this.until;
  }

  dispose(): void {
    for (const off of this.off.splice(0)) off();
  }

  private extend(ms: number): void {
    this.until = Math.max(this.until, performance.now() + ms);
  }

  private listen(target: EventTarget, type: string, fn: (event: Event) => void): void {
    target.addEventListener(type, fn, { passive: true });
    this.off.push(() => target.removeEventListener(type, fn));
  }
}

const SCROLL_KEYS = new Set(["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "]);
