import type { ThreadState } from "../state/thread-state";
import type { StateChange } from "../state/types";
import { h } from "../util/dom";
import { createItemView } from "./items";
import type { ItemView, RowContext } from "./items/types";

interface Row {
  type: string;
  view: ItemView | null;
}

const PIN_SLACK_PX = 32;

/** The scrolling message list: one row per item, patched by id at most once per frame. */
export class Transcript {
  readonly el: HTMLDivElement;
  private readonly log = h("div", {
    class: "ckw-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation",
  });
  private readonly empty = h("div", { class: "ckw-empty" });
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();
  private orderDirty = true;
  private cancelFrame: (() => void) | null = null;
  private offline = false;
  private readonly unsubscribe: () => void;
  private readonly onScroll = () => {
    this.pinned = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < PIN_SLACK_PX;
  };
  private pinned = true;

  constructor(
    private readonly state: ThreadState,
    private readonly ctx: RowContext,
  ) {
    this.el = h("div", { class: "ckw-scroll" }, this.empty, this.log);
    this.el.addEventListener("scroll", this.onScroll, { passive: true });
    this.unsubscribe = state.subscribe((change) => this.onChange(change));
    this.schedule();
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
    this.renderEmpty();
  }

  /** Follow new rows again (the user just sent something, so they want to see the reply). */
  pinToBottom(): void {
    this.pinned = true;
    this.schedule();
  }

  dispose(): void {
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.unsubscribe();
    this.el.removeEventListener("scroll", this.onScroll);
  }

  private onChange(change: StateChange): void {
    for (const id of change.items) this.dirty.add(id);
    if (change.order || change.thread) this.orderDirty = true;
    this.schedule();
  }

  private schedule(): void {
    this.cancelFrame ??= requestFrame(() => {
      this.cancelFrame = null;
      this.flush();
    });
  }

  private flush(): void {
    if (this.orderDirty) this.reconcile();
    for (const id of this.dirty) {
      const item = this.state.item(id);
      const row = this.rows.get(id);
      if (item && row?.view) row.view.update(item, this.state.meta(id));
    }
    this.dirty.clear();
    if (this.pinned) this.el.scrollTop = this.el.scrollHeight;
  }

  /** Create missing rows, drop removed ones, and put the DOM in the state's order. */
  private reconcile(): void {
    this.orderDirty = false;
    const seen = new Set<string>();
    const elements: HTMLElement[] = [];
    for (const item of this.state.items) {
      seen.add(item.id);
      let row = this.rows.get(item.id);
      if (!row || row.type !== item.type) {
        row?.view?.el.remove();
        row = { type: item.type, view: createItemView(item, this.ctx) };
        this.rows.set(item.id, row);
        this.dirty.add(item.id);
      }
      if (row.view) elements.push(row.view.el);
    }
    for (const [id, row] of this.rows) {
      if (seen.has(id)) continue;
      row.view?.el.remove();
      this.rows.delete(id);
    }
    let cursor = this.log.firstElementChild;
    for (const el of elements) {
      if (el === cursor) cursor = cursor.nextElementSibling;
      else this.log.insertBefore(el, cursor);
    }
    this.renderEmpty(elements.length === 0);
  }

  private renderEmpty(isEmpty = this.log.childElementCount === 0): void {
    this.empty.hidden = !isEmpty;
    if (!isEmpty) return;
    if (this.state.loading) {
      this.empty.replaceChildren(h("div", { class: "ckw-empty-hint" }, "Loading conversation…"));
      return;
    }
    this.empty.replaceChildren(h("div", { class: "ckw-greeting" }, "Ask anything."));
    if (this.offline) {
      this.empty.append(
        h(
          "div",
          { class: "ckw-empty-hint" },
          "Try: add a task: buy milk · list tasks · complete task buy milk",
        ),
      );
    }
  }
}

// A timer backs up the frame: hidden tabs and headless browsers may not paint, and the state
// of a finished turn should still land in the DOM. Whichever fires first wins.
const FALLBACK_MS = 250;

function requestFrame(cb: () => void): () => void {
  let fired = false;
  const run = () => {
    if (fired) return;
    fired = true;
    cancel();
    cb();
  };
  const frame = typeof requestAnimationFrame === "function" ? requestAnimationFrame(run) : null;
  const timer = setTimeout(run, FALLBACK_MS);
  const cancel = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
  return cancel;
}
