// A top-level list that is still streaming, rendered item by item.
//
// A reply that is one long list stays one open block (the block splitter cannot settle inside
// a list), so rendering the whole block per frame costs more with every item. Here each item
// is rendered once when the next one starts, and a frame re-renders only the last item, so a
// delta costs the same at item 500 as at item 5.
//
// Items are split where a line at indentation 0 starts with the list's own marker. Anything
// that could make a whole-text render differ from the item-by-item one (another kind of marker,
// a thematic break, a line that interrupts the list, lazy continuation after a fence) makes
// `update` return false, and the caller renders the block as a whole from then on.

import { markdownToFragment } from "./fragment";

/** A list marker at indentation 0, and the spaces after it. */
const ITEM = /^(?:([-*+])|(\d{1,9})([.)]))([ \t]*)(.?)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
/** Any list marker, after up to 3 spaces. */
const ANY_MARKER = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
/** A lazy continuation line that can only be paragraph text. */
const PLAIN_TEXT = /^ {0,3}[\p{L}\p{N}]/u;
const FENCE = /^[ \t]*(?:```|~~~)/;

interface Marker {
  /** "-", "*", "+", or the delimiter of an ordered marker: "." or ")". */
  kind: string;
  ordered: boolean;
  /** Width of the marker and the spaces after it: where the item's content starts. */
  contentIndent: number;
}

/** The marker starting `line` if it is a whole list item line; null otherwise. */
function itemMarker(line: string): Marker | null {
  const match = ITEM.exec(line);
  if (!match) return null;
  const [, bullet, digits, delimiter, spaces = "", next = ""] = match;
  if (!spaces && next) return null; // "-x", "1.x": no marker
  if (bullet && THEMATIC_BREAK.test(line)) return null;
  const width = bullet ? 1 : (digits?.length ?? 0) + 1;
  const gap = columns(spaces, width);
  const contentIndent = !next || gap > 4 ? width + 1 : width + gap;
  return { kind: bullet ?? delimiter ?? "", ordered: !bullet, contentIndent };
}

/**
 * Whether an unfinished line at indentation 0 is certainly an item of `kind`: it cannot still
 * become a thematic break ("- -" may become "- - -") or anything else.
 */
function certainItem(partial: string, kind: string): boolean {
  const match = ITEM.exec(partial);
  if (!match) return false;
  const [, bullet, , delimiter, spaces = "", next = ""] = match;
  return (bullet ?? delimiter) === kind && spaces !== "" && next !== "" && next !== bullet;
}

/** Columns `whitespace` spans when it starts at column `from` (tabs stop every 4). */
function columns(whitespace: string, from = 0): number {
  let column = from;
  for (const ch of whitespace) column = ch === "\t" ? column + 4 - (column % 4) : column + 1;
  return column - from;
}

function indentOf(line: string): number {
  return columns(/^[ \t]*/.exec(line)?.[0] ?? "");
}

interface RenderedItem {
  src: string;
  li: HTMLLIElement;
  /** Rendered as an item of a loose list (its paragraphs in `<p>`). */
  loose: boolean;
}

export class ListStream {
  /** The list element: items are added to it as they settle. */
  readonly el: HTMLElement;
  private readonly marker: Marker;
  /** Offsets where items start; every item but the last has ended. */
  private readonly starts: number[] = [0];
  /** Start of the first line not scanned yet. */
  private scanned = 0;
  private contentIndent: number;
  private previousBlank = false;
  private fenceInItem = false;
  private loose = false;
  /** Every item in `done` is rendered loose (set once the list turned loose). */
  private doneLoose = false;
  private broken = false;
  /** Rendered items that ended, in order. */
  private readonly done: RenderedItem[] = [];
  /** The open item's rendering (the last item, and the next one while it is tentative). */
  private open: RenderedItem[] = [];

  private constructor(marker: Marker, el: HTMLElement) {
    this.marker = marker;
    this.contentIndent = marker.contentIndent;
    this.el = el;
  }

  /**
   * A stream for the open block `src` if it starts as a list whose first item is certain,
   * rendered so far; null when it does not (or cannot be streamed item by item).
   */
  static start(src: string): ListStream | null {
    const newline = src.indexOf("\n");
    const first = newline === -1 ? src : src.slice(0, newline);
    const marker = itemMarker(first);
    if (!marker || (newline === -1 && !certainItem(first, marker.kind))) return null;
    const fragment = markdownToFragment(`${first}\n`);
    const list = fragment.firstElementChild;
    if (!list || (list.tagName !== "UL" && list.tagName !== "OL")) return null;
    const stream = new ListStream(marker, list.cloneNode(false) as HTMLElement);
    return stream.update(src, false) ? stream : null;
  }

  /**
   * Show `src`, the open block's text so far (`final`: all of it). Returns false when the block
   * can no longer be rendered item by item; the caller then renders it as a whole.
   */
  update(src: string, final: boolean): boolean {
    if (this.broken) return false;
    const end = final ? src.length : src.lastIndexOf("\n") + 1;
    while (this.scanned < end) {
      const newline = src.indexOf("\n", this.scanned);
      const lineEnd = newline === -1 || newline >= end ? end : newline;
      if (!this.line(src.slice(this.scanned, lineEnd), this.scanned)) {
        this.broken = true;
        return false;
      }
      this.scanned = lineEnd + 1;
    }
    // The unfinished line: shown if it is certainly an item or indented item content.
    let openEnd = Math.min(this.scanned, src.length);
    let tentative = -1;
    const partial = src.slice(this.scanned);
    if (!final && partial) {
      if (indentOf(partial) > 0) openEnd = src.length;
      else if (certainItem(partial, this.marker.kind)) tentative = this.scanned;
    }
    // Only the items not rendered for good yet (usually one or two): the cost stays flat.
    const first = this.done.length;
    const starts = this.starts.slice(first);
    const ends = [...this.starts.slice(first + 1), openEnd];
    if (tentative !== -1) {
      starts.push(tentative);
      ends.push(src.length);
    }
    return this.show(src, first, starts, ends);
  }

  /** Scans one whole line; false when the list cannot stay item by item. */
  private line(line: string, at: number): boolean {
    if (line.trim() === "") {
      this.previousBlank = true;
      return true;
    }
    const indent = indentOf(line);
    const blankBefore = this.previousBlank;
    this.previousBlank = false;
    if (indent >= this.contentIndent) {
      if (FENCE.test(line)) this.fenceInItem = true;
      return true;
    }
    if (indent === 0) {
      const marker = itemMarker(line);
      if (marker && marker.kind === this.marker.kind) {
        if (blankBefore) this.loose = true;
        if (at > 0) this.starts.push(at);
        this.contentIndent = marker.contentIndent;
        this.fenceInItem = false;
        return true;
      }
    }
    // Lazy continuation of the item's paragraph, if nothing else it could be.
    return !blankBefore && !this.fenceInItem && PLAIN_TEXT.test(line) && !ANY_MARKER.test(line);
  }

  /** Renders items `first`, `first + 1`, ... starting and ending at `starts` and `ends`. */
  private show(src: string, first: number, starts: number[], ends: number[]): boolean {
    const settled = this.starts.length - 1;
    const previousOpen = [...this.open];
    let open: RenderedItem[] = [];
    let looseBefore: boolean;
    do {
      looseBefore = this.loose;
      if (this.loose && !this.doneLoose) {
        // The list turned loose (a blank line between items): every item gets paragraphs.
        for (let k = 0; k < this.done.length; k++) {
          const item = this.done[k] as RenderedItem;
          if (item.loose) continue;
          const again = this.renderItem(item.src);
          if (!again) return this.break();
          if (item.li.parentNode === this.el) item.li.replaceWith(again.li);
          this.done[k] = again;
        }
        this.doneLoose = true;
      }
      previousOpen.push(...open); // a second pass: the first one's items may be stale now
      open = [];
      for (let k = this.done.length - first; k < starts.length; k++) {
        const itemSrc = src.slice(starts[k], ends[k]);
        const at = previousOpen.findIndex((p) => p.src === itemSrc && p.loose === this.loose);
        const item = at === -1 ? this.renderItem(itemSrc) : previousOpen.splice(at, 1)[0];
        if (!item) return this.break();
        (first + k < settled ? this.done : open).push(item);
      }
    } while (this.loose !== looseBefore);
    for (const stale of previousOpen) stale.li.remove();
    this.open = open;
    // Items before `first` are in place; what follows them goes after, in order.
    for (const item of [...this.done.slice(first), ...open]) this.el.append(item.li);
    return true;
  }

  /** One item alone, as it renders within this list, or null if it does not render as one. */
  private renderItem(itemSrc: string): RenderedItem | null {
    let source = itemSrc;
    if (this.loose) {
      // An item followed by a blank line and another item renders as a loose list's item.
      const next = this.marker.ordered ? `1${this.marker.kind}` : this.marker.kind;
      source = `${itemSrc.replace(/\s+$/, "")}\n\n${next} x\n`;
    }
    const fragment = markdownToFragment(source);
    const list = fragment.firstElementChild;
    if (!list || list.nextElementSibling || list.tagName !== this.el.tagName) return null;
    if (list.children.length !== (this.loose ? 2 : 1)) return null;
    const li = list.firstElementChild as HTMLLIElement;
    // An item with blank lines between its own blocks makes the whole list loose.
    if (!this.loose && li.querySelector(":scope > p")) this.loose = true;
    return { src: itemSrc, li, loose: this.loose };
  }

  private break(): boolean {
    this.broken = true;
    return false;
  }
}
