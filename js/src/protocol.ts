// The comm envelope, mirrored from src/chatkit_widget/_protocol.py: keep the two in step.
// Payloads inside (`request`, `events`, `result`) are ChatKit's own JSON, untouched.

/** Any ChatKit request: `{type: "threads.create", params: {...}}`. */
export interface ChatKitRequest {
  type: string;
  params: Record<string, unknown>;
  metadata?: Record<string, unknown>;
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
export type OutgoingMsg = RequestMsg | CancelMsg;

// Kernel -> front end
export interface StartMsg {
  kind: "start";
  id: string;
  request: ChatKitRequest;
}
export interface EventMsg {
  kind: "event";
  id: string;
  events: ChatKitEvent[];
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
export type IncomingMsg = StartMsg | EventMsg | EndMsg | ResponseMsg | ErrorMsg;
