import type { ThreadItem } from "../../chatkit/types";
import { CustomizableView, customRendererFor } from "./custom-renderer";
import { GeneratedImageView } from "./generated-image";
import { AssistantMessageView, UserMessageView } from "./messages";
import { ErrorRowView, NoticeRowView, UnknownItemView } from "./status-rows";
import { StructuredInputView } from "./structured-input";
import { createClientToolCallView, createTaskView } from "./task";
import type { ItemView, RowContext } from "./types";
import { WidgetView } from "./widget/view";
import { WorkflowView } from "./workflow";

const HIDDEN: ReadonlySet<string> = new Set([
  "end_of_turn",
  "hidden_context_item",
  "sdk_hidden_context",
]);

/** The row for an item, or null for items that are never shown. */
export function createItemView(item: ThreadItem, ctx: RowContext): ItemView | null {
  if (HIDDEN.has(item.type)) return null;
  // The notebook's own renderer (the `render_message` trait) gets the first say on every row.
  const custom = customRendererFor(ctx);
  if (custom) return new CustomizableView(item, custom, () => builtinView(item, ctx));
  return builtinView(item, ctx);
}

/** The widget's own row for a shown item. */
export function builtinView(item: ThreadItem, ctx: RowContext): ItemView {
  switch (item.type) {
    case "user_message":
      return new UserMessageView(item, ctx);
    case "assistant_message":
      return new AssistantMessageView(item, ctx);
    case "task":
      return createTaskView(item, ctx);
    case "client_tool_call":
      return createClientToolCallView(item);
    case "workflow":
      return new WorkflowView(item);
    case "error":
      return new ErrorRowView(item, ctx);
    case "notice":
      return new NoticeRowView(item);
    case "widget":
      return new WidgetView(item, ctx);
    case "structured_input":
      return new StructuredInputView(item, ctx);
    case "generated_image":
      return new GeneratedImageView(item, ctx);
    default:
      return new UnknownItemView(item);
  }
}
