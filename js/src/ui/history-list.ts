import type { Thread } from "../chatkit/types";
import { h } from "../util/dom";
import { activityOf, GROUPS, type GroupKey, groupOf, matches, timeOf } from "./history-groups";

/** A thread's row: the panel renders `el`'s content. */
export interface Row {
  thread: Thread;
  el: HTMLLIElement;
  /** Last activity (ms): rows are sorted by it, newest first, under date headings. */
  time: number;
}

/** One date group: its heading and the list of its rows. */
interface Group {
  el: HTMLElement;
  list: HTMLUListElement;
}

export const UNTITLED = "New chat";

/**
 * History's rows, kept in date groups (Today, Yesterday, Previous 7 days, Older), each a real
 * heading and a list labelled by it, sorted by last activity, and filtered by a search. The
 * headings are not focusable: the panel moves focus between the `visible()` rows.
 */
export class GroupedRows {
  readonly el = h("div", { class: "ckw-history-list" });
  private readonly rows = new Map<string, Row>();
  private readonly groups = new Map<GroupKey, Group>();
  /** Thread ids as the server listed them: the last one still there is the paging cursor. */
  private order: string[] = [];
  private terms: readonly string[] = [];

  /** `idPrefix`: unique in the page, for the headings' ids. */
  constructor(private readonly idPrefix: string) {}

  get size(): number {
    return this.rows.size;
  }

  get(threadId: string): Row | undefined {
    return this.rows.get(threadId);
  }

  values(): IterableIterator<Row> {
    return this.rows.values();
  }

  /** Where the next page starts: after the last thread the server listed that is still here. */
  get cursor(): string | null {
    return this.order.at(-1) ?? null;
  }

  /** Whether a search filters the rows. */
  get searching(): boolean {
    return this.terms.length > 0;
  }

  clear(): void {
    this.rows.clear();
    this.groups.clear();
    this.order = [];
    this.el.replaceChildren();
  }

  /** A row for `thread` (`listed`: from a page of the server, not made here meanwhile). */
  add(thread: Thread, listed: boolean): Row {
    const el = h("li", { class: "ckw-history-row" });
    el.dataset.threadId = thread.id;
    const row = { thread, el, time: timeOf(activityOf(thread)) };
    this.rows.set(thread.id, row);
    if (listed) this.order.push(thread.id);
    this.place(row);
    return row;
  }

  remove(row: Row): void {
    const id = row.thread.id;
    row.el.remove();
    this.rows.delete(id);
    this.order = this.order.filter((listed) => listed !== id);
    this.refreshGroups();
  }

  /** Show only the rows whose title holds every term (none: all rows). */
  filter(terms: readonly string[]): void {
    this.terms = terms;
    for (const row of this.rows.values()) this.filterRow(row);
    this.refreshGroups();
  }

  /** The rows shown (not filtered out), in list order. */
  visible(): Row[] {
    const els = this.el.querySelectorAll<HTMLElement>(".ckw-history-row:not([hidden])");
    return [...els].flatMap((el) => this.rows.get(el.dataset.threadId ?? "") ?? []);
  }

  private filterRow(row: Row): void {
    row.el.hidden = !matches(row.thread.title?.trim() || UNTITLED, this.terms);
  }

  /** A group with nothing to show hides, heading and all. */
  private refreshGroups(): void {
    for (const group of this.groups.values()) {
      group.el.hidden = !group.list.querySelector(".ckw-history-row:not([hidden])");
    }
  }

  /**
   * Put a row under its date heading, after the rows with later activity. Threads are paged
   * by creation, so a page can hold one continued today: it joins Today.
   */
  private place(row: Row): void {
    const group = this.group(groupOf(row.time));
    const timeAt = (el: Element | undefined) =>
      el ? (this.rows.get((el as HTMLElement).dataset.threadId ?? "")?.time ?? 0) : 0;
    const rows = [...group.list.children];
    // Pages mostly arrive newest first: appending is the common case.
    const before =
      rows.length && timeAt(rows.at(-1)) < row.time
        ? (rows.find((el) => timeAt(el) < row.time) ?? null)
        : null;
    group.list.insertBefore(row.el, before);
    this.filterRow(row);
    this.refreshGroups();
  }

  /** The group for `key`, made in date order on first use. */
  private group(key: GroupKey): Group {
    const found = this.groups.get(key);
    if (found) return found;
    const index = GROUPS.findIndex((g) => g.key === key);
    const headingId = `${this.idPrefix}-${key}`;
    const list = h("ul", { class: "ckw-history-group-list", "aria-labelledby": headingId });
    const el = h(
      "div",
      { class: "ckw-history-group" },
      h("h3", { class: "ckw-history-group-heading", id: headingId }, GROUPS[index]?.label ?? key),
      list,
    );
    el.dataset.group = key;
    const next = GROUPS.slice(index + 1)
      .map((g) => this.groups.get(g.key)?.el)
      .find((g) => g !== undefined);
    this.el.insertBefore(el, next ?? null);
    const group = { el, list };
    this.groups.set(key, group);
    return group;
  }
}
