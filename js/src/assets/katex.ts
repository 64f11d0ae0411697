// The KaTeX asset (see registry.ts): KaTeX, and its stylesheet with its fonts inlined, added to
// the document once, on the first formula.
//
// The page is offline-capable and the asset is one file, so fonts cannot be fetched: the woff2
// files are bundled as data URLs (esbuild's dataurl loader). Only the families plain formulas
// use are kept (Main, Math, AMS, Size1-4: ~180 KB of the ~270 KB); \mathcal, \mathfrak,
// \mathsf, \mathscr and \mathtt fall back to the page's fonts.

import katex from "katex";
import ams from "katex/dist/fonts/KaTeX_AMS-Regular.woff2";
import mainBold from "katex/dist/fonts/KaTeX_Main-Bold.woff2";
import mainBoldItalic from "katex/dist/fonts/KaTeX_Main-BoldItalic.woff2";
import mainItalic from "katex/dist/fonts/KaTeX_Main-Italic.woff2";
import mainRegular from "katex/dist/fonts/KaTeX_Main-Regular.woff2";
import mathBoldItalic from "katex/dist/fonts/KaTeX_Math-BoldItalic.woff2";
import mathItalic from "katex/dist/fonts/KaTeX_Math-Italic.woff2";
import size1 from "katex/dist/fonts/KaTeX_Size1-Regular.woff2";
import size2 from "katex/dist/fonts/KaTeX_Size2-Regular.woff2";
import size3 from "katex/dist/fonts/KaTeX_Size3-Regular.woff2";
import size4 from "katex/dist/fonts/KaTeX_Size4-Regular.woff2";
import katexCss from "katex/dist/katex.min.css";
import { addPageStyle } from "../util/dom";

const FONTS: Record<string, string> = {
  "KaTeX_AMS-Regular": ams,
  "KaTeX_Main-Bold": mainBold,
  "KaTeX_Main-BoldItalic": mainBoldItalic,
  "KaTeX_Main-Italic": mainItalic,
  "KaTeX_Main-Regular": mainRegular,
  "KaTeX_Math-BoldItalic": mathBoldItalic,
  "KaTeX_Math-Italic": mathItalic,
  "KaTeX_Size1-Regular": size1,
  "KaTeX_Size2-Regular": size2,
  "KaTeX_Size3-Regular": size3,
  "KaTeX_Size4-Regular": size4,
};

const FONT_FACE = /@font-face\{[^}]*\}/g;
const WOFF2 = /url\(fonts\/([\w-]+)\.woff2\)/;

/** KaTeX's CSS with each kept font's `src` pointing at its data URL, the others' rules gone. */
function katexStylesheet(): string {
  return katexCss.replace(FONT_FACE, (rule) => {
    const name = WOFF2.exec(rule)?.[1] ?? "";
    const font = FONTS[name];
    if (!font) return "";
    return rule.replace(/src:[^;}]*/, `src:url(${font}) format("woff2")`);
  });
}

/**
 * Renders TeX into `el`: errors show as red source text, never throw, and `trust: false` keeps
 * `\href`, `\url` and `\html*` commands out.
 */
function render(tex: string, el: HTMLElement, display: boolean): void {
  addPageStyle(el.ownerDocument, "ckw-katex-styles", katexStylesheet);
  katex.render(tex, el, {
    displayMode: display,
    throwOnError: false,
    trust: false,
    output: "htmlAndMathml",
    strict: "ignore",
    maxExpand: 500, // macro bombs end in an error, not a hung page
    maxSize: 40, // nor can \rule or \kern make a box wider than 40em
  });
}

export interface KatexAsset {
  render(tex: string, el: HTMLElement, display: boolean): void;
}

const asset: KatexAsset = { render };
export default asset;
