import type { Page, Thread } from "../chatkit/types";
import { h } from "../util/dom";

/** What the panel needs from the session and the widget. */
export interface HistoryActions {
  /**
   * A page of threads, newest first, after the thread `after` (null: from the newest); with
   * `notebook`, only those started from it.
   */
  list(after: string | null, limit: number, notebook: string | null): Promise<Page<Thread>>;
  rename(threadId: string, title: string): Promise<void>;
  remove(threadId: string): Promise<void>;
  /** Show this thread (the panel closes itself). */
  open(threadId: string): void;
  /** A thread is gone (when it was the open one, the widget shows a new chat). */
  deleted(threadId: string): void;
  /** The panel opened or closed (the History button says so). */
  shown(open: boolean): void;
}

/** Where the panel goes: below `below`, over `covered` (inert meanwhile). */
export interface HistoryPlacement {
  below: HTMLElement;
  covered: readonly HTMLElement[];
  /** Focus goes back here when the panel closes. */
  returnFocus: HTMLElement | null;
}

interface Row {
  thread: Thread;
  el: HTMLLIElement;
}

export const HISTORY_PAGE_SIZE = 20;
/** The next page loads this close to the end of the list, before the user reaches it. */
const NEAR_END_PX = 160;
const UNTITLED = "New chat";

let panelSeq = 0;

/**
 * The conversation list: an overlay over the transcript, paged with `threads.list` as it is
 * scrolled, with open, rename and delete per thread. Keyboard: arrows move between threads,
 * Escape backs out of a rename or a delete, then closes the panel.
 */
export class HistoryPanel {
  readonly el: HTMLElement;
  readonly id = `ckw-history-${++panelSeq}`;
  private readonly scroller = h("div", { class: "ckw-history-scroll" });
  private readonly list = h("ul", { class: "ckw-history-list", "aria-label": "Conversations" });
  private readonly heading = h("div", { class: "ckw-history-heading", tabindex: "-1" }, "History");
  private readonly status = h("div", { class: "ckw-history-status", role: "status" });
  private readonly moreButton = h(
    "button",
    { type: "button", class: "ckw-button ckw-history-more", hidden: true },
    "Load more",
  );
  /** "This notebook": only the conversations started from the notebook the user is in. */
  private readonly scopeButton = h(
    "button",
    {
      type: "button",
      class: "ckw-button ckw-history-scope",
      "aria-pressed": "false",
      hidden: true,
    },
    "This notebook",
  );
  private notebook: string | null = null;
  private onlyNotebook = false;
  private readonly rows = new Map<string, Row>();
  private hasMore = false;
  private loading = false;
  /** Bumped on every reload: pages asked for before it are dropped. */
  private generation = 0;
  private current: string | null = null;
  private covered: readonly HTMLElement[] = [];
  private returnFocus: HTMLElement | null = null;
  private rowSeq = 0;

