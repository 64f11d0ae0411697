import type { ThreadState } from "../state/thread-state";
import type { StateChange } from "../state/types";
import { h, setFlag } from "../util/dom";
import { strokeIcon } from "./icons";
import { createItemView } from "./items";
import type { ItemView, RowContext } from "./items/types";
import { ScrollIntent } from "./scroll-intent";
import { StartScreen, type StartScreenContent } from "./start-screen";

/** What the transcript asks of the rest of the widget (beyond what rows need). */
export interface TranscriptHooks {
  /** The user reached the top of a thread that has older items. */
  loadOlder(): void;
  /** A starter prompt was picked. */
  sendPrompt(prompt: string): void;
  /** The start screen's "Continue: <title>" was picked. */
  resume?(threadId: string): void;
  /** "Jump to latest" was pressed (it hides at the bottom: focus goes on from it). */
  jumped?(): void;
}

/**
 * How the view moves as rows change: `bottom` follows the end; `turn` keeps the last user
 * message at the top while its reply grows below it (as ChatGPT does after Send); `free` stays
 * where the user scrolled; `item` keeps one message in view (a version switch swaps what is
 * around it).
 */
type Follow = "bottom" | "turn" | "free" | "item";

interface Row {
  type: string;
  view: ItemView | null;
}

