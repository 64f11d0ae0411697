// Splits markdown into top-level blocks so a streaming message re-renders only its tail.
//
// A block settles only where CommonMark cannot join it to what follows: at a blank line that is
// outside every code fence and followed by a line at indentation 0 that is not a list marker.
// (A blank line followed by an indented line or a list item may continue a list item, so those
// stay in one block.) Fences are tracked at any indentation, since they nest in list items.

/** An opening code fence: `marker` is its run of backticks or tildes. */
const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
/** A list item's marker at indentation 0. */
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
/** The start of a line that may still become a list marker once more text arrives. */
const LIST_MARKER_PREFIX = /^(?:[-*+]|\d{1,9}[.)]?)$/;

export interface OpenFence {
  /** Offset (in the text given) where the fence's content starts, after its opening line. */
  contentStart: number;
  /** The info string's first word ("" when none). */
  lang: string;
}

export interface SplitResult {
  /** Blocks that will not change: later text can only extend the open one. */
  settled: string[];
  /** The last block, still growing while the message streams ("" when none). */
  open: string;
  /** Offset where the open block starts: the text the settled blocks cover, blank lines included. */
  settledLength: number;
  /**
   * Set when the open block is nothing but a top-level fenced code block that is still open:
   * it can be shown by appending text, without parsing it.
   */
  openFence: OpenFence | null;
}

interface Fence {
  char: string;
  length: number;
  /** Offset of the opening line. */
  start: number;
  contentStart: number;
  lang: string;
  /** Indentation of the opening line. */
  indent: number;
}

/**
 * Incremental block splitter over a growing text. Each call scans only the text that arrived
 * since the last one (plus the last, unfinished line), so a delta's cost does not depend on
 * the length of the message.
 */
export class BlockSplitter {
  private text = "";
  /** Start of the first line not yet scanned (every line before it ended with "\n"). */
  private scanned = 0;
  private fence: Fence | null = null;
  private blockStart = 0;
  private sawContent = false;
  /** Where the trailing run of blank lines of the current block starts (-1: none). */
  private blankStart = -1;

  /**
   * Feed the whole text so far (it must extend the text of the previous call). Returns the
   * blocks settled by this call only, and the open block as it is now.
   */
  push(text: string): SplitResult {
    this.text = text;
    const settled: string[] = [];
    while (true) {
      const newline = text.indexOf("\n", this.scanned);
      if (newline === -1) break;
      this.line(this.scanned, newline, settled);
      this.scanned = newline + 1;
    }
    // The unfinished last line may already show that a new block starts with it.
    const partial = text.slice(this.scanned);
    const waiting = this.fence === null && this.blankStart !== -1 && this.sawContent;
    if (waiting && startsBlock(partial, false)) this.settleAt(this.scanned, settled);
    const hasOpen = this.sawContent || this.fence !== null || partial.trim() !== "";
    return {
      settled,
      open: hasOpen ? text.slice(this.blockStart) : "",
      settledLength: this.blockStart,
      openFence: this.openFence(partial),
    };
  }

  private line(start: number, end: number, settled: string[]): void {
    const line = this.text.slice(start, end);
    const blank = line.trim() === "";
    if (this.fence !== null) {
      if (closesFence(line, this.fence)) this.fence = null;
      return;
    }
    if (blank) {
      if (this.blankStart === -1) this.blankStart = start;
      if (!this.sawContent) this.blockStart = end + 1; // blank lines before any content
      return;
    }
    if (this.blankStart !== -1 && this.sawContent && startsBlock(line, true)) {
      this.settleAt(start, settled);
    }
    this.blankStart = -1;
    this.sawContent = true;
    const open = FENCE_OPEN.exec(line);
    if (open) {
      const [, indent = "", marker = "", info = ""] = open;
      // A backtick fence's info string cannot hold a backtick (then it is inline code).
      if (marker[0] === "~" || !info.includes("`")) {
        this.fence = {
          char: marker[0] as string,
          length: marker.length,
          start,
          contentStart: end + 1,
          lang: info.trim().split(/\s+/)[0] ?? "",
          indent: indent.length,
        };
      }
    }
  }

  private settleAt(nextStart: number, settled: string[]): void {
    settled.push(this.text.slice(this.blockStart, this.blankStart).replace(/\n+$/, ""));
    this.blockStart = nextStart;
    this.blankStart = -1;
    this.sawContent = false;
  }

  private openFence(partial: string): OpenFence | null {
    const fence = this.fence;
    if (fence === null || fence.start !== this.blockStart || fence.indent !== 0) return null;
    // The unfinished line may be the closing fence arriving: then render it as markdown.
    if (closesFence(partial, fence)) return null;
    return { contentStart: fence.contentStart, lang: fence.lang };
  }
}

/**
 * Split `text` into blocks (see BlockSplitter). Every block but the last is settled: later text
 * can only extend the last one.
 */
export function splitBlocks(text: string): SplitResult {
  return new BlockSplitter().push(text);
}

function closesFence(line: string, fence: Fence): boolean {
  const trimmed = line.trim();
  if (trimmed.length < fence.length) return false;
  for (const ch of trimmed) if (ch !== fence.char) return false;
  return true;
}

/**
 * A line at indentation 0 that is not a list item. An unfinished line must also be unable to
 * become one as more text arrives ("1" may still become "1. ").
 */
function startsBlock(line: string, complete: boolean): boolean {
  if (line.trim() === "" || line[0] === " " || line[0] === "\t") return false;
  const content = line.replace(/\r$/, "");
  if (LIST_MARKER.test(content)) return false;
  return complete || !LIST_MARKER_PREFIX.test(content);
}