  constructor(private readonly actions: HistoryActions) {
    const close = h(
      "button",
      { type: "button", class: "ckw-icon-button", "aria-label": "Close history", title: "Close" },
      "✕",
    );
    close.addEventListener("click", () => this.close());
    this.scopeButton.addEventListener("click", () => {
      this.onlyNotebook = !this.onlyNotebook;
      this.scopeButton.setAttribute("aria-pressed", String(this.onlyNotebook));
      void this.reload(HISTORY_PAGE_SIZE);
    });
    this.el = h(
      "section",
      { class: "ckw-history", id: this.id, role: "dialog", "aria-label": "History", hidden: true },
      h(
        "div",
        { class: "ckw-history-head" },
        this.heading,
        h("div", { class: "ckw-history-tools" }, this.scopeButton, close),
      ),
      this.scroller,
    );
    this.scroller.append(this.list, this.moreButton, this.status);
    this.scroller.addEventListener("scroll", () => this.maybeLoadMore(), { passive: true });
    this.moreButton.addEventListener("click", () => void this.loadMore());
    this.el.addEventListener("keydown", (event) => this.onKeydown(event));
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** Show the panel and list threads from the newest; focus moves into it. */
  open({ below, covered, returnFocus }: HistoryPlacement): void {
    this.covered = covered;
    this.returnFocus = returnFocus;
    for (const el of covered) el.toggleAttribute("inert", true);
    this.el.style.top = `${below.offsetTop + below.offsetHeight}px`;
    this.el.hidden = false;
    this.actions.shown(true);
    this.heading.focus();
    void this.reload();
  }

  /** Hide the panel; `restoreFocus`: put focus back where it was before opening. */
  close(restoreFocus = true): void {
    if (!this.isOpen) return;
    this.el.hidden = true;
    this.generation++;
    this.loading = false;
    for (const el of this.covered) el.toggleAttribute("inert", false);
    this.actions.shown(false);
    if (restoreFocus) this.returnFocus?.focus();
  }

  /** The thread the widget shows, and its title as the server last said. */
  setCurrent(threadId: string | null, title: string | null): void {
    this.current = threadId;
    for (const [id, row] of this.rows) {
      const button = row.el.querySelector(".ckw-history-open");
      if (id === threadId) button?.setAttribute("aria-current", "true");
      else button?.removeAttribute("aria-current");
    }
    const row = threadId === null ? undefined : this.rows.get(threadId);
    if (row && title !== null && title !== (row.thread.title ?? null)) {
      row.thread = { ...row.thread, title };
      // A rename or delete in progress on it keeps going; the row shows the title after.
      if (row.el.dataset.mode === "view") this.renderRow(row);
    }
  }

  /**
   * The notebook the user is in (null: none, or a backend that cannot list by notebook): the
   * "This notebook" filter follows it.
   */
  setNotebook(path: string | null): void {
    if (path === this.notebook) return;
    this.notebook = path;
    this.scopeButton.hidden = path === null;
    this.scopeButton.title = path === null ? "" : `Only conversations started from ${path}`;
    if (this.isOpen && this.onlyNotebook) void this.reload(HISTORY_PAGE_SIZE);
  }

  /** A thread was just created: it goes on top of an open list. */
  threadCreated(threadId: string): void {
    if (!this.isOpen || this.rows.has(threadId)) return;
    const row = this.createRow({
      id: threadId,
      created_at: new Date().toISOString(),
      ...(this.notebook === null ? {} : { metadata: { notebook: this.notebook } }),
    });
    this.list.prepend(row.el);
  }

  dispose(): void {
    this.close(false);
  }

  /**
   * List again from the newest thread (titles, new and deleted threads may have changed
   * while closed), as deep as the user had scrolled, in one request: the thread they came
   * from is still listed.
   */
  private reload(depth = this.rows.size): Promise<void> {
    this.generation++;
    this.loading = false;
    return this.fetch(null, Math.max(HISTORY_PAGE_SIZE, depth), true);
  }

  /** The notebook the list is filtered to, if it is. */
  private get filter(): string | null {
    return this.onlyNotebook ? this.notebook : null;
  }

  private loadMore(): Promise<void> {
    if (this.loading || !this.hasMore) return Promise.resolve();
    // The last row listed is the cursor: a deleted one would no longer be a valid cursor.
    const last = this.list.lastElementChild as HTMLElement | null;
    return this.fetch(last?.dataset.threadId ?? null, HISTORY_PAGE_SIZE, false);
  }

  /** Fetch a page and add its rows (`replace`: instead of those listed). */
  private async fetch(after: string | null, limit: number, replace: boolean): Promise<void> {
    if (!this.isOpen) return;
    const generation = this.generation;
    this.loading = true;
    this.renderFooter();
    try {
      const filter = this.filter;
      const page = await this.actions.list(after, limit, filter);
      if (generation !== this.generation) return;
      if (replace) {
        this.rows.clear();
        this.list.replaceChildren();
      }
      for (const thread of page.data) {
        if (typeof thread?.id !== "string" || this.rows.has(thread.id)) continue;
        this.list.append(this.createRow(thread).el);
      }
      this.hasMore = page.has_more === true;
      this.loading = false;
      const none =
        filter === null ? "No conversations yet." : `None started from ${basename(filter)}.`;
      this.setStatus(this.rows.size === 0 ? none : "");
    } catch (err) {
      if (generation !== this.generation) return;
      this.loading = false;
      this.setStatus(`Could not list conversations: ${errorMessage(err)}`);
    }
    this.renderFooter();
    if (this.el.ownerDocument.activeElement === this.heading) this.focusRow(this.currentRow());
    this.maybeLoadMore();
  }

  /** Load the next page when the end of the list is (nearly) in view. */
  private maybeLoadMore(): void {
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    // Not laid out (a hidden view): the Load more button stays the way on.
    if (clientHeight === 0) return;
    if (scrollHeight - scrollTop - clientHeight < NEAR_END_PX) void this.loadMore();
  }

  private renderFooter(): void {
    this.moreButton.hidden = !this.hasMore;
    this.moreButton.textContent = this.loading ? "Loading…" : "Load more";
    this.moreButton.setAttribute("aria-disabled", String(this.loading));
    this.list.setAttribute("aria-busy", String(this.loading));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  private createRow(thread: Thread): Row {
    const el = h("li", { class: "ckw-history-row" });
    el.dataset.threadId = thread.id;
    const row = { thread, el };
    this.rows.set(thread.id, row);
    this.renderRow(row);
    return row;
  }

  /** A row as it normally looks: open button (title, age), Rename and Delete. */
  private renderRow(row: Row): void {
    const { thread } = row;
    const title = thread.title?.trim() || UNTITLED;
    const notebook = thread.metadata?.notebook;
    const titleId = `${this.id}-t${++this.rowSeq}`;
    const time = h(
      "time",
      { class: "ckw-history-time", datetime: thread.created_at },
      relativeTime(thread.created_at),
    );
    // Where it started goes on a second line with the time (narrow sidebars keep the whole
    // width for the title), unless the list shows only that notebook's conversations.
    const meta =
      notebook && this.filter === null
        ? h(
            "span",
            { class: "ckw-history-meta" },
            h("span", { class: "ckw-history-notebook", title: notebook }, basename(notebook)),
            time,
          )
        : null;
    const titleEl = h("span", { class: "ckw-history-title", id: titleId }, title);
    const open = h(
      "button",
      {
        type: "button",
        class: "ckw-history-open",
        "aria-current": thread.id === this.current ? "true" : undefined,
      },
      ...(meta ? [h("span", { class: "ckw-history-main" }, titleEl, meta)] : [titleEl, time]),
    );
    const rename = iconButton("Rename", PENCIL, titleId);
    const remove = iconButton("Delete", TRASH, titleId);
    open.addEventListener("click", () => {
      this.actions.open(thread.id);
    });
    rename.addEventListener("click", () => this.startRename(row));
    remove.addEventListener("click", () => this.confirmDelete(row));
    row.el.dataset.mode = "view";
    row.el.replaceChildren(open, h("div", { class: "ckw-history-actions" }, rename, remove));
  }

  private startRename(row: Row): void {
    const before = row.thread.title?.trim() ?? "";
    const input = h("input", {
      type: "text",
      class: "ckw-history-input",
      "aria-label": "Conversation title",
      maxlength: "200",
    });
    input.value = before;
    let finished = false;
    // `refocus`: the keyboard ended it (Enter, Escape); a blur leaves focus where it went.
    const finish = (save: boolean, refocus: boolean) => {
      if (finished) return;
      finished = true;
      const title = input.value.trim();
      if (save && title && title !== before) void this.rename(row, title);
      else this.renderRow(row);
      if (refocus) this.focusRow(row, save ? "open" : "rename");
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        finish(true, true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation(); // cancels the rename, not the panel
        finish(false, true);
      }
    });
    input.addEventListener("blur", () => finish(true, false));
    row.el.dataset.mode = "rename";
    row.el.replaceChildren(input);
    input.focus();
    input.select();
  }

  private async rename(row: Row, title: string): Promise<void> {
    const previous = row.thread;
    row.thread = { ...previous, title }; // shown at once, put back if the server refuses
    this.renderRow(row);
    try {
      await this.actions.rename(previous.id, title);
      this.setStatus(`Renamed to “${title}”.`);
    } catch (err) {
      row.thread = previous;
      if (row.el.dataset.mode === "view") this.renderRow(row);
      this.setStatus(`Could not rename: ${errorMessage(err)}`);
    }
  }

  private confirmDelete(row: Row): void {
    const title = row.thread.title?.trim() || UNTITLED;
    const questionId = `${this.id}-q${++this.rowSeq}`;
    const cancel = h("button", { type: "button", class: "ckw-button" }, "Cancel");
    const confirm = h(
      "button",
      { type: "button", class: "ckw-button ckw-danger-button", "aria-describedby": questionId },
      "Yes, delete",
    );
    const back = () => {
      this.renderRow(row);
      this.focusRow(row, "delete");
    };
    cancel.addEventListener("click", back);
    confirm.addEventListener("click", () => void this.remove(row));
    row.el.dataset.mode = "confirm";
    row.el.replaceChildren(
      h(
        "div",
        { class: "ckw-history-confirm", role: "group", "aria-labelledby": questionId },
        h("span", { class: "ckw-history-question", id: questionId }, `Delete “${title}”?`),
        cancel,
        confirm,
      ),
    );
    // Nothing is lost by a stray Enter: the safe choice has the focus.
    cancel.focus();
  }

  private async remove(row: Row): Promise<void> {
    const { id } = row.thread;
    const title = row.thread.title?.trim() || UNTITLED;
    try {
      await this.actions.remove(id);
    } catch (err) {
      this.renderRow(row);
      this.focusRow(row, "delete");
      this.setStatus(`Could not delete: ${errorMessage(err)}`);
      return;
    }
    const next = (row.el.nextElementSibling ?? row.el.previousElementSibling) as HTMLElement | null;
    row.el.remove();
    this.rows.delete(id);
    this.setStatus(`Deleted “${title}”.`);
    this.actions.deleted(id);
    const nextRow = next?.dataset.threadId ? this.rows.get(next.dataset.threadId) : undefined;
    if (nextRow) this.focusRow(nextRow);
    else this.heading.focus();
    this.maybeLoadMore();
  }

  private onKeydown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (event.key === "Escape") {
      event.preventDefault();
      // Escape backs out one step: first out of a delete confirmation, then out of the panel.
      const row = this.rowOf(target);
      if (row?.el.dataset.mode === "confirm") {
        this.renderRow(row);
        this.focusRow(row, "delete");
      } else this.close();
      return;
    }
    if (!target.classList.contains("ckw-history-open")) return;
    const buttons = [...this.list.querySelectorAll<HTMLElement>(".ckw-history-open")];
    const index = buttons.indexOf(target);
    const to =
      event.key === "ArrowDown"
        ? index + 1
        : event.key === "ArrowUp"
          ? index - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? buttons.length - 1
              : null;
    if (to === null) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(to, buttons.length - 1))]?.focus();
    if (event.key === "ArrowDown" || event.key === "End") this.maybeLoadMore();
  }

  private rowOf(el: HTMLElement): Row | undefined {
    const li = el.closest<HTMLElement>(".ckw-history-row");
    return li?.dataset.threadId ? this.rows.get(li.dataset.threadId) : undefined;
  }

  private currentRow(): Row | undefined {
    const current = this.current === null ? undefined : this.rows.get(this.current);
    if (current) return current;
    const first = this.list.firstElementChild as HTMLElement | null;
    return first?.dataset.threadId ? this.rows.get(first.dataset.threadId) : undefined;
  }

  private focusRow(row: Row | undefined, part: "open" | "rename" | "delete" = "open"): void {
    if (!row) return;
    const selector =
      part === "open"
        ? ".ckw-history-open"
        : `button[aria-label="${part === "rename" ? "Rename" : "Delete"}"]`;
    row.el.querySelector<HTMLElement>(selector)?.focus();
  }
}

