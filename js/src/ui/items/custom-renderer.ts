// The `render_message` trait: an ES module from the notebook author that draws items itself.
//
// Security: the module is code the notebook author supplied, like the widget's own JS or any
// anywidget `_esm`; it runs with the page's rights and is not sandboxed. What it receives is a
// copy of each item (model text included), so escaping that text is the module's job.
import type { ThreadItem } from "../../chatkit/types";
import type { ItemMeta } from "../../state/types";
import type { ItemView, RowContext } from "./types";
import { rowElement } from "./types";

/** `renderMessage(item, el, info)`: draw `item` into `el`; return `false` to decline. */
export type RenderMessage = (item: ThreadItem, el: HTMLElement, info: { done: boolean }) => unknown;

/** Turns module source into the module's namespace. */
export type ModuleLoader = (source: string) => Promise<Record<string, unknown>>;

interface Loaded {
  fn: RenderMessage | null;
  /** A throwing renderer is reported once, not once per item and update. */
  warned: boolean;
}

/** Modules by loader and source: every view of every widget imports a source once. */
const cache = new WeakMap<ModuleLoader, Map<string, Promise<Loaded>>>();

/** A Blob URL and `import()`, as anywidget loads widget modules. */
export const importFromSource: ModuleLoader = async (source) => {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(/* webpackIgnore: true */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
};

function load(source: string, loader: ModuleLoader): Promise<Loaded> {
  let bySource = cache.get(loader);
  if (!bySource) {
    bySource = new Map();
    cache.set(loader, bySource);
  }
  let loaded = bySource.get(source);
  if (!loaded) {
    loaded = loader(source).then(
      (module) => {
        const fn = module.renderMessage ?? module.default;
        if (typeof fn === "function") return { fn: fn as RenderMessage, warned: false };
        console.warn("chatkit-widget: render_message exports no renderMessage or default function");
        return { fn: null, warned: true };
      },
      (error: unknown) => {
        console.warn(
          "chatkit-widget: render_message failed to load; using built-in rendering",
          error,
        );
        return { fn: null, warned: true };
      },
    );
    bySource.set(source, loaded);
  }
  return loaded;
}

/** One widget view's custom renderer: follows the trait, tells rows when to draw again. */
export class CustomRenderer {
  private source = "";
  private loaded: Loaded | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly loader: ModuleLoader = importFromSource) {}

  get active(): boolean {
    return this.loaded?.fn != null;
  }

  /** A new module source ("" for none); resolves once rows drew with it. */
  async setSource(source: string): Promise<void> {
    if (source === this.source) return;
    this.source = source;
    const loaded = source.trim() ? await load(source, this.loader) : null;
    if (this.source !== source) return; // changed again while loading
    this.loaded = loaded;
    for (const listener of [...this.listeners]) listener();
  }

  /** Draws `item` into `el`; false when the module declined or threw (use the built-in view). */
  render(item: ThreadItem, el: HTMLElement, meta: ItemMeta): boolean {
    const loaded = this.loaded;
    if (!loaded?.fn) return false;
    try {
      return loaded.fn(structuredClone(item), el, { done: meta.done }) !== false;
    } catch (error) {
      if (!loaded.warned) {
        loaded.warned = true;
        console.warn("chatkit-widget: render_message threw; using built-in rendering", error);
      }
      return false;
    }
  }

  /** Calls `listener` whenever the module changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.listeners.clear();
    this.source = "";
    this.loaded = null;
  }
}

const renderers = new WeakMap<RowContext, CustomRenderer>();

/** `ctx`, whose rows now consult `renderer` first. */
export function withCustomRenderer<T extends RowContext>(renderer: CustomRenderer, ctx: T): T {
  renderers.set(ctx, renderer);
  return ctx;
}

export function customRendererFor(ctx: RowContext): CustomRenderer | undefined {
  return renderers.get(ctx);
}

/**
 * A row the custom renderer draws when it will, else the built-in view (made on first need).
 * It swaps its element in place, so the transcript keeps one element per item.
 */
export class CustomizableView implements ItemView {
  private builtin: ItemView | null = null;
  private readonly custom: HTMLDivElement;
  private current: HTMLElement;
  private last: { item: ThreadItem; meta: ItemMeta } | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    item: ThreadItem,
    private readonly renderer: CustomRenderer,
    private readonly makeBuiltin: () => ItemView,
  ) {
    this.custom = rowElement(item, "ckw-custom");
    this.current = renderer.active ? this.custom : this.builtinView().el;
    this.unsubscribe = renderer.subscribe(() => this.redraw());
  }

  get el(): HTMLElement {
    return this.current;
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    this.last = { item, meta };
    if (this.renderer.active) {
      // A fresh element each time, drawn in place so the module may measure it; a decline
      // swaps back to the built-in view before anything paints.
      const body = document.createElement("div");
      body.className = "ckw-custom-body";
      this.custom.replaceChildren(body);
      this.show(this.custom);
      if (this.renderer.render(item, body, meta)) return;
      this.custom.replaceChildren();
    }
    const builtin = this.builtinView();
    builtin.update(item, meta);
    this.show(builtin.el);
  }

  private redraw(): void {
    // The transcript dropped this row (it has no dispose hook): stop listening.
    if (!this.current.parentNode) {
      this.unsubscribe();
      return;
    }
    if (this.last) this.update(this.last.item, this.last.meta);
  }

  private builtinView(): ItemView {
    this.builtin ??= this.makeBuiltin();
    return this.builtin;
  }

  private show(el: HTMLElement): void {
    if (el === this.current) return;
    this.current.replaceWith(el);
    this.current = el;
  }
}
