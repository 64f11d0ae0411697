// Where an answer came from: the annotations of an assistant message (and a search task's
// sources) as a numbered list of links. Only http(s) URLs become links; the rest stay text.
import { isRecord } from "../../chatkit/types";
import { h } from "../../util/dom";

/** A ChatKit source (`URLSource`, `FileSource`, `EntitySource`), as far as the list needs it. */
export interface Source {
  type: string;
  title: string;
  url?: string;
  filename?: string;
  id?: string;
  attribution?: string;
}

const WEB_URL = /^https?:\/\//i;

/** The sources of a message's content parts, in order of first mention, without repeats. */
export function annotationSources(content: unknown): Source[] {
  const sources: Source[] = [];
  const seen = new Set<string>();
  for (const part of Array.isArray(content) ? content : []) {
    const annotations = isRecord(part) && Array.isArray(part.annotations) ? part.annotations : [];
    for (const annotation of annotations) {
      const source = isRecord(annotation) ? asSource(annotation.source) : null;
      if (!source) continue;
      const key = identity(source);
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push(source);
    }
  }
  return sources;
}

/** Numbered source links (null when there are none). */
export function sourceList(raw: readonly unknown[]): HTMLOListElement | null {
  const sources = raw.map(asSource).filter((s): s is Source => s !== null);
  if (!sources.length) return null;
  const list = h("ol", { class: "ckw-sources", "aria-label": "Sources" });
  for (const source of sources) list.append(h("li", {}, sourceLabel(source)));
  return list;
}

const shown = new WeakMap<HTMLElement, { key: string; el: HTMLElement | null }>();

/**
 * Keeps the "Sources" list of `row` (right after `body`, else last) in step with the message's
 * annotations. Cheap to call on every update: it renders again only when the sources changed.
 */
export function updateSources(row: HTMLElement, content: unknown, body?: Element): void {
  const sources = annotationSources(content);
  const key = JSON.stringify(sources);
  const previous = shown.get(row);
  if (previous?.key === key) return;
  previous?.el?.remove();
  const list = sourceList(sources);
  const el = list && h("div", { class: "ckw-message-sources" }, list);
  if (el && body?.parentNode === row) body.after(el);
  else if (el) row.append(el);
  shown.set(row, { key, el });
}

function asSource(value: unknown): Source | null {
  if (!isRecord(value)) return null;
  const url = typeof value.url === "string" ? value.url.trim() : undefined;
  const filename = typeof value.filename === "string" ? value.filename : undefined;
  const title = typeof value.title === "string" && value.title.trim() ? value.title.trim() : "";
  const label = title || filename || url;
  if (!label) return null;
  const source: Source = {
    type: typeof value.type === "string" ? value.type : "url",
    title: label,
  };
  if (url) source.url = url;
  if (filename) source.filename = filename;
  if (typeof value.id === "string") source.id = value.id;
  if (typeof value.attribution === "string") source.attribution = value.attribution;
  return source;
}

function identity(source: Source): string {
  if (source.url) return `url:${source.url}`;
  if (source.id) return `${source.type}:id:${source.id}`;
  return `${source.type}:${source.filename ?? ""}:${source.title}`;
}

function sourceLabel(source: Source): Node {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripped the way browsers do in URLs
  const url = source.url?.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  if (url && WEB_URL.test(url)) {
    const link = h(
      "a",
      { href: url, target: "_blank", rel: "noopener noreferrer", title: url },
      source.title,
    );
    const host = source.title === url ? "" : hostOf(url);
    if (!source.attribution && !host) return link;
    const span = h("span", {}, link);
    span.append(h("span", { class: "ckw-source-host" }, ` · ${source.attribution ?? host}`));
    return span;
  }
  return h("span", { class: "ckw-source-text" }, source.title);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return "";
  }
}
