export type { ChatCallbacks, ChatHandle, ChatOptions } from "./chat";
export { createChat } from "./chat";
export type { ChatSettings } from "./settings";
export type { FetchLike, HttpTransportOptions } from "./transport/http";
export { HttpTransport } from "./transport/http";
export type { Transport } from "./transport/types";
