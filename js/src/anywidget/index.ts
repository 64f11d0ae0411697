// The cell widget's host: anywidget renders the UI core in an output cell.
import type { RenderProps } from "@anywidget/types";
import { createChat } from "../chat";
import { notebookBridge } from "../notebook-bridge";
import { EnvelopeTransport } from "../transport/envelope";
import { commChannel, followTraits, readSettings, type WidgetModel, writeBack } from "./model-sync";

function render({ model, el }: Pick<RenderProps<WidgetModel>, "model" | "el">): () => void {
  // With the JupyterLab extension installed, code blocks can go into the notebook too.
  const notebook = notebookBridge();
  const chat = createChat(el, {
    transport: new EnvelopeTransport(commChannel(model)),
    settings: { ...readSettings(model), codeActions: notebook?.codeActions ?? [] },
    callbacks: { ...writeBack(model), codeAction: notebook?.codeAction },
  });
  const stopFollowing = followTraits(model, chat);
  return () => {
    stopFollowing();
    chat.dispose();
  };
}

export default { render };
