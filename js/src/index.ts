import type { AnyModel, RenderProps } from "@anywidget/types";
import { ChatSession } from "./session";
import actionsCss from "./styles/actions.css";
import historyCss from "./styles/history.css";
import itemsCss from "./styles/items.css";
import markdownCss from "./styles/markdown.css";
import css from "./styles.css";
import { CommTransport } from "./transport/comm";
import type { MessageActionHandlers } from "./ui/actions";
import { ReplyAnnouncer } from "./ui/announcer";
import { Composer } from "./ui/composer";
import { Header } from "./ui/header";
import { HistoryPanel } from "./ui/history";
import { CustomRenderer, withCustomRenderer } from "./ui/items/custom-renderer";
import { userText } from "./ui/items/messages";
import {
  applyThemeOptions,
  schemeOf,
  type ThemeOptions,
  type ThemePreference,
  watchTheme,
} from "./ui/theme";
import { Transcript } from "./ui/transcript";
import { WorkingIndicator } from "./ui/working";
import { h, setFlag } from "./util/dom";

/** Traits synced from the Python widget. */
export interface WidgetModel {
  thread_id: string | null;
  placeholder: string;
  height: string;
  /** "auto" | "light" | "dark", or a normalised theme dict (see `_theme.py`). */
  theme: ThemePreference | ThemeOptions;
  model_label: string;
  offline: boolean;
  /** Start screen of an empty thread ("" = the built-in greeting). */
  greeting: string;
  prompts: StarterPrompt[];
  /** Source of an ES module whose `renderMessage(item, el)` (or default export) renders items. */
  render_message: string;
  /** What the backend supports beyond the basics: "edit", "feedback". */
  features: string[];
}

/** A starter prompt on the start screen. */
export interface StarterPrompt {
  label: string;
  prompt: string;
}

export type { ThemeOptions } from "./ui/theme";

const LOCKED_TEXT: Record<string, string> = {
  locked: "This conversation is locked.",
  closed: "This conversation is closed.",
};

