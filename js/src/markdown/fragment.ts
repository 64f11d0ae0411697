// Markdown to a sanitized DOM fragment, in one go: the renderer every streaming view builds on.
import DOMPurify, { type Config, type DOMPurify as Purifier } from "dompurify";
import { Marked } from "marked";
import { frameCodeBlocks } from "./code-block";
import { highlightCode } from "./highlight";
import { type MathToken, mathExtensions, renderMath } from "./math";

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
export const LANGUAGE_CLASS = /^language-[\w+-]+$/;
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
  // Set once: given per call, DOMPurify parses its config on every render (~8% of a fast stream).
  instance.setConfig({ ...SANITIZE, RETURN_DOM_FRAGMENT: true });
  purifier = instance;
  return instance;
}

/** Sanitized HTML (as a fragment of this document) to untrusted HTML. */
export function sanitize(html: string): DocumentFragment {
  // DOMPurify's fragment belongs to an inert document: adopt it now (appending it would anyway),
  // so what is built and queried below lives in this page (jsdom builds a selector engine per
  // document queried, which made each render slower than the last).
  const fragment = document.adoptNode(purify().sanitize(html) as unknown as DocumentFragment);
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

/** Replaces `el`'s content with `src` rendered (markdown, math included). */
export function renderMarkdownInto(el: HTMLElement, src: string): void {
  el.replaceChildren(markdownToFragment(src));
}
