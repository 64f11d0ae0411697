import type { AnyModel, RenderProps } from "@anywidget/types";
import { ChatSession } from "./session";
import css from "./styles.css";
import { CommTransport } from "./transport/comm";
import { Composer } from "./ui/composer";
import { Header } from "./ui/header";
import { type ThemePreference, watchTheme } from "./ui/theme";
import { Transcript } from "./ui/transcript";
import { WorkingIndicator } from "./ui/working";
import { h } from "./util/dom";

/** Traits synced from the Python widget. */
export interface WidgetModel {
  thread_id: string | null;
  placeholder: string;
  height: string;
  theme: ThemePreference;
  model_label: string;
  offline: boolean;
}

const LOCKED_TEXT: Record<string, string> = {
  locked: "This conversation is locked.",
  closed: "This conversation is closed.",
};

function render({ model, el }: Pick<RenderProps<WidgetModel>, "model" | "el">): () => void {
  const root = h("div", { class: "ckw-root", "data-lm-suppress-shortcuts": "true" });
  const cleanups: Array<() => void> = [];
  const transport = new CommTransport(model as AnyModel);
  const composer = new Composer({ send: (text) => send(text), stop: () => session.stop() });
  const session = new ChatSession(transport, {
    threadCreated(threadId) {
      if (model.get("thread_id") === threadId) return;
      model.set("thread_id", threadId);
      model.save_changes();
    },
    restoreText: (text) => composer.restore(text),
  });
  const state = session.state;
  const header = new Header(() => {
    model.set("thread_id", null);
    model.save_changes();
    session.openThread(null);
    composer.focus();
  });
  const transcript = new Transcript(state, {
    retry() {
      session.retry();
      transcript.pinToBottom();
    },
  });
  const working = new WorkingIndicator();
  const theme = watchTheme(root, () => model.get("theme") ?? "auto");
  cleanups.push(
    () => theme.dispose(),
    () => transcript.dispose(),
    () => session.dispose(),
    () => transport.dispose(),
  );

  function send(text: string): boolean {
    const sent = session.send(text);
    if (sent) transcript.pinToBottom();
    return sent;
  }

  const syncBusy = () => {
    composer.setBusy(session.busy, session.canStop);
    working.set(session.busy, state.progress);
  };
  const syncThread = () => {
    header.setTitle(state.title);
    composer.setLocked(LOCKED_TEXT[state.status] ?? null);
  };
  cleanups.push(
    session.onRunningChange(syncBusy),
    state.subscribe((change) => {
      if (change.progress) syncBusy();
      if (change.thread) syncThread();
    }),
  );

  // Keystrokes typed here must never reach JupyterLab's notebook shortcuts.
  const stopKeys = (event: Event) => event.stopPropagation();
  for (const type of ["keydown", "keypress", "keyup"]) {
    root.addEventListener(type, stopKeys);
    cleanups.push(() => root.removeEventListener(type, stopKeys));
  }

  const traits: Array<[keyof WidgetModel, () => void]> = [
    ["thread_id", () => session.openThread(model.get("thread_id") ?? null)],
    ["placeholder", () => composer.setPlaceholder(model.get("placeholder") || "Message")],
    ["height", () => root.style.setProperty("height", model.get("height") || "520px")],
    ["theme", () => theme.update()],
    [
      "model_label",
      () => header.setModel(model.get("model_label") ?? "", model.get("offline") === true),
    ],
    [
      "offline",
      () => {
        header.setModel(model.get("model_label") ?? "", model.get("offline") === true);
        transcript.setOffline(model.get("offline") === true);
      },
    ],
  ];
  for (const [name, apply] of traits) {
    model.on(`change:${name}`, apply);
    cleanups.push(() => model.off(`change:${name}`, apply));
    apply();
  }

  const style = h("style", {}, css);
  root.append(style, header.el, transcript.el, working.el, composer.el);
  el.append(root);
  syncBusy();
  syncThread();
  session.attach();

  return () => {
    for (const cleanup of cleanups.reverse()) cleanup();
    root.remove();
  };
}

export default { render };
