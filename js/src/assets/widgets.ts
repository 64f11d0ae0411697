// The widget renderer asset (see registry.ts): every ChatKit widget component, its actions and
// its stylesheet, which joins the page with the first widget. The row around it, and the
// markdown renderer it uses, stay in the UI core (ui/items/widget/view.ts).
import css from "../styles/widgets.css";
import { type SendAction, WidgetActionRunner } from "../ui/items/widget/actions";
import { BusyState, type MarkdownBody, type WidgetEnv } from "../ui/items/widget/env";
import { isComponent } from "../ui/items/widget/model";
import { rendererFor } from "../ui/items/widget/registry";
import { WidgetTree } from "../ui/items/widget/tree";
import { addPageStyle } from "../util/dom";

export interface WidgetMount {
  itemId: string;
  /** Runs a server action (absent: server actions do nothing). */
  send: SendAction | undefined;
  imageOrigins(): readonly string[];
  markdown(className: string): MarkdownBody;
}

export interface MountedWidget {
  /** Shows `widget` (a component tree from the item), patching what is there. */
  render(widget: unknown): void;
}

export interface WidgetsAsset {
  /** Renders widgets into `body`, which should be in a document. */
  mount(body: HTMLElement, options: WidgetMount): MountedWidget;
}

function mount(body: HTMLElement, options: WidgetMount): MountedWidget {
  addPageStyle(body.ownerDocument, "ckw-widget-styles", () => css);
  const busy = new BusyState();
  const runner = new WidgetActionRunner(options.itemId, body, busy, options.send);
  const env: WidgetEnv = {
    itemId: options.itemId,
    busy,
    act: (action, source, scope, values) => runner.run(action, source, scope, values),
    imageOrigins: options.imageOrigins,
    markdown: options.markdown,
  };
  const tree = new WidgetTree(body, rendererFor, env);
  return { render: (widget) => tree.render(isComponent(widget) ? widget : null) };
}

const asset: WidgetsAsset = { mount };
export default asset;
