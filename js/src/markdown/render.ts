import { BlockSplitter, type SplitResult } from "./blocks";
import { LANGUAGE_CLASS, renderMarkdownInto } from "./fragment";
import { GrowingCode } from "./growing-code";
import { prepareHighlight } from "./highlight";
import { ListStream } from "./list-stream";
import { TableStream } from "./table-stream";

/** An open block rendered in parts (list items, table rows): only the last part re-renders. */
interface PartStream {
  readonly el: HTMLElement;
  /** Shows the block's text so far (`final`: all of it); false: it must be rendered whole. */
  update(src: string, final: boolean): boolean;
}

/** `[label]: destination`, which links anywhere in the text may refer to. */
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]\n]+\]:[ \t]*\S/m;

/**
 * How long one update may spend rendering blocks that ended before it leaves the rest to the
 * next frame: at 20,000 tokens/s a frame receives a dozen blocks, and rendering them all at
 * once (markdown, sanitizing, highlighting, then their layout) made tasks of 50-75 ms.
 * The frame then lays out what was rendered (about as long again) and paints: with 12 ms its
 * task reached 45 ms, and a garbage collection landing in it (10-15 ms) took it past 50.
 */
const FRAME_BUDGET_MS = 8;

/**
 * Blocks a long text's older part is grouped by: each group is a box of its own that the
 * browser skips when off screen (content-visibility), so a frame late in a 40,000-token reply
 * does not lay out and paint the thousands of blocks above it. Chunks nest the same way (8
 * chunks to a chunk of the next level). At most 2 x CHUNK_SIZE - 1 items of a level stay
 * loose; 8 measured flatter than 32 (fewer loose).
 */
const CHUNK_SIZE = 8;

/**
 * How long the text may pause before the cursor pulses to say the reply is still coming. While
 * text flows the cursor stays still: a pulse restarted on every delta (a new last element) cost
 * 0.4-0.8 ms of style, layout and compositing per frame, and more the longer the reply.
 */
const STALL_MS = 1000;

/** The open block when it is an unclosed code fence, shown as growing plain text. */
interface FastFence {
  contentStart: number;
  /** Text length already shown. */
  shown: number;
  view: GrowingCode;
}

/**
 * A streaming markdown body. Blocks that ended are rendered once and kept; each update
 * re-renders only the open tail block, so a delta costs the same late in a long message as
 * early on: an open code fence only gets the new text appended (growing-code.ts), an open
 * list re-renders only its last item (list-stream.ts) and an open table its last row
 * (table-stream.ts). `finish` keeps that work and only
 * settles the tail; it renders the whole text again only when the incremental blocks could
 * differ from it (reference-style link definitions, or text that was not streamed here),
 * since a full render of a 10k-token reply stalls the page for ~100 ms.
 */
export class MarkdownView {
  readonly el: HTMLDivElement;
  private text = "";
  private splitter = new BlockSplitter();
  private openEl: HTMLDivElement | null = null;
  /** Source the open element shows (null: not rendered as markdown, e.g. a fast fence). */
  private openSrc: string | null = null;
  private fence: FastFence | null = null;
  /** Source of the open block, also while it shows as a fast fence. */
  private openBlock = "";
  /** The text `finish` rendered (null: rendered incrementally). */
  private finished: string | null = null;
  /** A final text found free of reference definitions: `finish` runs again each frame while behind. */
  private referenceFree: string | null = null;
  /** The open block, when it is a list or a table rendered in parts. */
  private parts: PartStream | null = null;
  /** Where the open block starts, if it must be rendered whole after all. */
  private wholeAt = -1;
  /** The last block while the text streams: it shows the cursor (`ckw-md-tail`). */
  private tail: Element | null = null;
  /**
   * How many of the element's top-level children are chunks of each level: [0] hold blocks,
   * [1] hold chunks of [0], and so on; the highest level comes first (see CHUNK_SIZE).
   */
  private chunkLevels: number[] = [];
  /** Blocks that ended but are not rendered yet (the frame's budget ran out), in order. */
  private backlog: string[] = [];
  /** Restarted whenever the text grows: when it fires, the text has paused (see STALL_MS). */
  private stallTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `inFrames`: render at most a frame's budget per call, for a caller that calls again while
   * `behind` (the transcript does); otherwise each call renders everything it was given.
   */
  constructor(
    className = "ckw-markdown",
    private readonly inFrames = false,
  ) {
    this.el = document.createElement("div");
    this.el.className = className;
  }

  /** The text so far, while it streams. */
  update(text: string): void {
    const grew = text !== this.text;
    this.streamText(text, this.deadline());
    this.markTail(this.el.lastElementChild);
    if (grew) this.watchForStall();
  }

