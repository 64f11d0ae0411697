// The transcript row of a `widget` item: the tree, kept in step with updates, and Copy (of
// the item's `copy_text`) in the message toolbar.
import type { ThreadItem, WidgetItem } from "../../../chatkit/types";
import type { ItemMeta } from "../../../state/types";
import { h } from "../../../util/dom";
import { MessageActions } from "../../actions";
import { type ItemView, type RowContext, rowElement } from "../types";
import { WidgetActionRunner } from "./actions";
import { BusyState, type WidgetEnv } from "./env";
import { isComponent } from "./model";
import { rendererFor } from "./registry";
import { WidgetTree } from "./tree";

export class WidgetView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly body = h("div", { class: "ckw-widget-body" });
  private readonly tree: WidgetTree;
  private readonly actions: MessageActions | null;

  constructor(item: ThreadItem, ctx?: RowContext) {
    this.el = rowElement(item, "ckw-widget");
    const busy = new BusyState();
    const send = ctx?.customAction?.bind(ctx);
    const runner = new WidgetActionRunner(item.id, this.body, busy, send);
    const env: WidgetEnv = {
      itemId: item.id,
      busy,
      act: (action, source, scope, values) => runner.run(action, source, scope, values),
      imageOrigins: () => ctx?.imageOrigins?.() ?? [],
    };
    this.tree = new WidgetTree(this.body, rendererFor, env);
    this.actions = ctx?.actions ? new MessageActions("widget", ctx.actions) : null;
    this.el.append(this.body);
    if (this.actions) this.el.append(this.actions.el);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const widget = (item as WidgetItem).widget;
    this.tree.render(isComponent(widget) ? widget : null);
    const copy = copyTextOf(item);
    this.actions?.update(item.id, copy, meta);
    if (this.actions && !copy) this.actions.el.hidden = true;
  }
}

/** What Copy copies for a widget: the item's `copy_text` ("" when it has none). */
export function copyTextOf(item: ThreadItem): string {
  return typeof item.copy_text === "string" ? item.copy_text : "";
}