function render({ model, el }: Pick<RenderProps<WidgetModel>, "model" | "el">): () => void {
  const root = h("div", { class: "ckw-root", "data-lm-suppress-shortcuts": "true" });
  const cleanups: Array<() => void> = [];
  const transport = new CommTransport(model as AnyModel);
  const composer = new Composer({
    send: (text) => send(text),
    stop: () => session.stop(),
    edit(itemId, text) {
      const sent = session.edit(itemId, text);
      if (sent) transcript.pinToBottom();
      return sent;
    },
    editLast() {
      const itemId = state.lastUserMessageId();
      const item = itemId === null ? undefined : state.item(itemId);
      if (item && canEdit()) composer.beginEdit(item.id, userText(item));
    },
    editingChanged(itemId) {
      for (const row of root.querySelectorAll("[data-editing]"))
        row.removeAttribute("data-editing");
      if (itemId === null) return;
      for (const row of root.querySelectorAll<HTMLElement>(".ckw-row[data-item-id]")) {
        if (row.dataset.itemId === itemId) row.setAttribute("data-editing", "true");
      }
    },
  });
  const session = new ChatSession(transport, {
    threadCreated(threadId) {
      history.threadCreated(threadId);
      if (model.get("thread_id") === threadId) return;
      model.set("thread_id", threadId);
      model.save_changes();
    },
    restoreText: (text) => composer.restore(text),
    withdrawText: (text) => composer.withdraw(text),
    restoreEdit: (itemId, text) =>
      composer.beginEdit(itemId, text, "The edit did not go through; try again."),
  });
  const state = session.state;
  const openThread = (threadId: string | null) => {
    model.set("thread_id", threadId);
    model.save_changes();
    session.openThread(threadId);
  };
  const header = new Header({
    newChat() {
      history.close(false);
      openThread(null);
      composer.focus();
    },
    toggleHistory() {
      if (history.isOpen) history.close();
      else
        history.open({
          below: header.el,
          covered: [transcript.el, working.el, composer.el],
          returnFocus: header.historyButton,
        });
    },
  });
  const history = new HistoryPanel({
    list: (after, limit) => session.listThreads(after, limit),
    rename: (threadId, title) => session.renameThread(threadId, title),
    remove: (threadId) => session.deleteThread(threadId),
    open(threadId) {
      history.close(false);
      openThread(threadId);
      composer.focus();
    },
    deleted(threadId) {
      if (model.get("thread_id") === threadId) openThread(null);
    },
    shown: (open) => header.setHistoryOpen(open, history.id),
  });
  const features = (): readonly string[] => model.get("features") ?? [];
  const canEdit = () => features().includes("edit") && !session.busy;
  const actions: MessageActionHandlers = {
    features,
    retry() {
      session.retry();
      transcript.pinToBottom();
      // The Retry button left with the reply it regenerates: keep focus in the widget.
      composer.focus();
    },
    edit(itemId, text) {
      if (canEdit()) composer.beginEdit(itemId, text);
    },
    feedback: (itemId, kind) => void session.feedback(itemId, kind),
  };
  const customRenderer = new CustomRenderer();
  const rowContext = withCustomRenderer(customRenderer, {
    retry(rowId) {
      session.retry(rowId);
      transcript.pinToBottom();
      composer.focus();
    },
    actions,
  });
  const transcript = new Transcript(state, rowContext, {
    loadOlder: () => void session.loadOlder(),
    sendPrompt(prompt) {
      if (send(prompt)) composer.focus();
    },
  });
  const announcer = new ReplyAnnouncer(state);
  const working = new WorkingIndicator();
  const theme = watchTheme(root, () => schemeOf(model.get("theme")));
  let themeProps = new Set<string>();
  cleanups.push(
    () => announcer.dispose(),
    () => theme.dispose(),
    () => transcript.dispose(),
    () => history.dispose(),
    () => customRenderer.dispose(),
    () => session.dispose(),
    () => transport.dispose(),
  );

  function send(text: string): boolean {
    const sent = session.send(text);
    if (sent) transcript.pinToBottom();
    return sent;
  }

  const syncBusy = () => {
    // Message actions that make no sense mid-reply (Retry, Edit) hide on this (CSS).
    setFlag(root, "data-busy", session.busy);
    composer.setBusy(session.busy, session.canStop);
    working.set(session.busy, state.progress);
  };
  let shownThread = state.threadId;
  const syncThread = () => {
    // An edit belongs to the thread it started in.
    if (state.threadId !== shownThread) composer.cancelEdit();
    shownThread = state.threadId;
    header.setTitle(state.title);
    history.setCurrent(state.threadId, state.title);
    const locked = LOCKED_TEXT[state.status];
    composer.setLocked(locked ? (state.statusReason ?? locked) : null);
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
  // Escape stops a streaming reply wherever focus is in the widget (the composer handles its own).
  const stopOnEscape = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || event.defaultPrevented || !session.canStop) return;
    event.preventDefault();
    session.stop();
  };
  root.addEventListener("keydown", stopOnEscape);
  cleanups.push(() => root.removeEventListener("keydown", stopOnEscape));

  const traits: Array<[keyof WidgetModel, () => void]> = [
    ["render_message", () => void customRenderer.setSource(model.get("render_message") ?? "")],
    ["thread_id", () => session.openThread(model.get("thread_id") ?? null)],
    ["greeting", () => transcript.setStartScreen({ greeting: model.get("greeting") ?? "" })],
    ["prompts", () => transcript.setStartScreen({ prompts: model.get("prompts") ?? [] })],
    ["placeholder", () => composer.setPlaceholder(model.get("placeholder") || "Message")],
    ["height", () => root.style.setProperty("height", model.get("height") || "520px")],
    [
      "theme",
      () => {
        theme.update();
        themeProps = applyThemeOptions(root, model.get("theme"), themeProps);
      },
    ],
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

  const style = h("style", {}, [css, markdownCss, itemsCss, historyCss, actionsCss].join("\n"));
  root.append(style, header.el, transcript.el, working.el, composer.el, announcer.el, history.el);
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
