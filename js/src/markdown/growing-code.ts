// An open code fence while a reply streams: plain text that grows by appending, in chunks.
//
// Appending to one text node makes the browser lay out and paint the whole block again each
// frame, so a delta cost more the longer the block got (~20 ms per delta at 2,500 lines).
// Each chunk of CHUNK_LINES lines is a block box of its own: finished chunks keep their
// layout and paint, and a frame only touches the last one.
//
// It stays plain rather than highlighted: highlighting costs as much as the block is long,
// every frame. The block is highlighted once, when the fence closes and renders as markdown.

import { frameCodeBlock } from "./code-block";

const CHUNK_LINES = 40;

export class GrowingCode {
  /** The code block's frame (header with language and Copy, then the `<pre>`). */
  readonly el: HTMLDivElement;
  readonly code: HTMLElement;
  private chunk: Text;
  /** Newlines in the last chunk. */
  private lines = 0;

  /** `languageClass`: `language-x`, already checked to be a class markdown may produce. */
  constructor(lang: string, languageClass: string | null) {
    this.code = document.createElement("code");
    if (languageClass) this.code.className = languageClass;
    this.chunk = this.newChunk();
    const pre = document.createElement("pre");
    pre.append(this.code);
    this.el = frameCodeBlock(pre, languageClass ? lang : "");
  }

  append(text: string): void {
    let rest = text;
    while (rest) {
      // Fill the last chunk up to CHUNK_LINES lines; what follows starts a new chunk.
      let cut = -1;
      let from = 0;
      let lines = this.lines;
      while (lines < CHUNK_LINES) {
        const newline = rest.indexOf("\n", from);
        if (newline === -1) break;
        lines++;
        from = newline + 1;
        if (lines === CHUNK_LINES) cut = from;
      }
      if (cut === -1 || cut === rest.length) {
        this.chunk.appendData(rest);
        this.lines = lines;
        if (cut === -1) return;
        this.chunk = this.newChunk();
        this.lines = 0;
        return;
      }
      this.chunk.appendData(rest.slice(0, cut));
      rest = rest.slice(cut);
      this.chunk = this.newChunk();
      this.lines = 0;
    }
  }

  private newChunk(): Text {
    const span = document.createElement("span");
    span.className = "ckw-code-chunk";
    const text = document.createTextNode("");
    span.append(text);
    this.code.append(span);
    return text;
  }
}
