import DOMPurify, { type Config, type DOMPurify as Purifier } from "dompurify";
import { Marked } from "marked";
import { BlockSplitter } from "./blocks";

const markdown = new Marked({ gfm: true, breaks: false, async: false });
// Task-list boxes as text: model output gets no form controls.
markdown.use({ renderer: { checkbox: ({ checked }) => (checked ? "☑ " : "☐ ") } });

/** Links may only leave for the web or a mail client. */
const LINK_URL = /^(?:https?|mailto):/i;
/** The one class markdown may produce: marked's code-language class. */
const LANGUAGE_CLASS = /^language-[\w+-]+$/;
/** Images only inline: a remote image would fetch a URL the model chose (and leak data in it). */
const INLINE_IMAGE = /^data:image\//i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripped the way browsers do in URLs
const URL_JUNK = /[\u0000-\u0020\u007f-\u009f]/g;

const SANITIZE: Config = {
  USE_PROFILES: { html: true }, // no SVG or MathML
  ALLOW_DATA_ATTR: false, // model output must not forge the widget's own data-item-* markers
  ALLOW_ARIA_ATTR: false, // nor its aria-labels ("Send", "Stop") or roles
  FORBID_TAGS: [
    "input",
    "form",
    "button",
    "textarea",
    "select",
    "option",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "audio",
    "video",
    "source",
    "track",
    "picture",
  ],
  FORBID_ATTR: ["style", "id", "name", "role", "srcset", "background", "poster", "ping"],
};

let purifier: Purifier | null = null;

/** This bundle's own DOMPurify (its hooks leave other code on the page alone), made on first use. */
function purify(): Purifier {
  if (purifier) return purifier;
  const instance = DOMPurify(window);
  instance.addHook("afterSanitizeAttributes", (node) => {
    const classes = node.getAttribute("class");
    if (classes !== null) {
      const kept = classes.split(/\s+/).filter((name) => LANGUAGE_CLASS.test(name));
      if (kept.length) node.setAttribute("class", kept.join(" "));
      else node.removeAttribute("class");
    }
    const href = node.getAttribute("href");
    if (href !== null && !LINK_URL.test(href.replace(URL_JUNK, ""))) node.removeAttribute("href");
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    } else {
      node.removeAttribute("target");
    }
  });
  purifier = instance;
  return instance;
}

/** Sanitized HTML (as a fragment of this document) to untrusted HTML. */
export function sanitize(html: string): DocumentFragment {
  const fragment = purify().sanitize(html, { ...SANITIZE, RETURN_DOM_FRAGMENT: true });
  for (const img of fragment.querySelectorAll("img")) {
    const src = (img.getAttribute("src") ?? "").replace(URL_JUNK, "");
    if (INLINE_IMAGE.test(src)) continue;
    const alt = (img.getAttribute("alt") ?? "").trim();
    const span = document.createElement("span");
    span.textContent = alt ? `[image: ${alt}]` : "[image]";
    img.replaceWith(span);
  }
  return fragment;
}

/** Markdown to sanitized DOM: no scripts, no event handlers, no remote images, web links only. */
export function markdownToFragment(src: string): DocumentFragment {
  return sanitize(markdown.parse(src, { async: false }));
}

/** Markdown to sanitized HTML (see markdownToFragment). */
export function markdownToHtml(src: string): string {
  const div = document.createElement("div");
  div.append(markdownToFragment(src));
  return div.innerHTML;
}

/** `[label]: destination`, which links anywhere in the text may refer to. */
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]\n]+\]:[ \t]*\S/m;

export function renderMarkdownInto(el: HTMLElement, src: string): void {
  el.replaceChildren(markdownToFragment(src));
}

/** The open block when it is an unclosed code fence, shown as growing plain text. */
interface FastFence {
  contentStart: number;
  /** Text length already shown. */
  shown: number;
  text: Text;
}

/**
 * A streaming markdown body. Blocks that ended are rendered once and kept; each update
 * re-renders only the open tail block (an open code fence only gets the new text appended), so
 * a delta costs the same late in a long message as early on. `finish` keeps that work and only
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

  constructor(className = "ckw-markdown") {
    this.el = document.createElement("div");
    this.el.className = className;
  }

  /** The text so far, while it streams. */
  update(text: string): void {
    if (this.finished !== null || !text.startsWith(this.text)) this.clear(); // rewritten
    this.text = text;
    const { settled, open, openFence } = this.splitter.push(text);
    for (const block of settled) this.settle(block);
    this.openBlock = open;
    if (openFence) {
      this.showFence(text, openFence.contentStart, openFence.lang);
      return;
    }
    this.fence = null;
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

  /** The final text: render all of it once (again only if it changes). */
  finish(text: string): void {
    if (this.finished === text) return;
    const streamedHere = this.text !== "" && text.startsWith(this.text);
    if (streamedHere && !REFERENCE_DEFINITION.test(text)) {
      this.update(text);
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
    if (text) this.el.append(markdownBlock(text));
  }

  private showFence(text: string, contentStart: number, lang: string): void {
    const fence = this.fence;
    if (fence && this.openEl && fence.contentStart === contentStart) {
      if (text.length > fence.shown) fence.text.appendData(text.slice(fence.shown));
      fence.shown = text.length;
      return;
    }
    const code = document.createElement("code");
    const language = `language-${lang}`;
    if (LANGUAGE_CLASS.test(language)) code.className = language;
    const node = document.createTextNode(text.slice(contentStart));
    code.append(node);
    const pre = document.createElement("pre");
    pre.append(code);
    this.openEl ??= this.el.appendChild(blockElement());
    this.openEl.replaceChildren(pre);
    this.openSrc = null;
    this.fence = { contentStart, shown: text.length, text: node };
  }

  private settle(block: string): void {
    const el = this.openEl ?? this.el.appendChild(blockElement());
    // The open block usually already shows exactly this text: keep its DOM as is.
    if (!this.openEl || this.openSrc !== block) renderMarkdownInto(el, block);
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
  }
}

function blockElement(): HTMLDivElement {
  const el = document.createElement("div");
  el.className = "ckw-md-block";
  return el;
}

function markdownBlock(src: string): HTMLDivElement {
  const el = blockElement();
  renderMarkdownInto(el, src);
  return el;
}
