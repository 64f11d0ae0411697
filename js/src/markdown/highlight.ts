// Syntax highlighting for settled code blocks, with the highlight.js asset (see
// assets/registry.ts): until it arrives, code shows as plain text and is highlighted in place
// when it does.
import { loadedAsset, requestAsset, whenAsset } from "../assets/registry";
import { WaitingForAsset } from "../assets/waiting";

/** What the asset registers (names and aliases): a fence's label is known without it. */
const LANGUAGES: ReadonlySet<string> = new Set(
  (
    "atom bash cjs console css cts gyp html ipython javascript js json json5 jsonc jsx " +
    "markdown md mjs mkd mkdown mts plist py python python3 rss sh shell shellsession sql svg " +
    "ts tsx typescript wsf xhtml xjb xml xsd xsl yaml yml zsh"
  ).split(" "),
);

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
  const name = lang.toLowerCase();
  return LANGUAGES.has(name) ? name : null;
}

/** Every name `knownLanguage` knows (a test checks them against the asset's). */
export function knownLanguages(): string[] {
  return [...LANGUAGES];
}

/** Languages whose grammar highlight.js has compiled, or will as soon as it can. */
const compiled = new Set<string>();

/**
 * A fence in `lang` opened: have highlight.js on its way and compile the language's grammar
 * (highlight.js does it on a language's first use) before the fence closes, in a task that
 * renders nothing: in the frame that settled a fast reply's first code block, it took 15-20 ms
 * more (the task: 45-62 ms). If the asset is on its way, in the task it arrives in.
 */
export function prepareHighlight(lang: string): void {
  const language = knownLanguage(lang);
  if (!language) return;
  requestAsset("highlight"); // again if the last request failed
  if (compiled.has(language)) return;
  compiled.add(language);
  const compile = () => loadedAsset("highlight")?.highlight("x = f(1)\n", language);
  if (loadedAsset("highlight")) setTimeout(compile, 0);
  else whenAsset("highlight", compile);
}

/** Code blocks waiting for the asset, with their language. */
const pending = new WaitingForAsset<string>("highlight", highlightCode, 200);

/**
 * Highlights `code` (a `<code>` holding plain text) in place. highlight.js escapes the source
 * it is given and emits only `<span class="hljs-...">`, so its HTML is safe to insert.
 */
export function highlightCode(code: HTMLElement, lang: string): boolean {
  const language = knownLanguage(lang);
  if (!language) return false;
  const source = code.textContent ?? "";
  if (source.length > MAX_HIGHLIGHT) return false;
  const hljs = loadedAsset("highlight");
  if (!hljs) {
    pending.add(code, language);
    return true;
  }
  const key = `${language}\u0000${source}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = hljs.highlight(source, language);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, html);
  }
  code.innerHTML = html;
  code.classList.add("hljs");
  return true;
}
