import type { Page, Thread } from "../chatkit/types";
import { h, setFlag } from "../util/dom";
import { queryTerms } from "./history-groups";
import { GroupedRows, type Row, UNTITLED } from "./history-list";
import { basename, confirmView, renameInput, rowView } from "./history-row";

export { relativeTime } from "./history-groups";

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

export const HISTORY_PAGE_SIZE = 20;
/**
 * A search reads further pages, this many threads at a time, until this many are listed:
 * titles are only known to the client, and a few hundred cover months of use without
 * listing a whole store for one keystroke. Load more searches on past it.
 */
export const SEARCH_PAGE_SIZE = 100;
export const SEARCH_DEPTH = 300;
/** The next page loads this close to the end of the list, before the user reaches it. */
const NEAR_END_PX = 160;

let panelSeq = 0;

/**
 * The conversation list: an overlay over the transcript, paged with `threads.list` as it is
 * scrolled, grouped under Today / Yesterday / Previous 7 days / Older by last activity, with
 * a title search and open, rename and delete per thread. Keyboard: arrows move between
 * threads (the headings are skipped), Escape backs out of a rename or a delete, then clears
 * the search, then closes the panel.
 */
export class HistoryPanel {
  readonly el: HTMLElement;
  readonly id: string;
  private readonly scroller = h("div", { class: "ckw-history-scroll" });
  private readonly rows: GroupedRows;
  private readonly search = h("input", {
    type: "search",
    class: "ckw-history-search",
    "aria-label": "Search conversations",
    placeholder: "Search",
    autocomplete: "off",
    spellcheck: "false",
  });
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
  private hasMore = false;
  private loading = false;
  /** Bumped on every reload: pages asked for before it are dropped. */
  private generation = 0;
  private current: string | null = null;
  private covered: readonly HTMLElement[] = [];
  private returnFocus: HTMLElement | null = null;
  private rowSeq = 0;
  /** Conversations with a reply being written now. */
  private answering: ReadonlySet<string> = new Set();

  constructor(
    private readonly actions: HistoryActions,
    id = `ckw-history-${++panelSeq}`,
  ) {
    this.id = id;
    this.rows = new GroupedRows(`${id}-g`);
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
    this.search.addEventListener("input", () => this.setQuery(this.search.value));
    this.el = h(
      "section",
      { class: "ckw-history", id: this.id, role: "dialog", "aria-label": "History", hidden: true },
      h(
        "div",
        { class: "ckw-history-head" },
        this.heading,
        h("div", { class: "ckw-history-tools" }, this.scopeButton, close),
      ),
      h("div", { class: "ckw-history-find" }, this.search),
      this.scroller,
    );
    this.scroller.append(this.rows.el, this.moreButton, this.status);
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
    // The next open lists everything afresh, as ChatGPT's sidebar does.
    this.search.value = "";
    this.rows.filter([]);
    for (const el of this.covered) el.toggleAttribute("inert", false);
    this.actions.shown(false);
    if (restoreFocus) this.returnFocus?.focus();
  }

