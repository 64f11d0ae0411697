// The comm envelope, mirrored from src/chatkit_widget/_protocol.py: keep the two in step.
// Payloads inside (`request`, `events`, `result`) are ChatKit's own JSON, untouched; only `text`
// is a short form of one ChatKit event (a lone text delta: `expandText`).

/** Any ChatKit request: `{type: "threads.create", params: {...}}`. */
export interface ChatKitRequest {
  type: string;
  params: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** The `threads.custom_action` request that runs this backend's action `type` on a thread. */
export function customAction(
  threadId: string,
  type: string,
  payload: Record<string, unknown>,
): ChatKitRequest {
  return {
    type: "threads.custom_action",
    params: { thread_id: threadId, item_id: null, action: { type, payload } },
  };
}

/** Any ChatKit stream event (`thread.item.added`, `thread.item.updated`, `error`, ...). */
export interface ChatKitEvent {
  type: string;
  [key: string]: unknown;
}

export type EndReason = "done" | "cancelled" | "error";

// Front end -> kernel
export interface RequestMsg {
  kind: "request";
  id: string;
  request: ChatKitRequest;
}
export interface CancelMsg {
  kind: "cancel";
  id: string;
}
/** A view rendered: replay the streams still running (as `start` with `replay` + a snapshot). */
export interface ResumeMsg {
  kind: "resume";
  id: string;
}
export type OutgoingMsg = RequestMsg | CancelMsg | ResumeMsg;

// Kernel -> front end
export interface StartMsg {
  kind: "start";
  id: string;
  request: ChatKitRequest;
  /** Re-sent for `resume`; the next `event` message adds the items still streaming. */
  replay?: boolean;
}
export interface EventMsg {
  kind: "event";
  id: string;
  events: ChatKitEvent[];
}
/** The commonest `event` in short: one assistant text delta (the comm only; see `expandText`). */
export interface TextMsg {
  kind: "text";
  id: string;
  item_id: string;
  content_index: number;
  delta: string;
}
export interface EndMsg {
  kind: "end";
  id: string;
  reason: EndReason;
}
export interface ResponseMsg {
  kind: "response";
  id: string;
  result: unknown;
}
export interface ErrorMsg {
  kind: "error";
  id: string;
  message: string;
}
/** What JSON request `id` changed (a rename, feedback), for every view to apply. */
export interface ChangedMsg {
  kind: "changed";
  id: string;
  events: ChatKitEvent[];
}
export type IncomingMsg =
  | StartMsg
  | EventMsg
  | TextMsg
  | EndMsg
  | ResponseMsg
  | ErrorMsg
  | ChangedMsg;

/** The ChatKit event a `text` message stands for. */
export function expandText(msg: TextMsg): ChatKitEvent {
  return {
    type: "thread.item.updated",
    item_id: msg.item_id,
    update: {
      type: "assistant_message.content_part.text_delta",
      content_index: msg.content_index,
      delta: msg.delta,
    },
  };
}
