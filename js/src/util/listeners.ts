/** A tiny typed listener set: `add` returns the function that removes the listener. */
export class Listeners<Args extends unknown[]> {
  private readonly set = new Set<(...args: Args) => void>();

  add(cb: (...args: Args) => void): () => void {
    this.set.add(cb);
    return () => {
      this.set.delete(cb);
    };
  }

  emit(...args: Args): void {
    for (const cb of [...this.set]) {
      try {
        cb(...args);
      } catch (err) {
        // One broken listener must not starve the others of the stream.
        console.error("chatkit-widget: listener failed", err);
      }
    }
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
  }
}
