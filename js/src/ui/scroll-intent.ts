/**
 * Whether the user is scrolling (or moving focus, which scrolls) in a box: a wheel, touch,
 * key, focus move or scrollbar drag came just before. The browser also scrolls a box on its
 * own as its content changes (a clamp when content shrinks; scroll anchoring when rows above
 * resize): the transcript tells those apart with this.
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
    // Any key: Tab moves focus (which scrolls it into view) as much as PageUp scrolls.
    this.listen(box, "keydown", () => this.extend(800));
    this.listen(box, "focusin", () => this.extend(400));
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
