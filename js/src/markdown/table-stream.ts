// A table that is still streaming, rendered row by row (like list-stream.ts for lists).
//
// Each row is rendered once, with the header and delimiter lines above it so its cells get the
// same alignment and column count as in the whole table, and only the last row re-renders
// while it grows. Rows must start with `|`: a line that does not might end the table or join
// it (GFM's rules), so `update` returns false and the caller renders the block whole.

import { markdownToFragment } from "./fragment";

/** A delimiter row: `|:---|---:|`, pipes optional at the ends. */
const DELIMITER_ROW = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const ROW = /^ {0,3}\|/;

interface RenderedRow {
  src: string;
  tr: HTMLTableRowElement;
}

export class TableStream {
  /** The `<table>`: rows are added to its body as they arrive. */
  readonly el: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  /** The header and delimiter lines, rendered above each row. */
  private readonly head: string;
  /** Start of the first line not scanned yet. */
  private scanned: number;
  private readonly done: RenderedRow[] = [];
  private open: RenderedRow | null = null;
  /** A blank line came: the table is over, nothing may follow in this block. */
  private ended = false;
  private broken = false;

  private constructor(head: string, el: HTMLTableElement, body: HTMLTableSectionElement) {
    this.head = head;
    this.scanned = head.length;
    this.el = el;
    this.body = body;
  }

  /** A stream for the open block `src` if it starts as a table (header + delimiter lines). */
  static start(src: string): TableStream | null {
    const first = src.indexOf("\n");
    const second = first === -1 ? -1 : src.indexOf("\n", first + 1);
    if (second === -1) return null;
    const header = src.slice(0, first);
    if (!header.includes("|") || !DELIMITER_ROW.test(src.slice(first + 1, second))) return null;
    const head = src.slice(0, second + 1);
    const table = markdownToFragment(head).firstElementChild;
    if (table?.tagName !== "TABLE" || table.nextElementSibling) return null;
    const el = table as HTMLTableElement;
    // Its own body, attached while it has rows (a table without rows renders none).
    const body = el.tBodies[0] ?? el.ownerDocument.createElement("tbody");
    const stream = new TableStream(head, el, body);
    return stream.update(src, false) ? stream : null;
  }

  /** Show `src`, the open block so far (`final`: all of it); false: render it whole instead. */
  update(src: string, final: boolean): boolean {
    if (this.broken) return false;
    const end = final ? src.length : src.lastIndexOf("\n") + 1;
    const rows: string[] = [];
    let at = this.scanned;
    while (at < end) {
      const newline = src.indexOf("\n", at);
      const lineEnd = newline === -1 || newline >= end ? end : newline;
      const line = src.slice(at, lineEnd);
      if (line.trim() === "") this.ended = true;
      else if (this.ended || !ROW.test(line))
        return this.break(); // the table ended before
      else rows.push(line);
      at = lineEnd + 1;
    }
    this.scanned = Math.max(this.scanned, at);
    const partial = final ? "" : src.slice(this.scanned);
    if (this.open && (rows.length || this.open.src !== partial)) {
      this.open.tr.remove();
      this.open = null;
    }
    for (const row of rows) {
      const tr = this.renderRow(row);
      if (!tr) return this.break();
      this.done.push({ src: row, tr });
      this.body.append(tr);
    }
    const row = ROW.test(partial) && !this.ended;
    // Not a row: wait for the line to end, unless it is indented (then it already is not one).
    if (partial.trim() && !row && (this.ended || /^[ \t]/.test(partial))) return this.break();
    if (!this.open && row) {
      const tr = this.renderRow(partial);
      if (!tr) return this.break();
      this.open = { src: partial, tr };
      this.body.append(tr);
    }
    if (this.body.rows.length && !this.body.parentNode) this.el.append(this.body);
    else if (!this.body.rows.length) this.body.remove();
    return true;
  }

  /** One row, under this table's header: its `<tr>`, or null if it does not render as one. */
  private renderRow(row: string): HTMLTableRowElement | null {
    const table = markdownToFragment(`${this.head}${row}\n`).firstElementChild;
    if (table?.tagName !== "TABLE" || table.nextElementSibling) return null;
    const rows = (table as HTMLTableElement).tBodies[0]?.rows;
    return rows?.length === 1 ? (rows[0] as HTMLTableRowElement) : null;
  }

  private break(): boolean {
    this.broken = true;
    return false;
  }
}