  /** The thread the widget shows, and its title as the server last said. */
  setCurrent(threadId: string | null, title: string | null): void {
    this.current = threadId;
    for (const row of this.rows.values()) {
      const button = row.el.querySelector(".ckw-history-open");
      if (row.thread.id === threadId) button?.setAttribute("aria-current", "true");
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

  /** The conversations with a reply being written now: their rows say so. */
  setAnswering(threads: ReadonlySet<string>): void {
    const before = this.answering;
    this.answering = new Set(threads);
    for (const row of this.rows.values()) {
      const changed = before.has(row.thread.id) !== this.answering.has(row.thread.id);
      if (!changed || row.el.dataset.mode !== "view") continue;
      // Redrawn under focus, the row gives it back (else it would fall to the page).
      const focused = row.el.contains(document.activeElement);
      this.renderRow(row);
      if (focused) row.el.querySelector<HTMLElement>(".ckw-history-open")?.focus();
    }
  }

  /** A thread was just created: it goes on top of an open list. */
  threadCreated(threadId: string): void {
    if (!this.isOpen || this.rows.get(threadId)) return;
    const thread = {
      id: threadId,
      created_at: new Date().toISOString(),
      ...(this.notebook === null ? {} : { metadata: { notebook: this.notebook } }),
    };
    this.renderRow(this.rows.add(thread, false));
    this.refreshEmpty();
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

  private loadMore(limit = HISTORY_PAGE_SIZE): Promise<void> {
    if (this.loading || !this.hasMore) return Promise.resolve();
    // The last thread listed that is still there: a deleted one is no longer a valid cursor.
    return this.fetch(this.rows.cursor, limit, false);
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
      if (replace) this.rows.clear();
      for (const thread of page.data) {
        if (typeof thread?.id !== "string" || this.rows.get(thread.id)) continue;
        this.renderRow(this.rows.add(thread, true));
      }
      this.hasMore = page.has_more === true;
      this.loading = false;
      this.refreshEmpty(true);
    } catch (err) {
      if (generation !== this.generation) return;
      this.loading = false;
      this.setStatus(`Could not list conversations: ${errorMessage(err)}`);
    }
    this.renderFooter();
    if (this.el.ownerDocument.activeElement === this.heading) this.focusRow(this.currentRow());
    this.maybeLoadMore();
  }

  /** Load the next page when the end of the list is (nearly) in view, or a search needs it. */
  private maybeLoadMore(): void {
    if (this.rows.searching) {
      // A filtered list is short, so its end is always in view: read on only to the bound.
      if (this.rows.size < SEARCH_DEPTH) void this.loadMore(SEARCH_PAGE_SIZE);
      return;
    }
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    // Not laid out (a hidden view): the Load more button stays the way on.
    if (clientHeight === 0) return;
    if (scrollHeight - scrollTop - clientHeight < NEAR_END_PX) void this.loadMore();
  }

  private renderFooter(): void {
    this.moreButton.hidden = !this.hasMore;
    this.moreButton.textContent = this.loading ? "Loading…" : "Load more";
    this.moreButton.setAttribute("aria-disabled", String(this.loading));
    this.rows.el.setAttribute("aria-busy", String(this.loading));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  /**
   * Say when nothing is listed, or nothing matches the search; `listed`: a listing just
   * ended (it replaces what the status said).
   */
  private refreshEmpty(listed = false): void {
    const filter = this.filter;
    let text = "";
    if (this.rows.size === 0 && !this.loading) {
      text = filter === null ? "No conversations yet." : `None started from ${basename(filter)}.`;
    } else if (this.rows.searching && !this.rows.visible().length) {
      const searching = this.loading || (this.hasMore && this.rows.size < SEARCH_DEPTH);
      const older = this.hasMore ? " Load more to search older ones." : "";
      text = searching
        ? "Searching…"
        : `No conversations match “${this.search.value.trim()}”.${older}`;
    }
    const shown = this.status.textContent ?? "";
    // Messages of their own ("Renamed to …") stay until a listing or the search replaces them.
    if (text || listed || EMPTY_STATUS.test(shown)) this.setStatus(text);
  }

  /** Filter the rows to a search as it is typed; further pages are read as needed. */
  private setQuery(query: string): void {
    this.rows.filter(queryTerms(query));
    this.refreshEmpty();
    this.maybeLoadMore();
  }

  /** A row as it normally looks: open button (title, age), Rename and Delete. */
  private renderRow(row: Row): void {
    const titleId = `${this.id}-t${++this.rowSeq}`;
    const { thread } = row;
    const answering = this.answering.has(thread.id);
    const view = rowView(
      thread,
      titleId,
      thread.id === this.current,
      this.filter === null,
      answering,
    );
    setFlag(row.el, "data-answering", answering);
    view.open.addEventListener("click", () => this.actions.open(thread.id));
    view.rename.addEventListener("click", () => this.startRename(row));
    view.remove.addEventListener("click", () => this.confirmDelete(row));
    row.el.dataset.mode = "view";
    row.el.replaceChildren(view.open, view.actions);
  }

  private startRename(row: Row): void {
    const before = row.thread.title?.trim() ?? "";
    const input = renameInput(before);
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
    const { el, cancel, confirm } = confirmView(title, `${this.id}-q${++this.rowSeq}`);
    cancel.addEventListener("click", () => {
      this.renderRow(row);
      this.focusRow(row, "delete");
    });
    confirm.addEventListener("click", () => void this.remove(row));
    row.el.dataset.mode = "confirm";
    row.el.replaceChildren(el);
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
    const shown = this.rows.visible();
    const at = shown.indexOf(row);
    const nextRow = shown[at + 1] ?? shown[at - 1];
    this.rows.remove(row);
    this.setStatus(`Deleted “${title}”.`);
    this.actions.deleted(id);
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
      } else if (this.search.value !== "") {
        // The search box's own Escape would clear it too, but only with focus in it.
        this.search.value = "";
        this.setQuery("");
      } else this.close();
      return;
    }
    if (target === this.search) {
      // Down into the results; Enter opens the first, as in a command palette.
      const first = this.rows.visible()[0];
      if (event.key === "ArrowDown" && first) {
        event.preventDefault();
        this.focusRow(first);
      } else if (event.key === "Enter" && first && this.rows.searching) {
        event.preventDefault();
        this.actions.open(first.thread.id);
      }
      return;
    }
    if (!target.classList.contains("ckw-history-open")) return;
    const buttons = this.rows
      .visible()
      .flatMap((row) => row.el.querySelector<HTMLElement>(".ckw-history-open") ?? []);
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
    if (current && !current.el.hidden) return current;
    return this.rows.visible()[0];
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

/** Status texts that describe the list itself: a listing or a search replaces them. */
const EMPTY_STATUS = /^(No conversations|None started|Searching…$)/;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
