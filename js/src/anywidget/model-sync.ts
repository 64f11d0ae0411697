// Every read, write and listener on the anywidget model lives here (as lonboard's
// python-sync.ts): traits become the UI core's settings, and its thread changes become traits.
import type { AnyModel } from "@anywidget/types";
import type { ChatCallbacks, ChatHandle } from "../chat";
import type { OutgoingMsg } from "../protocol";
import type { ChatSettings, StarterPrompt } from "../settings";
import type { EnvelopeChannel } from "../transport/envelope";
import type { ThemeOptions, ThemePreference } from "../ui/theme";

/** Traits synced from the Python widget (`widget.py`). */
export interface WidgetModel {
  thread_id: string | null;
  placeholder: string;
  height: string;
  theme: ThemePreference | ThemeOptions;
  model_label: string;
  offline: boolean;
  greeting: string;
  prompts: StarterPrompt[];
  render_message: string;
  features: string[];
  image_origins: string[];
}

type Model = AnyModel<WidgetModel>;

/** Each trait and the setting it feeds; `null`/missing values fall back to the core's defaults. */
const TRAITS: { [T in keyof WidgetModel]: (model: Model) => Partial<ChatSettings> } = {
  render_message: (m) => ({ renderMessage: m.get("render_message") ?? "" }),
  thread_id: (m) => ({ threadId: m.get("thread_id") ?? null }),
  greeting: (m) => ({ greeting: m.get("greeting") ?? "" }),
  prompts: (m) => ({ prompts: m.get("prompts") ?? [] }),
  placeholder: (m) => ({ placeholder: m.get("placeholder") ?? "" }),
  height: (m) => ({ height: m.get("height") ?? "" }),
  theme: (m) => ({ theme: m.get("theme") ?? "auto" }),
  model_label: (m) => ({ modelLabel: m.get("model_label") ?? "" }),
  offline: (m) => ({ offline: m.get("offline") === true }),
  features: (m) => ({ features: m.get("features") ?? [] }),
  image_origins: (m) => ({ imageOrigins: m.get("image_origins") ?? [] }),
};
const NAMES = Object.keys(TRAITS) as Array<keyof WidgetModel>;

/** The settings the traits hold now. */
export function readSettings(model: Model): Partial<ChatSettings> {
  return Object.assign({}, ...NAMES.map((name) => TRAITS[name](model)));
}

/** The chat's thread changes, written back to the `thread_id` trait. */
export function writeBack(model: Model): ChatCallbacks {
  return {
    threadChanged(threadId) {
      if (model.get("thread_id") === threadId) return;
      model.set("thread_id", threadId);
      model.save_changes();
    },
  };
}

/** Apply every trait change to the chat live; returns the function that stops listening. */
export function followTraits(model: Model, chat: ChatHandle): () => void {
  const stops = NAMES.map((name) => {
    const apply = () => chat.update(TRAITS[name](model));
    model.on(`change:${name}`, apply);
    return () => model.off(`change:${name}`, apply);
  });
  return () => {
    for (const stop of stops) stop();
  };
}

/** The comm's custom messages, as the channel the envelope transport runs on. */
export function commChannel(model: AnyModel): EnvelopeChannel {
  return {
    send: (msg: OutgoingMsg) => model.send(msg),
    subscribe(cb) {
      model.on("msg:custom", cb);
      return () => model.off("msg:custom", cb);
    },
  };
}

/**
 * Call `gone` once the model's kernel connection is lost for good. The widget manager marks
 * its models' comms dead when the kernel restarts (`comm_live_update`; a model is only ever
 * made live before it renders) and closes a model whose comm closes (`destroy`).
 */
export function onKernelGone(model: AnyModel, gone: () => void): () => void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    gone();
  };
  model.on("comm_live_update", once);
  model.on("destroy", once);
  return () => {
    model.off("comm_live_update", once);
    model.off("destroy", once);
  };
}
