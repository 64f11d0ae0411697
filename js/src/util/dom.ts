type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Create an element: string attrs are set, `true` sets an empty attr, false/undefined skip. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === "class") el.className = value === true ? "" : value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
}

export function setFlag(el: Element, name: string, on: boolean): void {
  if (on) el.setAttribute(name, "true");
  else el.removeAttribute(name);
}

/**
 * Adds a stylesheet to `doc`'s head unless one with `id` is there: an asset's styles, once per
 * page for every chat on it. `css` is called only when the sheet is added.
 */
export function addPageStyle(doc: Document, id: string, css: () => string): void {
  if (doc.getElementById(id)) return;
  const style = doc.createElement("style");
  style.id = id;
  style.textContent = css();
  doc.head.append(style);
}
