// The highlight.js asset (see registry.ts): its core with a few common languages registered
// explicitly (the full build is ~1 MB). markdown/highlight.ts knows their names without it.
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
const MORE_ALIASES = { shell: ["console", "shellsession"], python: ["ipython", "python3"] };
for (const [languageName, aliases] of Object.entries(MORE_ALIASES)) {
  hljs.registerAliases(aliases, { languageName });
}

export interface HighlightAsset {
  /** `source` as HTML: escaped text and `<span class="hljs-...">` only. */
  highlight(source: string, language: string): string;
  /** Every name and alias registered. */
  languages(): string[];
}

const asset: HighlightAsset = {
  highlight: (source, language) => hljs.highlight(source, { language, ignoreIllegals: true }).value,
  languages: () => [
    ...hljs.listLanguages().flatMap((name) => [name, ...(hljs.getLanguage(name)?.aliases ?? [])]),
    ...Object.values(MORE_ALIASES).flat(),
  ],
};
export default asset;
