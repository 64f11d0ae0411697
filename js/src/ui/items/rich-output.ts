// A tool's rich result (a Jupyter mimebundle built in the kernel) as DOM, the way a notebook
// cell would show it, with nothing in it able to run code or fetch anything.
import { isRecord } from "../../chatkit/types";
import { renderMarkdown, sanitize } from "../../markdown/fragment";
import { h } from "../../util/dom";

/** `{mime: data}` as Jupyter's display formatter gives it. */
export type MimeBundle = Record<string, unknown>;

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif"] as const;

/** Richest first; what is not listed here is never shown (e.g. JavaScript). */
export const MIME_ORDER: readonly string[] = [
  ...IMAGE_TYPES,
  "image/svg+xml",
  "text/html",
  "text/markdown",
  "text/latex",
  "application/json",
  "text/plain",
];

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Math the markdown renderer understands: `$..$`, `$$..$$`, `\(..\)`, `\[..\]`. */
const DELIMITED_MATH = /^\s*(?:\$[\s\S]+\$|\\\([\s\S]+\\\)|\\\[[\s\S]+\\\])\s*$/;
/** A bare LaTeX environment (`\begin{equation}..\end{equation}`), shown as display math. */
const ENVIRONMENT = /^\s*\\begin\{[a-z*]+\}[\s\S]*\\end\{[a-z*]+\}\s*$/i;

/** The richest safe form of `bundle`, or null when none of its types can be shown. */
export function renderMimeBundle(bundle: MimeBundle): HTMLElement | null {
  const alt = altText(bundle);
  for (const mime of MIME_ORDER) {
    const el = render(mime, bundle[mime], alt);
    if (el) return h("div", { class: "ckw-rich", "data-mime": mime }, el);
  }
  return null;
}

function render(mime: string, data: unknown, alt: string): HTMLElement | null {
  if (data === undefined || data === null) return null;
  switch (mime) {
    case "image/png":
    case "image/jpeg":
    case "image/gif":
      return base64Image(mime, data, alt);
    case "image/svg+xml":
      return svgImage(data, alt);
    case "text/html":
      return html(data);
    case "text/markdown":
      return typeof data === "string" && data.trim() ? renderMarkdown(data) : null;
    case "text/latex":
      return latex(data);
    case "application/json":
      return json(data);
    case "text/plain":
      return typeof data === "string" ? h("pre", { class: "ckw-pre ckw-rich-text" }, data) : null;
    default:
      return null;
  }
}

/** Jupyter may split long strings into lists of lines. */
function text(data: unknown): string | null {
  if (typeof data === "string") return data;
  if (Array.isArray(data) && data.every((line) => typeof line === "string")) return data.join("");
  return null;
}

function altText(bundle: MimeBundle): string {
  const plain = text(bundle["text/plain"]);
  return plain ? plain.trim().slice(0, 300) : "Tool output";
}

function base64Image(mime: string, data: unknown, alt: string): HTMLElement | null {
  const b64 = text(data)?.replace(/\s+/g, "");
  if (!b64 || !BASE64.test(b64)) return null;
  return h("img", { class: "ckw-rich-image", src: `data:${mime};base64,${b64}`, alt });
}

/** SVG only as an image: an `<img>` runs no script and loads nothing the SVG refers to. */
function svgImage(data: unknown, alt: string): HTMLElement | null {
  const svg = text(data);
  if (!svg?.includes("<svg")) return null;
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  return h("img", { class: "ckw-rich-image", src, alt });
}

/** Sanitized the way model markdown is (no script, style, handlers, forms or remote images). */
function html(data: unknown): HTMLElement | null {
  const source = text(data);
  if (!source) return null;
  const fragment = sanitize(source);
  if (!fragment.textContent?.trim() && !fragment.querySelector("img")) return null;
  // Focusable so a wide table scrolls from the keyboard; a region needs a name.
  const attrs = { class: "ckw-rich-html", tabindex: "0", role: "region", "aria-label": "Output" };
  return h("div", attrs, fragment);
}

function latex(data: unknown): HTMLElement | null {
  const source = text(data);
  if (!source?.trim()) return null;
  if (DELIMITED_MATH.test(source)) return renderMarkdown(source.trim());
  if (ENVIRONMENT.test(source)) return renderMarkdown(`$$${source.trim()}$$`);
  return h("pre", { class: "ckw-pre ckw-rich-text" }, source);
}

function json(data: unknown): HTMLElement | null {
  let value = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (!isRecord(value) && !Array.isArray(value)) return null;
  return h(
    "details",
    { class: "ckw-rich-json", open: true },
    h("summary", {}, "JSON"),
    h("pre", { class: "ckw-pre" }, JSON.stringify(value, null, 2)),
  );
}
