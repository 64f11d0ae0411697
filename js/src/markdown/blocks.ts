// Splits markdown into top-level blocks so a streaming message re-renders only its tail.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export interface SplitResult {
  /** Blocks followed by a blank line outside any code fence: they will not change. */
  settled: string[];
  /** The last block, still growing while the message streams ("" when none). */
  open: string;
  /** Length of the text the settled blocks cover (including their trailing blank lines). */
  settledLength: number;
}

/**
 * Split `text` at blank lines that are outside code fences.
 * Every block but the last is settled: later text can only extend the last one.
 */
export function splitBlocks(text: string): SplitResult {
  const settled: string[] = [];
  let fence: string | null = null;
  let blockStart = 0;
  let lineStart = 0;
  let settledLength = 0;
  let sawContent = false;
  while (lineStart <= text.length) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const marker = FENCE.exec(line)?.[1];
    if (fence === null && marker) {
      fence = marker;
    } else if (
      fence !== null &&
      marker &&
      marker[0] === fence[0] &&
      marker.length >= fence.length &&
      line.trim() === marker
    ) {
      fence = null;
    }
    const blank = line.trim() === "";
    if (blank && fence === null && newline !== -1) {
      // Only a blank line with text after it ends a block: a trailing newline may be mid-stream.
      if (sawContent) {
        settled.push(text.slice(blockStart, lineStart).replace(/\n+$/, ""));
        sawContent = false;
      }
      blockStart = newline + 1;
      settledLength = blockStart;
    } else if (!blank) {
      sawContent = true;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  const open = sawContent || fence !== null ? text.slice(blockStart) : "";
  return { settled, open, settledLength };
}
