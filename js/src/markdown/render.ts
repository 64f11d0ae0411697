import DOMPurify from "dompurify";
import { Marked } from "marked";
import { splitBlocks } from "./blocks";

const markdown = new Marked({ gfm: true, breaks: false, async: false });

// Hooks live on this bundle's own DOMPurify instance, so other code on the page is unaffected.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/** Markdown to sanitized HTML: no scripts, no event handlers, no javascript: links. */
export function markdownToHtml(src: string): string {
  const html = markdown.parse(src, { async: false });
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ["style", "form", "button", "textarea", "select", "iframe"],
    FORBID_ATTR: ["style"],
  });
}

export function renderMarkdownInto(el: HTMLElement, src: string): void {
  el.innerHTML = markdownToHtml(src);
}

/**
 * A streaming markdown body. Blocks that ended at a blank line are rendered once and kept;
 * each update re-renders only the open tail block, so a delta costs the same late in a long
 * message as early on.
 */
export class MarkdownView {
  readonly el: HTMLDivElement;
  private settledText = "";
  private openEl: HTMLDivElement | null = null;
  private openSrc = "";

  constructor(className = "ckw-markdown") {
    this.el = document.createElement("div");
    this.el.className = className;
  }

  update(text: string): void {
    if (!text.startsWith(this.settledText)) this.clear(); // rewritten, not appended: start over
    const tail = text.slice(this.settledText.length);
    const { settled, open, settledLength } = splitBlocks(tail);
    for (const block of settled) this.settle(block);
    this.settledText += tail.slice(0, settledLength);
    if (open === this.openSrc && (this.openEl || !open)) return;
    this.openSrc = open;
    if (!open) {
      this.openEl?.remove();
      this.openEl = null;
      return;
    }
    this.openEl ??= this.el.appendChild(blockElement());
    renderMarkdownInto(this.openEl, open);
  }

  private settle(block: string): void {
    const el = this.openEl ?? this.el.appendChild(blockElement());
    // The open block usually already shows exactly this text: keep its DOM as is.
    if (!this.openEl || this.openSrc !== block) renderMarkdownInto(el, block);
    this.openEl = null;
    this.openSrc = "";
  }

  private clear(): void {
    this.el.replaceChildren();
    this.settledText = "";
    this.openEl = null;
    this.openSrc = "";
  }
}

function blockElement(): HTMLDivElement {
  const el = document.createElement("div");
  el.className = "ckw-md-block";
  return el;
}
