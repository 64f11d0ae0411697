// Elements showing a fallback until an asset arrives (formulas as TeX, code plain), rendered in
// place then: math.ts and highlight.ts keep one each.
import { inSlices } from "../util/slices";
import { type AssetName, requestAsset, whenAsset } from "./registry";

export class WaitingForAsset<T> {
  /** Each waiting element with what its render needs, on the page or not yet attached. */
  private readonly pending = new Map<HTMLElement, T>();
  private waiting = false;

  /**
   * @param render renders one element now that the asset is here
   * @param prune past this many waiting, those no longer on the page (a streaming paragraph's
   *   earlier renders) are forgotten
   */
  constructor(
    private readonly name: AssetName,
    private readonly render: (el: HTMLElement, data: T) => void,
    private readonly prune: number,
  ) {}

  /** Render `el` when the asset arrives (asking for it again if the last request failed). */
  add(el: HTMLElement, data: T): void {
    if (this.pending.size >= this.prune) {
      for (const waiting of this.pending.keys())
        if (!waiting.isConnected) this.pending.delete(waiting);
    }
    this.pending.set(el, data);
    if (this.waiting) {
      requestAsset(this.name);
      return;
    }
    this.waiting = true;
    whenAsset(this.name, () => {
      this.waiting = false;
      const all = [...this.pending];
      this.pending.clear();
      inSlices(all, ([el, data]) => this.render(el, data));
    });
  }
}
