// The cell widget's host: anywidget renders the UI core in an output cell.
import type { RenderProps } from "@anywidget/types";
import { useAssetSource } from "../assets/registry";
import { createChat } from "../chat";
import { notebookBridge } from "../notebook-bridge";
import { EnvelopeTransport } from "../transport/envelope";
import { kernelAssetSource } from "./assets";
import {
  commChannel,
  followTraits,
  onKernelGone,
  readSettings,
  type WidgetModel,
  writeBack,
} from "./model-sync";

const KERNEL_GONE =
  "The kernel restarted, so this chat is no longer connected: run its cell again to continue.";

function render({ model, el }: Pick<RenderProps<WidgetModel>, "model" | "el">): () => void {
  // With the JupyterLab extension installed, code blocks can go into the notebook too.
  const notebook = notebookBridge();
  // KaTeX, highlight.js and the widget renderer come from this chat's kernel when first needed.
  useAssetSource(kernelAssetSource(model));
  const chat = createChat(el, {
    transport: new EnvelopeTransport(commChannel(model)),
    settings: { ...readSettings(model), codeActions: notebook?.codeActions ?? [] },
    callbacks: { ...writeBack(model), codeAction: notebook?.codeAction },
  });
  const stopFollowing = followTraits(model, chat);
  const stopWatching = onKernelGone(model, () => chat.disconnect(KERNEL_GONE));
  return () => {
    stopWatching();
    stopFollowing();
    chat.dispose();
  };
}

export default { render };