  private watchForStall(): void {
    this.setStalled(false);
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(this.stall, STALL_MS);
  }

  private readonly stall = (): void => {
    this.stallTimer = undefined;
    if (this.el.isConnected) this.setStalled(true);
  };

  /**
   * `ckw-md-stalled` on the cursor's block: the text paused mid-reply (the cursor pulses). On
   * the block, not the view: a class on the view, read by a selector ending in `:last-child`,
   * would restyle the whole reply each time the text pauses or resumes.
   */
  private setStalled(stalled: boolean): void {
    if (this.tail && this.tail.classList.contains("ckw-md-stalled") !== stalled) {
      this.tail.classList.toggle("ckw-md-stalled", stalled);
    }
  }

  private deadline(): number {
    return this.inFrames ? performance.now() + FRAME_BUDGET_MS : Number.POSITIVE_INFINITY;
  }

  /** Whether blocks that ended are still waiting to be rendered (only `inFrames`). */
  get behind(): boolean {
    return this.backlog.length > 0;
  }

  private streamText(text: string, deadline: number): void {
    if (this.finished !== null || !text.startsWith(this.text)) this.clear(); // rewritten
    this.text = text;
    const split = this.splitter.push(text);
    this.backlog.push(...split.settled);
    let rendered = 0;
    for (; rendered < this.backlog.length; rendered++) {
      if (rendered > 0 && performance.now() > deadline) break;
      this.settle(this.backlog[rendered] as string);
    }
    this.backlog.splice(0, rendered);
    if (this.backlog.length === 0) this.showOpen(split);
    this.chunkOlderBlocks();
  }

  /**
   * Moves the oldest blocks into a chunk once twice as many are loose (the newest stay loose),
   * and the oldest chunks of a level into a chunk of the next once twice as many are at it: a
   * 40,000-token reply stays a few dozen boxes for each frame to walk, not hundreds.
   */
  private chunkOlderBlocks(): void {
    const levels = this.chunkLevels;
    let spans: Map<Element, Span> | null = null;
    for (let level = 0; level <= levels.length; level++) {
      // This level's loose items (blocks, or chunks of the level below) follow the chunks of
      // this level and above.
      let before = levels.slice(level).reduce((sum, count) => sum + count, 0);
      let items = level === 0 ? this.el.childElementCount - before : (levels[level - 1] ?? 0);
      if (items < 2 * CHUNK_SIZE) return;
      spans ??= measureChildren(this.el); // before anything moves: one layout at most
      for (; items >= 2 * CHUNK_SIZE; items -= CHUNK_SIZE) {
        const grouped: Element[] = [];
        for (let k = 0; k < CHUNK_SIZE; k++) grouped.push(this.el.children[before + k] as Element);
        const chunk = document.createElement("div");
        chunk.className = "ckw-md-chunk";
        holdPlace(chunk, grouped, spans);
        this.el.insertBefore(chunk, grouped[0] ?? null);
        chunk.append(...grouped);
        levels[level] = (levels[level] ?? 0) + 1;
        if (level > 0) levels[level - 1] = items - CHUNK_SIZE;
        before++;
      }
    }
  }

  private showOpen({ open, openFence, settledLength }: SplitResult): void {
    const text = this.text;
    this.openBlock = open;
    if (openFence) {
      this.showFence(text, openFence.contentStart, openFence.lang);
      return;
    }
    this.fence = null;
    if (open && this.streamParts(open, settledLength)) return;
    if (open === this.openSrc && (this.openEl || !open)) return;
    this.openSrc = open;
    if (!open) {
      this.openEl?.remove();
      this.openEl = null;
      return;
    }
    this.openEl ??= this.el.appendChild(this.newBlock());
    renderMarkdownInto(this.openEl, open);
  }

  /** The final text: render all of it once (again only if it changes). */
  finish(text: string): void {
    this.markTail(null);
    this.setStalled(false);
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (this.finished === text) return;
    const streamedHere = this.text !== "" && text.startsWith(this.text);
    if (streamedHere && (this.referenceFree === text || !REFERENCE_DEFINITION.test(text))) {
      this.referenceFree = text;
      this.streamText(text, this.deadline());
      if (this.behind) return; // a fast reply's last blocks: over the next frames
      if (this.parts && this.openEl && !this.parts.update(this.openBlock, true)) {
        // The block's last line was still undecided, and turned out to end it: render it whole.
        renderMarkdownInto(this.openEl, this.openBlock);
        this.openSrc = this.openBlock;
      }
      this.parts = null;
      if (this.fence && this.openEl) {
        // The reply ended inside an unclosed fence shown as plain text: render it properly.
        renderMarkdownInto(this.openEl, this.openBlock);
        this.fence = null;
        this.openSrc = this.openBlock;
      }
      this.finished = text;
      return;
    }
    this.clear();
    this.finished = text;
    this.text = text;
    if (text) {
      const block = this.newBlock();
      renderMarkdownInto(block, text);
      this.el.append(block);
    }
  }

