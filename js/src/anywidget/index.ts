// The cell widget's host: anywidget renders the UI core in an output cell.
import type { RenderProps } from "@anywidget/types";
import { createChat } from "../chat";
import { EnvelopeTransport } from "../transport/envelope";
import { commChannel, followTraits, readSettings, type WidgetModel, writeBack } from "./model-sync";

function render({ model, el }: Pick<RenderProps<WidgetModel>, "model" | "el">): () => void {
  const chat = createChat(el, {
    transport: new EnvelopeTransport(commChannel(model)),
    settings: readSettings(model),
    callbacks: writeBack(model),
  });
  const stopFollowing = followTraits(model, chat);
  return () => {
    stopFollowing();
    chat.dispose();
  };
}

export default { render };
