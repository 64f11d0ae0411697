// Syntax highlighting for settled code blocks: highlight.js core with a few common languages
// registered explicitly (the full build is ~1 MB). Unknown languages stay plain text.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

for (const [name, language] of Object.entries({
  bash,
  css,
  javascript,
  json,
  markdown,
  python,
  shell,
  sql,
  typescript,
  xml,
  yaml,
})) {
  hljs.registerLanguage(name, language);
}
// Their aliases cover py, js, ts, sh, zsh, html, svg, yml, md, jsonc...; these are also common.
hljs.registerAliases(["console", "shellsession"], { languageName: "shell" });
hljs.registerAliases(["ipython", "python3"], { languageName: "python" });

/**
 * Longer code stays plain: highlighting it and styling its spans is one long stall (a 2,500-line
 * block: ~0.5 s in Chromium), worse than plain text for the reader.
 */
const MAX_HIGHLIGHT = 20_000;

/** Recent results by language and source: an open block re-renders its closed fences per frame. */
const cache = new Map<string, string>();
const CACHE_SIZE = 50;

/** The highlight.js language for a fence's info word, if one is registered. */
export function knownLanguage(lang: string): string | null {
  const language = hljs.getLanguage(lang.toLowerCase());
  return language ? lang.toLowerCase() : null;
}

/**
 * Highlights `code` (a `<code>` holding plain text) in place. highlight.js escapes the source
 * it is given and emits only `<span class="hljs-...">`, so its HTML is safe to insert.
 */
export function highlightCode(code: HTMLElement, lang: string): boolean {
  const language = knownLanguage(lang);
  if (!language) return false;
  const source = code.textContent ?? "";
  if (source.length > MAX_HIGHLIGHT) return false;
  const key = `${language}\u0000${source}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = hljs.highlight(source, { language, ignoreIllegals: true }).value;
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, html);
  }
  code.innerHTML = html;
  code.classList.add("hljs");
  return true;
}
