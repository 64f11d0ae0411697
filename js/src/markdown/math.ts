// TeX math in markdown: `$..$` and `\(..\)` inline, `$$..$$` and `\[..\]` display.
//
// The tokenizers run before marked's own at each position, so `\(` is math rather than an
// escaped parenthesis, while code spans and code blocks (tokenized as a whole) keep their `$`.
// Rendering happens after sanitization (see render.ts): the renderers only leave a slot.
// KaTeX is an asset (assets/registry.ts): until it arrives a formula shows as its source.
import type { TokenizerAndRendererExtension, Tokens } from "marked";
import { loadedAsset } from "../assets/registry";
import { WaitingForAsset } from "../assets/waiting";

export interface MathToken extends Tokens.Generic {
  type: "math";
  raw: string;
  tex: string;
  display: boolean;
}

/**
 * Inline `$..$`: no space after the opening `$`, none before the closing one, and no digit right
 * after it, so prices ("$5 and $10") stay text. `\$` is a literal dollar inside and outside.
 */
const INLINE_DOLLAR = /^\$(?![\s$])((?:\\[\s\S]|[^\\$])+?)(?<![\s\\])\$(?!\d)/;
const INLINE_DISPLAY = /^\$\$(?!\$)((?:\\[\s\S]|[^\\$])+?)\$\$/;
const INLINE_PAREN = /^\\\(([\s\S]+?)\\\)/;
const INLINE_BRACKET = /^\\\[([\s\S]+?)\\\]/;
/** Where inline math may start: marked's text tokenizer stops there so ours gets a look. */
const INLINE_START = /\$|\\[([]/;

/** Display math as a block of its own lines: `$$` or `\[` opening a line, closing one. */
const BLOCK_MATH = /^ {0,3}(?:\$\$((?:\\[\s\S]|[^\\$])+?)\$\$|\\\[([\s\S]+?)\\\])[ \t]*(?:\n|$)/;
const BLOCK_MATH_START = /(?:^|\n)( {0,3}(?:\$\$|\\\[))/g;
const BLANK_LINE = /\n[ \t]*\n/;

function token(raw: string, tex: string, display: boolean): MathToken | undefined {
  // A blank line ends a paragraph: math cannot span one (and the block splitter splits there).
  if (!tex.trim() || /\n[ \t]*\n/.test(tex)) return undefined;
  return { type: "math", raw, tex: tex.trim(), display };
}

export function mathExtensions(
  slot: (token: MathToken) => string,
): TokenizerAndRendererExtension[] {
  return [
    {
      name: "math",
      level: "block",
      start(src) {
        // marked asks with the rest of the text for each paragraph: look only as far as the
        // paragraph can go (a block cannot hold a blank line), so a long text costs linear time.
        const blank = src.search(BLANK_LINE);
        const paragraph = blank === -1 ? src : src.slice(0, blank);
        // Only where a whole display block matches, or a paragraph would be cut short for nothing.
        for (const match of paragraph.matchAll(BLOCK_MATH_START)) {
          const at = (match.index ?? 0) + match[0].length - (match[1]?.length ?? 0);
          if (BLOCK_MATH.test(paragraph.slice(at))) return at;
        }
        return undefined;
      },
      tokenizer(src) {
        const match = BLOCK_MATH.exec(src);
        if (!match) return undefined;
        return token(match[0], match[1] ?? match[2] ?? "", true);
      },
      renderer: (t) => `<div>${slot(t as MathToken)}</div>`,
    },
    {
      name: "math",
      level: "inline",
      start(src) {
        const at = src.search(INLINE_START);
        return at === -1 ? undefined : at;
      },
      tokenizer(src) {
        let match = INLINE_DISPLAY.exec(src);
        if (match) return token(match[0], match[1] ?? "", true);
        match = INLINE_BRACKET.exec(src);
        if (match) return token(match[0], match[1] ?? "", true);
        match = INLINE_PAREN.exec(src);
        if (match) return token(match[0], match[1] ?? "", false);
        match = INLINE_DOLLAR.exec(src);
        if (match) return token(match[0], match[1] ?? "", false);
        return undefined;
      },
      renderer: (t) => slot(t as MathToken),
    },
  ];
}

/** Rendered formulas by source: a streaming paragraph renders its math again every frame. */
const cache = new Map<string, HTMLElement>();
const CACHE_SIZE = 200;

/** Slots showing source until KaTeX arrives. */
const pending = new WaitingForAsset<string>(
  "katex",
  (slot, tex) => renderMath(slot, tex, slot.classList.contains("ckw-math-display")),
  500,
);

/** Renders TeX into `slot` with KaTeX, or shows its source until KaTeX has arrived. */
export function renderMath(slot: HTMLElement, tex: string, display: boolean): void {
  const katex = loadedAsset("katex");
  if (!katex) {
    showSource(slot, tex, display);
    return;
  }
  const key = `${display ? "D" : "I"}${tex}`;
  let rendered = cache.get(key);
  if (!rendered) {
    rendered = slot.ownerDocument.createElement("span");
    katex.render(tex, rendered, display);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, rendered);
  }
  slot.className = display ? "ckw-math ckw-math-display" : "ckw-math";
  delete slot.dataset.tex;
  slot.replaceChildren(...Array.from(rendered.cloneNode(true).childNodes));
}

function showSource(slot: HTMLElement, tex: string, display: boolean): void {
  slot.className = display
    ? "ckw-math ckw-math-display ckw-math-pending"
    : "ckw-math ckw-math-pending";
  slot.dataset.tex = tex;
  slot.textContent = tex;
  pending.add(slot, tex);
}
