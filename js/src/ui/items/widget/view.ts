// The transcript row of a `widget` item: the tree, kept in step with updates, and Copy (of
// the item's `copy_text`) in the message toolbar. The renderer is an asset
// (assets/registry.ts): until it arrives the row keeps a placeholder of a widget's usual height.

import { loadedAsset, whenAsset } from "../../../assets/registry";
import type { WidgetMount } from "../../../assets/widgets";
import type { ThreadItem, WidgetItem } from "../../../chatkit/types";
import { MarkdownView } from "../../../markdown/render";
import type { ItemMeta } from "../../../state/types";
import { h } from "../../../util/dom";
import { MessageActions } from "../../actions";
import { type ItemView, type RowContext, rowElement } from "../types";

export class WidgetView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly body = h("div", { class: "ckw-widget-body" });
  private readonly actions: MessageActions | null;
  private tree: { render(widget: unknown): void } | null = null;
  /** The newest widget tree, rendered once the renderer is here. */
  private widget: unknown = null;

  constructor(item: ThreadItem, ctx?: RowContext) {
    this.el = rowElement(item, "ckw-widget");
    const options: WidgetMount = {
      itemId: item.id,
      send: ctx?.customAction?.bind(ctx),
      imageOrigins: () => ctx?.imageOrigins?.() ?? [],
      markdown: (className) => new MarkdownView(className),
    };
    this.actions = ctx?.actions ? new MessageActions("widget", ctx.actions) : null;
    this.el.append(this.body);
    if (this.actions) this.el.append(this.actions.el);
    const mount = () => {
      this.body.removeAttribute("aria-busy");
      this.body.classList.remove("ckw-widget-loading");
      this.tree = loadedAsset("widgets")?.mount(this.body, options) ?? null;
      this.tree?.render(this.widget);
    };
    if (loadedAsset("widgets")) {
      mount();
      return;
    }
    this.body.classList.add("ckw-widget-loading");
    this.body.setAttribute("aria-busy", "true");
    whenAsset("widgets", mount);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    this.widget = (item as WidgetItem).widget;
    this.tree?.render(this.widget);
    const copy = copyTextOf(item);
    this.actions?.update(item.id, copy, meta);
    if (this.actions && !copy) this.actions.el.hidden = true;
  }
}

/** What Copy copies for a widget: the item's `copy_text` ("" when it has none). */
export function copyTextOf(item: ThreadItem): string {
  return typeof item.copy_text === "string" ? item.copy_text : "";
}
