import DOMPurify, { type Config, type DOMPurify as Purifier } from "dompurify";
import { Marked } from "marked";
import { BlockSplitter } from "./blocks";
import { frameCodeBlocks } from "./code-block";
import { GrowingCode } from "./growing-code";
import { highlightCode } from "./highlight";
import { ListStream } from "./list-stream";
import { type MathToken, mathExtensions, renderMath } from "./math";
import { TableStream } from "./table-stream";

/** An open block rendered in parts (list items, table rows): only the last part re-renders. */
interface PartStream {
  readonly el: HTMLElement;
  /** Shows the block's text so far (`final`: all of it); false: it must be rendered whole. */
  update(src: string, final: boolean): boolean;
}

/**
 * What a renderer left for after sanitization: markup the sanitizer must strip from model text
 * (KaTeX's classes and styles, a task marker's role and label) is added to these slots only.
 */
type Slot = { kind: "math"; tex: string; display: boolean } | { kind: "task"; checked: boolean };

/**
 * The render in progress. Slots are `<span class="ckw-slot-NONCE-INDEX">`; the sanitizer keeps
 * that class only with this render's random nonce, so model text cannot forge a slot.
 */
let pass: { nonce: string; slots: Slot[] } | null = null;

function slot(content: Slot): string {
  if (!pass) return "";
  pass.slots.push(content);
  return `<span class="ckw-slot-${pass.nonce}-${pass.slots.length - 1}"></span>`;
}

function nonce(): string {
  const words = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return Array.from(words, (w) => w.toString(36)).join("");
}

const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({
  extensions: mathExtensions((t: MathToken) =>
    slot({ kind: "math", tex: t.tex, display: t.display }),
  ),
  // Task-list boxes as a labelled marker: model output gets no form controls.
  renderer: { checkbox: ({ checked }) => `${slot({ kind: "task", checked })} ` },
});

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

function isSlotClass(name: string, prefix: string): boolean {
  return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
}

/** This bundle's own DOMPurify (its hooks leave other code on the page alone), made on first use. */
function purify(): Purifier {
  if (purifier) return purifier;
  const instance = DOMPurify(window);
  instance.addHook("afterSanitizeAttributes", (node) => {
    const classes = node.getAttribute("class");
    if (classes !== null) {
      const slotClass = pass ? `ckw-slot-${pass.nonce}-` : null;
      const kept = classes
        .split(/\s+/)
        .filter((name) => LANGUAGE_CLASS.test(name) || (slotClass && isSlotClass(name, slotClass)));
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
  // DOMPurify's fragment belongs to an inert document: adopt it now (appending it would anyway),
  // so what is built and queried below lives in this page (jsdom builds a selector engine per
  // document queried, which made each render slower than the last).
  const fragment = document.adoptNode(
    purify().sanitize(html, { ...SANITIZE, RETURN_DOM_FRAGMENT: true }),
  );
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

/**
 * Markdown to sanitized DOM: no scripts, no event handlers, no remote images, web links only.
 * Then the trusted additions: KaTeX math, task-list markers, highlighted code with Copy buttons.
 */
export function markdownToFragment(src: string): DocumentFragment {
  const outer = pass;
  const current = { nonce: nonce(), slots: [] as Slot[] };
  pass = current;
  let fragment: DocumentFragment;
  try {
    fragment = sanitize(markdown.parse(src, { async: false }));
  } finally {
    pass = outer;
  }
  if (current.slots.length) fillSlots(fragment, current.nonce, current.slots);
  decorateCode(fragment);
  return fragment;
}

/** Renders `src` (markdown, math included) into a new element: for standalone markdown. */
export function renderMarkdown(src: string, className = "ckw-markdown"): HTMLDivElement {
  const el = document.createElement("div");
  el.className = className;
  el.append(markdownToFragment(src));
  return el;
}

function fillSlots(fragment: DocumentFragment, id: string, slots: Slot[]): void {
  const prefix = `ckw-slot-${id}-`;
  for (const el of fragment.querySelectorAll<HTMLElement>(`[class^="${prefix}"]`)) {
    const content = slots[Number(el.className.slice(prefix.length))];
    el.removeAttribute("class");
    if (content?.kind === "math") renderMath(el, content.tex, content.display);
    else if (content?.kind === "task") taskMarker(el, content.checked);
  }
}

function taskMarker(el: HTMLElement, checked: boolean): void {
  el.className = "ckw-task-marker";
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", checked ? "done" : "not done");
  el.dataset.checked = String(checked);
  el.closest("li")?.classList.add("ckw-task-item");
}

/** Highlights each code block in a known language and gives every block a Copy button. */
function decorateCode(root: ParentNode): void {
  frameCodeBlocks(root, (code) => {
    const lang = languageOf(code);
    if (lang) highlightCode(code as HTMLElement, lang);
    return lang;
  });
}

function languageOf(code: Element): string {
  for (const name of code.classList) if (LANGUAGE_CLASS.test(name)) return name.slice(9);
  return "";
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
  /** The open block, when it is a list or a table rendered in parts. */
  private parts: PartStream | null = null;
  /** Where the open block starts, if it must be rendered whole after all. */
  private wholeAt = -1;

  constructor(className = "ckw-markdown") {
    this.el = document.createElement("div");
    this.el.className = className;
  }

  /** The text so far, while it streams. */
  update(text: string): void {
    if (this.finished !== null || !text.startsWith(this.text)) this.clear(); // rewritten
    this.text = text;
    const { settled, open, openFence, settledLength } = this.splitter.push(text);
    for (const block of settled) this.settle(block);
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
    this.openEl ??= this.el.appendChild(blockElement());
    renderMarkdownInto(this.openEl, open);
  }

  /** The final text: render all of it once (again only if it changes). */
  finish(text: string): void {
    if (this.finished === text) return;
    const streamedHere = this.text !== "" && text.startsWith(this.text);
    if (streamedHere && !REFERENCE_DEFINITION.test(text)) {
      this.update(text);
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
    if (text) this.el.append(markdownBlock(text));
  }

  private showFence(text: string, contentStart: number, lang: string): void {
    const fence = this.fence;
    if (fence && this.openEl && fence.contentStart === contentStart) {
      if (text.length > fence.shown) fence.view.append(text.slice(fence.shown));
      fence.shown = text.length;
      return;
    }
    const language = `language-${lang}`;
    const view = new GrowingCode(lang, LANGUAGE_CLASS.test(language) ? language : null);
    view.append(text.slice(contentStart));
    this.openEl ??= this.el.appendChild(blockElement());
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
    this.openEl ??= this.el.appendChild(blockElement());
    if (this.openEl.firstChild !== this.parts.el || this.openEl.childNodes.length !== 1) {
      this.openEl.replaceChildren(this.parts.el);
    }
    this.openSrc = null;
    return true;
  }

  private settle(block: string): void {
    const el = this.openEl ?? this.el.appendChild(blockElement());
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
