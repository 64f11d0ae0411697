// The UI core as a library, for hosts that another bundler builds (the JupyterLab plugin).

export { nativeAssetSource } from "./assets/native";
export { type AssetSource, useAssetSource } from "./assets/registry";
export type {
  ChatCallbacks,
  ChatHandle,
  ChatOptions,
  ClientToolCall,
  MessageContext,
} from "./chat";
export { createChat } from "./chat";
export type { CodeAction } from "./markdown/code-block";
export { NOTEBOOK_BRIDGE, type NotebookBridge } from "./notebook-bridge";
export type { ChatSettings } from "./settings";
export type { FetchLike, HttpTransportOptions, TabStorage } from "./transport/http";
export { HttpTransport } from "./transport/http";
export type { Transport } from "./transport/types";
