import type { StructuredInputSubmission, ThreadItem, WidgetAction } from "../../chatkit/types";
import type { ItemMeta } from "../../state/types";
import type { MessageActionHandlers } from "../actions";
import type { Decision, DecisionOptions } from "./tool-row";

/** What rows need from the rest of the widget. */
export interface RowContext {
  /** Origins whose images load without a click besides the page's (the chat's server). */
  imageOrigins?(): readonly string[];
  /** Retry from error row `rowId` (it may resend a message the server never received). */
  retry(rowId?: string): void;
  /** The message toolbars' handlers (absent: messages show no toolbar). */
  actions?: MessageActionHandlers;
  /**
   * Send a person's decision on tool call `callId`, which waits for approval (absent: tool
   * rows show no Approve/Deny buttons).
   */
  decide?(callId: string, decision: Decision, options?: DecisionOptions): void;
  /** A decision on `callId` is on its way (sent or queued): its buttons stay disabled. */
  deciding?(callId: string): boolean;
  /**
   * Run a widget's server action: `threads.custom_action` naming widget item `itemId`, whose
   * answer streams into the transcript. Settles when that stream ends (at once when it could
   * not be sent). Absent: widget actions send nothing.
   */
  customAction?(itemId: string, action: WidgetAction): Promise<void>;
  /**
   * Answer (or skip) structured input item `itemId`: `threads.add_structured_input`, streamed
   * like a message. Settles when that stream ends. Absent: the questions cannot be answered.
   */
  submitStructuredInput?(itemId: string, input: StructuredInputSubmission): Promise<void>;
}

/** One transcript row; `update` runs only when its item changed. */
export interface ItemView {
  readonly el: HTMLElement;
  update(item: ThreadItem, meta: ItemMeta): void;
  /** True when `update` left work for the next frame (a fast stream): update it again then. */
  behind?(): boolean;
}

export function rowElement(item: ThreadItem, className: string): HTMLDivElement {
  const el = document.createElement("div");
  el.className = `ckw-row ${className}`;
  el.dataset.itemId = item.id;
  el.dataset.itemType = item.type;
  return el;
}
