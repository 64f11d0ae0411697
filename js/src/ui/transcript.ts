import type { ThreadState } from "../state/thread-state";
import type { StateChange } from "../state/types";
import { h } from "../util/dom";
import { createItemView } from "./items";
import type { ItemView, RowContext } from "./items/types";
import { StartScreen, type StartScreenContent } from "./start-screen";

/** What the transcript asks of the rest of the widget (beyond what rows need). */
export interface TranscriptHooks {
  /** The user reached the top of a thread that has older items. */
  loadOlder(): void;
  /** A starter prompt was picked. */
  sendPrompt(prompt: string): void;
}

interface Row {
  type: string;
  view: ItemView | null;
}

const PIN_SLACK_PX = 32;
/** Older items start loading this close to the top, before the user hits it. */
const NEAR_TOP_PX = 120;

/** The scrolling message list: one row per item, patched by id at most once per frame. */
export class Transcript {
  readonly el: HTMLDivElement;
  private readonly log = h("div", {
    class: "ckw-log",
    role: "log",
    // Not live: a streaming reply would be read delta by delta. ReplyAnnouncer says each
    // reply once, when it completes.
    "aria-live": "off",
    "aria-label": "Conversation",
  });
  private readonly empty = h("div", { class: "ckw-empty" });
  private readonly start: StartScreen;
  private readonly olderButton = h(
    "button",
    { type: "button", class: "ckw-button ckw-older-button" },
    "Load earlier messages",
  );
  private readonly older = h("div", { class: "ckw-older", hidden: true }, this.olderButton);
  private shownThread: string | null = null;
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();
  private orderDirty = true;
  private cancelFrame: (() => void) | null = null;
  private readonly unsubscribe: () => void;
  private readonly onScroll = () => {
    this.pinned = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < PIN_SLACK_PX;
    if (this.el.scrollTop < NEAR_TOP_PX) this.requestOlder();
  };
  private pinned = true;
  // Rows grow after the frame that placed them (content-visibility sizes off-screen rows by
  // estimate; fonts, math and a reply's toolbar arrive later): a pinned view follows.
  private readonly resizes =
    typeof ResizeObserver === "function"
      ? new ResizeObserver(() => {
          if (this.pinned) this.el.scrollTop = this.el.scrollHeight;
        })
      : null;

  constructor(
    private readonly state: ThreadState,
    private readonly ctx: RowContext,
    private readonly hooks: TranscriptHooks,
  ) {
    this.start = new StartScreen((prompt) => hooks.sendPrompt(prompt));
    // tabindex -1: focus can land here (not in the tab order) when a focused control goes.
    this.el = h("div", { class: "ckw-scroll", tabindex: "-1" }, this.empty, this.older, this.log);
    this.el.addEventListener("scroll", this.onScroll, { passive: true });
    this.resizes?.observe(this.log);
    this.olderButton.addEventListener("click", () => this.requestOlder());
    this.unsubscribe = state.subscribe((change) => this.onChange(change));
    this.schedule();
  }

  setOffline(offline: boolean): void {
    this.start.update({ offline });
  }

  /** The start screen's greeting and starter prompts (the `greeting`/`prompts` traits). */
  setStartScreen(content: Partial<StartScreenContent>): void {
    this.start.update(content);
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
    this.resizes?.disconnect();
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
    if (this.state.threadId !== this.shownThread) {
      // Another thread: it opens at its newest message, wherever the last one was scrolled.
      this.shownThread = this.state.threadId;
      this.pinned = true;
    }
    // Rows put above the ones being read must not move them: keep the distance from the bottom.
    const keep = this.orderDirty && !this.pinned;
    const firstRow = keep ? this.log.firstElementChild : null;
    const fromBottom = keep ? this.el.scrollHeight - this.el.scrollTop : 0;
    if (this.orderDirty) this.reconcile();
    for (const id of this.dirty) {
      const item = this.state.item(id);
      const row = this.rows.get(id);
      if (item && row?.view) row.view.update(item, this.state.meta(id));
    }
    this.dirty.clear();
    const olderShown = this.renderOlder();
    if (this.pinned) this.el.scrollTop = this.el.scrollHeight;
    else if (keep && (this.log.firstElementChild !== firstRow || olderShown !== null)) {
      this.el.scrollTop = this.el.scrollHeight - fromBottom;
    }
    // A page that does not fill the view cannot be scrolled up: page on until it does.
    if (this.el.clientHeight > 0 && this.el.scrollTop < NEAR_TOP_PX) this.requestOlder();
  }

  private requestOlder(): void {
    const { olderCursor, loadingOlder, loading } = this.state;
    if (olderCursor !== null && !loadingOlder && !loading) this.hooks.loadOlder();
  }

  /** The "earlier messages" bar; returns its new visibility when it changed, else null. */
  private renderOlder(): boolean | null {
    const show = this.state.olderCursor !== null;
    const loading = this.state.loadingOlder;
    this.olderButton.textContent = loading ? "Loading earlier messages…" : "Load earlier messages";
    this.olderButton.setAttribute("aria-disabled", String(loading));
    if (this.older.hidden !== show) return null;
    // Hiding the focused button would drop focus to the page (and JupyterLab's shortcuts).
    const hadFocus = !show && this.older.contains(document.activeElement);
    this.older.hidden = !show;
    if (hadFocus) this.el.focus();
    return show;
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
    if (this.empty.firstChild !== this.start.el) this.empty.replaceChildren(this.start.el);
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