  /** A block for the view; its first is marked `ckw-md-first` (its top margin goes, at any depth). */
  private newBlock(): HTMLDivElement {
    const block = blockElement();
    if (this.el.firstChild === null) block.classList.add("ckw-md-first");
    return block;
  }

  /**
   * Moves the tail mark. A class change restyles one block, where an attribute on the row read
   * by a selector ending in `:last-child` restyled every element of the reply (83 ms at 10k).
   */
  private markTail(block: Element | null): void {
    if (block === this.tail) return;
    this.tail?.classList.remove("ckw-md-tail", "ckw-md-stalled");
    block?.classList.add("ckw-md-tail");
    this.tail = block;
  }

  private showFence(text: string, contentStart: number, lang: string): void {
    const fence = this.fence;
    if (fence && this.openEl && fence.contentStart === contentStart) {
      if (text.length > fence.shown) fence.view.append(text.slice(fence.shown));
      fence.shown = text.length;
      return;
    }
    const language = `language-${lang}`;
    // Highlighting happens when the fence closes: have highlight.js (and the grammar) by then.
    prepareHighlight(lang);
    const view = new GrowingCode(lang, LANGUAGE_CLASS.test(language) ? language : null);
    view.append(text.slice(contentStart));
    this.openEl ??= this.el.appendChild(this.newBlock());
    this.openEl.replaceChildren(view.el);
    this.openSrc = null;
    this.fence = { contentStart, shown: text.length, view };
  }

  /** Shows the open block in parts if it is a list or a table; false when it must render whole. */
  private streamParts(open: string, start: number): boolean {
    if (this.wholeAt === start) return false;
    this.parts ??= ListStream.start(open) ?? TableStream.start(open);
    if (!this.parts) return false;
    if (!this.parts.update(open, false)) {
      this.parts = null;
      this.wholeAt = start;
      this.openSrc = null; // render the block whole, now
      return false;
    }
    this.openEl ??= this.el.appendChild(this.newBlock());
    if (this.openEl.firstChild !== this.parts.el || this.openEl.childNodes.length !== 1) {
      this.openEl.replaceChildren(this.parts.el);
    }
    this.openSrc = null;
    return true;
  }

  private settle(block: string): void {
    const el = this.openEl ?? this.el.appendChild(this.newBlock());
    const parts = this.parts;
    this.parts = null;
    this.wholeAt = -1;
    // The open block usually already shows exactly this text: keep its DOM as is.
    const shown =
      this.openEl !== null && (parts ? parts.update(block, true) : this.openSrc === block);
    if (!shown) renderMarkdownInto(el, block);
    this.openEl = null;
    this.openSrc = "";
    this.fence = null;
  }

  private clear(): void {
    this.el.replaceChildren();
    this.text = "";
    this.splitter = new BlockSplitter();
    this.openEl = null;
    this.openSrc = "";
    this.fence = null;
    this.finished = null;
    this.parts = null;
    this.wholeAt = -1;
    this.backlog = [];
    this.chunkLevels = [];
  }
}

function blockElement(): HTMLDivElement {
  const el = document.createElement("div");
  el.className = "ckw-md-block";
  return el;
}

/** Where an element's box starts and ends on the page (its border box, in px). */
interface Span {
  top: number;
  bottom: number;
}

function measureChildren(el: Element): Map<Element, Span> {
  const spans = new Map<Element, Span>();
  for (const child of el.children) {
    const { top, bottom } = child.getBoundingClientRect();
    spans.set(child, { top, bottom });
  }
  return spans;
}

/**
 * Gives a new chunk the height of what it groups as the size it keeps while skipped: it is
 * skipped from its first frame (it forms above the view), and a chunk that was never shown
 * has no remembered size, so it took the stylesheet's 400 px: a long reply measured a seventh
 * of its height, and the scrollbar jumped as the user scrolled up through it.
 */
function holdPlace(chunk: HTMLElement, grouped: Element[], spans: Map<Element, Span>): void {
  const first = spans.get(grouped[0] as Element);
  const last = spans.get(grouped[grouped.length - 1] as Element);
  if (!first || !last || last.bottom <= first.top) return; // not laid out (detached)
  chunk.style.containIntrinsicSize = `auto ${Math.ceil(last.bottom - first.top)}px`;
  spans.set(chunk, { top: first.top, bottom: last.bottom });
}