// SVG paths (16x16), not emoji: emoji fonts are missing on many Linux machines.
const PENCIL = "M10.5 2.5l3 3L6 13H3v-3l7.5-7.5z";
const TRASH = "M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9";

function iconButton(label: string, path: string, describedBy: string): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: "ckw-icon-button",
      "aria-label": label,
      "aria-describedby": describedBy,
      title: label,
    },
    strokeIcon(path),
  );
}

function strokeIcon(d: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  for (const [name, value] of Object.entries({
    d,
    fill: "none",
    stroke: "currentColor",
    "stroke-width": "1.4",
    "stroke-linecap": "round",
    "stroke-linejoin": "round",
  })) {
    path.setAttribute(name, value);
  }
  svg.append(path);
  return svg;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "just now", "5 min ago", "3 h ago" (today), "yesterday", else a short date. */
export function relativeTime(iso: string | undefined, now = new Date()): string {
  const time = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(time)) return "";
  const ago = now.getTime() - time;
  if (ago < MINUTE) return "just now"; // a clock slightly ahead of this one too
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (time >= midnight) return `${Math.floor(ago / HOUR)} h ago`;
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime();
  if (time >= yesterday) return "yesterday";
  const date = new Date(time);
  return date.toLocaleDateString(undefined, {
    month: "short",
    day: "numeric",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
}

/** A path's last part: "analysis.ipynb" for "work/analysis.ipynb". */
function basename(path: string): string {
  return path.split("/").pop() || path;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
