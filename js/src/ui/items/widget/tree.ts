// Renders a widget tree into DOM and keeps it in step with later versions of the tree: nodes
// are matched by `id`, `key` or position, unchanged ones are left alone, changed ones patched
// in place, so a focused input keeps its focus and what was typed into it.
import type { WidgetComponent } from "../../../chatkit/types";
import type { ComponentRenderer, WidgetEnv } from "./env";
import { childrenOf, identityOf, propsKey } from "./model";

interface RenderedNode {
  type: string;
  identity: string;
  props: string;
  el: HTMLElement;
  children: RenderedNode[];
}

export type RendererLookup = (type: string) => ComponentRenderer;

export class WidgetTree {
  private root: RenderedNode | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly lookup: RendererLookup,
    private readonly env: WidgetEnv,
  ) {}

  /** Show `root` (null: nothing), reusing what the last render made where it still fits. */
  render(root: WidgetComponent | null): void {
    const next = root ? this.reconcile(this.root, root, "root") : null;
    if (next?.el !== this.root?.el || this.host.firstElementChild !== (next?.el ?? null)) {
      this.host.replaceChildren(...(next ? [next.el] : []));
    }
    this.root = next;
    if (this.env.busy.active) this.env.busy.refresh(this.host);
  }

  private reconcile(old: RenderedNode | null, c: WidgetComponent, identity: string): RenderedNode {
    const renderer = this.lookup(c.type);
    const props = propsKey(c);
    const same = old !== null && old.type === c.type;
    let el = same ? old.el : null;
    if (el && old?.props !== props && !this.patch(renderer, el, c)) el = null;
    el ??= this.create(renderer, c);
    const node: RenderedNode = { type: c.type, identity, props, el, children: [] };
    const slot = renderer.slot?.(el);
    if (slot) {
      node.children = this.reconcileChildren(same ? old.children : [], childrenOf(c));
      place(slot, node.children);
    }
    renderer.placed?.(el, c);
    return node;
  }

  private reconcileChildren(old: RenderedNode[], children: WidgetComponent[]): RenderedNode[] {
    const byIdentity = new Map(old.map((node) => [node.identity, node]));
    return children.map((child, index) => {
      const identity = identityOf(child, index);
      const previous = byIdentity.get(identity) ?? null;
      byIdentity.delete(identity);
      return this.reconcile(previous, child, identity);
    });
  }

  // A renderer that throws (props of a shape nobody expected) costs its component, not the row.
  private create(renderer: ComponentRenderer, c: WidgetComponent): HTMLElement {
    try {
      return renderer.create(c, this.env);
    } catch (error) {
      console.debug("chatkit-widget: widget component not rendered", c.type, error);
      const el = document.createElement("span");
      el.hidden = true;
      return el;
    }
  }

  private patch(renderer: ComponentRenderer, el: HTMLElement, c: WidgetComponent): boolean {
    try {
      return renderer.patch(el, c, this.env);
    } catch (error) {
      console.debug("chatkit-widget: widget component not updated", c.type, error);
      return false;
    }
  }
}

/** Put the children's elements in `slot` in order, moving only what is out of place. */
function place(slot: HTMLElement, nodes: RenderedNode[]): void {
  let cursor = slot.firstElementChild;
  for (const { el } of nodes) {
    if (el === cursor) cursor = cursor.nextElementSibling;
    else slot.insertBefore(el, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}