const PIN_SLACK_PX = 32;
/** Older items start loading this close to the top, before the user hits it. */
const NEAR_TOP_PX = 120;
/** Room left above a sent message held at the top. */
const TURN_MARGIN_PX = 12;

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
  /** The scrolling box; `el` wraps it with the "Jump to latest" button over it. */
  private readonly scroller: HTMLDivElement;
  /** Room after the last row, so a sent message can reach the top while its reply is short. */
  private readonly tail = h("div", { class: "ckw-tail", "aria-hidden": "true" });
  private readonly jumpButton = h(
    "button",
    {
      type: "button",
      class: "ckw-jump",
      "aria-label": "Jump to latest",
      title: "Jump to latest",
      hidden: true,
    },
    strokeIcon(["M8 3v10M3.5 8.5L8 13l4.5-4.5"], 1.8),
  );
  private follow: Follow = "bottom";
  /**
   * The last message row (`data-last-message`), and whether the log ends with a streaming reply
   * (`data-streaming-end`): what the styles need of the rows' order, set here rather than asked
   * of the browser with `:has()`. With `:has()` every node a streaming reply added made the
   * browser re-check the whole log against the rules behind it (style invalidation walked every
   * element of every row each frame: ~1 ms a frame at the end of a 10,000-token reply).
   */
  private lastMessage: Element | null = null;
  private streamingEnd = false;
  /** The message `item` keeps in view. */
  private revealId: string | null = null;
  /** A turn was sent in this view of the thread: the tail keeps room for it. */
  private turnSent = false;
  /** Where this view last scrolled itself: a scroll event there is not the user's. */
  private ownScrollTop = -1;
  /** The content height when this view last placed itself. */
  private placedHeight = -1;
  private readonly intent: ScrollIntent;
  private readonly onScroll = () => {
    const box = this.scroller;
    const fromBottom = box.scrollHeight - box.scrollTop - box.clientHeight;
    if (Math.abs(box.scrollTop - this.ownScrollTop) > 1) {
      // Content resized since this view last placed itself, and no gesture: the browser moved
      // the view (a clamp, scroll anchoring). Put it back where it follows. Anything else (a
      // gesture, focus, find in page, a screen reader) is the user's.
      const browsers = !this.intent.active && box.scrollHeight !== this.placedHeight;
      if (!browsers) this.follow = fromBottom < PIN_SLACK_PX ? "bottom" : "free";
      else if (this.follow !== "free") this.schedule();
    }
    this.jumpButton.hidden = fromBottom < PIN_SLACK_PX;
    if (box.scrollTop < NEAR_TOP_PX) this.requestOlder();
  };
  // Rows grow after the frame that placed them (content-visibility sizes off-screen rows by
  // estimate; fonts, math and a reply's toolbar arrive later): the view follows as it should.
  private readonly resizes =
    typeof ResizeObserver === "function" ? new ResizeObserver(() => this.place()) : null;

  constructor(
    private readonly state: ThreadState,
    private readonly ctx: RowContext,
    private readonly hooks: TranscriptHooks,
    /** Shown after the last row (the working indicator: where the reply will appear). */
    footer?: HTMLElement,
  ) {
    this.start = new StartScreen({
      prompt: (prompt) => hooks.sendPrompt(prompt),
      resume: (threadId) => hooks.resume?.(threadId),
    });
    // tabindex -1: focus can land here (not in the tab order) when a focused control goes.
    this.scroller = h(
      "div",
      { class: "ckw-scroll", tabindex: "-1" },
      this.empty,
      this.older,
      this.log,
      ...(footer ? [footer] : []),
      this.tail,
    );
    this.el = h("div", { class: "ckw-transcript" }, this.scroller, this.jumpButton);
    this.intent = new ScrollIntent(this.scroller);
    this.scroller.addEventListener("scroll", this.onScroll, { passive: true });
    this.resizes?.observe(this.log);
    this.resizes?.observe(this.scroller);
    this.olderButton.addEventListener("click", () => this.requestOlder());
    this.jumpButton.addEventListener("click", () => {
      this.pinToBottom();
      this.place();
      hooks.jumped?.();
    });
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

  /** Follow the end again (a decision on a tool call: what it does shows there). */
  pinToBottom(): void {
    this.follow = "bottom";
    this.schedule();
  }

  /** Keep message `itemId` at the top of the view while what surrounds it changes. */
  reveal(itemId: string): void {
    this.follow = "item";
    this.revealId = itemId;
    this.turnSent = false;
    this.schedule();
  }

  /** The user sent a message: it goes to the top, and its reply grows below it. */
  followTurn(): void {
    this.follow = "turn";
    this.turnSent = true;
    this.schedule();
  }

  dispose(): void {
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.unsubscribe();
    this.scroller.removeEventListener("scroll", this.onScroll);
    this.intent.dispose();
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
      this.follow = "bottom";
      this.turnSent = false;
    }
    // Rows put above the ones being read must not move them: keep the distance from the bottom.
    const box = this.scroller;
    const keep = this.orderDirty && this.follow === "free";
    const firstRow = keep ? this.log.firstElementChild : null;
    const fromBottom = keep ? box.scrollHeight - box.scrollTop : 0;
    if (this.orderDirty) this.reconcile();
    const behind: string[] = [];
    for (const id of this.dirty) {
      const item = this.state.item(id);
      const row = this.rows.get(id);
      if (item && row?.view) {
        row.view.update(item, this.state.meta(id));
        if (row.view.behind?.()) behind.push(id);
      }
    }
    this.dirty.clear();
    // A view that ran out of this frame's budget shows the rest in the next one.
    for (const id of behind) this.dirty.add(id);
    if (behind.length) this.schedule();
    this.markEnd();
    const olderShown = this.renderOlder();
    if (keep && (this.log.firstElementChild !== firstRow || olderShown !== null)) {
      this.scrollTo(box.scrollHeight - fromBottom);
    }
    this.place();
    // A page that does not fill the view cannot be scrolled up: page on until it does.
    if (box.clientHeight > 0 && box.scrollTop < NEAR_TOP_PX) this.requestOlder();
  }

  /** Marks the last message row, and the log when it ends with a reply still streaming. */
  private markEnd(): void {
    let last: Element | null = this.log.lastElementChild;
    const streaming = last?.matches(STREAMING_ROW) ?? false;
    if (streaming !== this.streamingEnd) setFlag(this.log, "data-streaming-end", streaming);
    this.streamingEnd = streaming;
    while (last && !last.matches(MESSAGE_ROW)) last = last.previousElementSibling;
    if (last === this.lastMessage) return;
    this.lastMessage?.removeAttribute("data-last-message");
    last?.setAttribute("data-last-message", "true");
    this.lastMessage = last;
  }

  /** Size the tail and scroll as `follow` says; show "Jump to latest" when not at the end. */
  private place(): void {
    const box = this.scroller;
    const anchor = this.turnSent ? lastUserRow(this.log) : null;
    const top = anchor ? Math.max(0, anchor.offsetTop - TURN_MARGIN_PX) : 0;
    // Only as much room as lets the sent message reach the top: it shrinks as the reply grows.
    const room = anchor ? Math.max(0, top + box.clientHeight - this.tail.offsetTop) : 0;
    const height = `${Math.round(room)}px`;
    if (this.tail.style.height !== height) this.tail.style.height = height;
    if (this.follow === "bottom") this.scrollTo(box.scrollHeight);
    else if (this.follow === "turn" && anchor) this.scrollTo(top);
    else if (this.follow === "item") {
      const row = this.revealId === null ? null : this.rows.get(this.revealId)?.view?.el;
      if (row) this.scrollTo(Math.max(0, row.offsetTop - TURN_MARGIN_PX));
    }
    this.placedHeight = box.scrollHeight;
    this.jumpButton.hidden = this.placedHeight - box.scrollTop - box.clientHeight < PIN_SLACK_PX;
  }

  private scrollTo(top: number): void {
    this.scroller.scrollTop = top;
    this.ownScrollTop = this.scroller.scrollTop;
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
    if (hadFocus) this.scroller.focus();
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

/** Rows of messages: the last one offers retry, the others' toolbars show on hover. */
const MESSAGE_ROW = ".ckw-user, .ckw-assistant";
/** A reply at the end of the log that shows its own progress: the working line hides for it. */
const STREAMING_ROW = ':is(.ckw-assistant, .ckw-workflow)[data-streaming="true"]';

/** The last user message's row: a sent turn starts there. */
function lastUserRow(log: HTMLElement): HTMLElement | null {
  const rows = log.querySelectorAll<HTMLElement>(":scope > .ckw-user");
  return rows[rows.length - 1] ?? null;
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
