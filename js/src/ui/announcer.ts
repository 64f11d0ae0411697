import type { AssistantMessageItem } from "../chatkit/types";
import { renderMarkdownInto } from "../markdown/fragment";
import type { ThreadState } from "../state/thread-state";
import type { StateChange } from "../state/types";
import { h } from "../util/dom";
import { assistantText } from "./items/messages";

/**
 * Tells screen readers about each reply once, when it completes. The transcript itself is
 * not a live region: announcing it would read a streaming reply delta by delta. Replies that
 * were already finished when they arrived (a loaded thread) are not announced. A long reply is
 * announced by its opening and its length: reading thousands of words into a polite live
 * region helps nobody, and rendering them all again would stall the page as the reply ends.
 */
export class ReplyAnnouncer {
  readonly el = h("div", {
    class: "ckw-visually-hidden",
    "aria-live": "polite",
    "data-role": "announcer",
  });
  private readonly streaming = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly state: ThreadState) {
    this.unsubscribe = state.subscribe((change) => this.onChange(change));
  }

  /** Say `text` politely (a new node each time, so the same words are read again). */
  announce(text: string): void {
    this.el.replaceChildren(h("p", {}, text));
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onChange(change: StateChange): void {
    for (const id of change.items) {
      const item = this.state.item(id);
      if (item?.type !== "assistant_message") continue;
      const meta = this.state.meta(id);
      if (!meta.done) {
        this.streaming.add(id);
      } else if (this.streaming.delete(id)) {
        const markdown = assistantText(item);
        const note = meta.stopped
          ? " (stopped)"
          : (item as AssistantMessageItem).incomplete === true
            ? " (incomplete)"
            : "";
        // In a task of its own: the one that ends a reply also renders its last blocks.
        setTimeout(() => {
          const text = announcement(markdown);
          if (text) this.announce(`${text}${note}`);
        }, 0);
      }
    }
    if (change.order) {
      for (const id of this.streaming) if (!this.state.item(id)) this.streaming.delete(id);
    }
  }
}

/** Replies up to this many characters of markdown are read whole. */
const READ_WHOLE = 600;
/** A longer reply's opening: its first paragraph, or about this many characters. */
const OPENING = 300;

/** What to say for a finished reply's markdown. */
function announcement(markdown: string): string {
  if (markdown.length <= READ_WHOLE) return plainText(markdown);
  const paragraph = markdown.indexOf("\n\n", OPENING / 2);
  const space = markdown.lastIndexOf(" ", OPENING);
  const end =
    paragraph !== -1 && paragraph <= READ_WHOLE ? paragraph : Math.max(space, OPENING / 2);
  const words = groupThousands(countWords(markdown));
  return `${plainText(markdown.slice(0, end))}… (${words} words; the whole reply is in the conversation)`;
}

/**
 * 12,004: as `toLocaleString("en")` writes it, without Intl. On a fresh page the first
 * `toLocaleString` loads the locale's data, 20-30 ms in the task that ends the first reply.
 */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const blank = code === 32 || (code >= 9 && code <= 13);
    if (!blank && !inWord) words++;
    inWord = !blank;
  }
  return words;
}

/** What a reader should say for markdown: its rendered text, without the markup. */
function plainText(markdown: string): string {
  const scratch = document.createElement("div");
  renderMarkdownInto(scratch, markdown);
  // Math is read as its TeX source; controls (a code block's Copy) and their status text
  // are not words of the reply.
  for (const tex of scratch.querySelectorAll('annotation[encoding="application/x-tex"]')) {
    tex.closest(".katex")?.replaceWith(` ${tex.textContent ?? ""} `);
  }
  for (const el of scratch.querySelectorAll("button, [role=status], [aria-hidden=true]")) {
    el.remove();
  }
  return (scratch.textContent ?? "").replace(/\s+/g, " ").trim();
}
