// Where the conversation panel goes, before and after its code arrives: the panel is an asset
// (assets/history.ts), asked for the first time History opens. Until then this keeps what the
// panel must know, and opens it once it is here.
import { loadedAsset, whenAsset } from "../assets/registry";
import { h } from "../util/dom";
import type { HistoryActions, HistoryPanel, HistoryPlacement } from "./history";

let slotSeq = 0;

export class HistorySlot {
  /** Holds the panel once it exists (`display: contents`: the panel places itself). */
  readonly el = h("div", { class: "ckw-history-slot" });
  /** The panel's id, known before it exists (the History button's aria-controls). */
  readonly id = `ckw-history-${++slotSeq}`;
  private panel: HistoryPanel | null = null;
  /** Where to open once the panel exists: History was pressed before its code arrived. */
  private opening: HistoryPlacement | null = null;
  private current: [string | null, string | null] = [null, null];
  private notebook: string | null = null;
  private answering: ReadonlySet<string> = new Set();
  private disposed = false;

  constructor(private readonly actions: HistoryActions) {
    if (loadedAsset("history")) this.panel = this.create();
  }

  get isOpen(): boolean {
    return this.panel ? this.panel.isOpen : this.opening !== null;
  }

  open(placement: HistoryPlacement): void {
    if (this.panel) {
      this.panel.open(placement);
      return;
    }
    const first = this.opening === null;
    this.opening = placement;
    if (!first) return;
    whenAsset("history", () => {
      if (this.disposed || this.panel) return;
      const panel = this.create();
      this.panel = panel;
      const placementNow = this.opening;
      this.opening = null;
      if (placementNow) panel?.open(placementNow);
    });
  }

  close(restoreFocus = true): void {
    this.opening = null;
    this.panel?.close(restoreFocus);
  }

  setCurrent(threadId: string | null, title: string | null): void {
    this.current = [threadId, title];
    this.panel?.setCurrent(threadId, title);
  }

  setNotebook(path: string | null): void {
    this.notebook = path;
    this.panel?.setNotebook(path);
  }

  setAnswering(threads: ReadonlySet<string>): void {
    this.answering = threads;
    this.panel?.setAnswering(threads);
  }

  threadCreated(threadId: string): void {
    this.panel?.threadCreated(threadId); // a closed or absent list has nothing to update
  }

  dispose(): void {
    this.disposed = true;
    this.opening = null;
    this.panel?.dispose();
  }

  private create(): HistoryPanel | null {
    const asset = loadedAsset("history");
    if (!asset) return null;
    const panel = asset.create(this.actions, this.id, this.el.ownerDocument);
    panel.setCurrent(...this.current);
    panel.setNotebook(this.notebook);
    panel.setAnswering(this.answering);
    this.el.append(panel.el);
    return panel;
  }
}
