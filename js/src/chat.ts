// The UI core's one entry: builds the chat inside an element for any host (the anywidget cell,
// the JupyterLab panel). It knows no host: settings come in, thread changes go out, and ChatKit
// traffic goes through the `Transport` it is given.
import type { Thread } from "./chatkit/types";
import type { ClientToolCall } from "./client-tools";
import type { MessageContext } from "./context";
import {
  CODE_ACTIONS,
  type CodeAction,
  flashCodeButton,
  isCodeAction,
} from "./markdown/code-block";
import { warmUpMarkdownWhenIdle } from "./markdown/warm-up";
import { ChatSession } from "./session";
import { type ChatSettings, DEFAULT_SETTINGS, type Feature } from "./settings";
import type { StateChange } from "./state/types";
import actionsCss from "./styles/actions.css";
import contextCss from "./styles/context.css";
import historyCss from "./styles/history.css";
import itemsCss from "./styles/items.css";
import markdownCss from "./styles/markdown.css";
import css from "./styles.css";
import type { Transport } from "./transport/types";
import type { MessageActionHandlers } from "./ui/actions";
import { ReplyAnnouncer } from "./ui/announcer";
import { Composer } from "./ui/composer";
import { Header } from "./ui/header";
import { mostRecentlyActive } from "./ui/history-groups";
import { HistorySlot } from "./ui/history-slot";
import { CustomRenderer, withCustomRenderer } from "./ui/items/custom-renderer";
import { userText } from "./ui/items/messages";
import { applyThemeOptions, schemeOf, watchTheme } from "./ui/theme";
import { Transcript } from "./ui/transcript";
import { WorkingIndicator } from "./ui/working";
import { h, setFlag } from "./util/dom";

export type { ClientToolCall } from "./client-tools";
export type { MessageContext } from "./context";

export interface ChatCallbacks {
  /** The chat moved to another conversation (opened, new, or created by a first message). */
  threadChanged?(threadId: string | null): void;
  /**
   * A code block's action button was pressed (see `ChatSettings.codeActions`). Rejects with
   * what went wrong ("No notebook is open."), which the button shows.
   */
  codeAction?(action: CodeAction, code: string): Promise<void>;
  /**
   * Run a client tool: a turn this chat started ended on a call to it. Resolves with the
   * result (JSON), which continues the turn; a rejection tells the model `{error: message}`.
   * Stop while it runs drops the result. Absent: no client tool is answered here.
   */
  clientTool?(call: ClientToolCall): Promise<unknown>;
  /** The contexts attached to the next message changed (`ChatHandle.attach`, a chip removed). */
  contextChanged?(contexts: MessageContext[]): void;
}

export interface ChatOptions {
  /** Where ChatKit requests go. The chat owns it from here: `dispose()` disposes it. */
  transport: Transport;
  settings?: Partial<ChatSettings>;
  callbacks?: ChatCallbacks;
}

export interface ChatHandle {
  /** The chat's root element (inside the element it was created in). */
  readonly root: HTMLElement;
  /** Apply changed settings live; keys left out keep their value. */
  update(settings: Partial<ChatSettings>): void;
  /** Put the keyboard focus in the composer. */
  focus(): void;
  /**
   * Attach context to the next message, shown as a removable chip above the composer (the
   * same id again replaces it). Sent as ChatKit `input_tag` parts; selections as `quoted_text`.
   */
  attach(context: MessageContext): void;
  /** Remove an attached context by id. */
  detach(id: string): void;
  /**
   * The backend is gone for good (the kernel restarted): say `reason` above the disabled
   * composer, end what was streaming as interrupted; the transcript and the draft stay.
   */
  disconnect(reason: string): void;
  /** Remove the chat and every listener it added. */
  dispose(): void;
}

const LOCKED_TEXT: Record<string, string> = {
  locked: "This conversation is locked.",
  closed: "This conversation is closed.",
};
/** How many of the newest conversations "Continue" looks through for the one used last. */
const RESUME_CANDIDATES = 20;
const STYLES = [css, markdownCss, itemsCss, historyCss, actionsCss, contextCss].join("\n");

/** Build the chat in `element`; the returned handle updates its settings and disposes it. */
export function createChat(element: HTMLElement, options: ChatOptions): ChatHandle {
  const { transport, callbacks = {} } = options;
  const settings: ChatSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const root = h("div", { class: "ckw-root", "data-lm-suppress-shortcuts": "true" });
  warmUpMarkdownWhenIdle(root);
  const cleanups: Array<() => void> = [];
  const composer = new Composer({
    send: (text, contexts) => send(text, contexts),
    stop: () => session.stop(),
    edit(itemId, text) {
      const sent = session.edit(itemId, text);
      if (sent) transcript.followTurn();
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
    contextsChanged: (contexts) => callbacks.contextChanged?.([...contexts]),
  });
  const session = new ChatSession(transport, {
    threadCreated(threadId) {
      history.setAnswering(session.answeringThreads);
      history.threadCreated(threadId);
      moveTo(threadId);
    },
    restoreText: (text, contexts) => composer.restore(text, contexts),
    withdrawText: (text, contexts) => composer.withdraw(text, contexts),
    restoreEdit: (itemId, text) =>
      composer.beginEdit(itemId, text, "The edit did not go through; try again."),
    clientTool: callbacks.clientTool?.bind(callbacks),
  });
  const state = session.state;
  /** Record the conversation shown now and tell the host, once per change. */
  const moveTo = (threadId: string | null) => {
    // The user has chosen where to go: "Continue" is no longer the question.
    transcript.setStartScreen({ resume: null });
    if (settings.threadId === threadId) return;
    settings.threadId = threadId;
    callbacks.threadChanged?.(threadId);
  };
  const openThread = (threadId: string | null) => {
    moveTo(threadId);
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
          covered: [transcript.el, composer.el],
          returnFocus: header.historyButton,
        });
    },
  });
  const history = new HistorySlot({
    list: (after, limit, notebook) => session.listThreads(after, limit, notebook),
    rename: (threadId, title) => session.renameThread(threadId, title),
    remove: (threadId) => session.deleteThread(threadId),
    open(threadId) {
      history.close(false);
      openThread(threadId);
      composer.focus();
    },
    deleted(threadId) {
      if (settings.threadId === threadId) openThread(null);
    },
    shown: (open) => header.setHistoryOpen(open, history.id),
  });
  const features = (): readonly string[] => settings.features;
  /** History can list the notebook's conversations when the host and the backend both can. */
  const historyNotebook = () =>
    features().includes("notebooks" satisfies Feature) ? settings.notebook : null;
  // Not mid-turn: while calls wait for approval the turn is paused, not over.
  const canEdit = () =>
    features().includes("edit" satisfies Feature) && !session.busy && !session.waiting;
  const actions: MessageActionHandlers = {
    features,
    retry() {
      session.retry();
      transcript.followTurn();
      // The Retry button left with the reply it regenerates: keep focus in the widget.
      composer.focus();
    },
    edit(itemId, text) {
      if (canEdit()) composer.beginEdit(itemId, text);
    },
    feedback: (itemId, kind) => void session.feedback(itemId, kind),
    showVersion(itemId, index) {
      if (!session.showVersion(itemId, index)) return;
      transcript.reveal(itemId);
      // The button pressed leaves with the message it belongs to; the row that replaces it
      // has the same switch.
      composer.focus();
    },
  };
  const customRenderer = new CustomRenderer();
  const rowContext = withCustomRenderer(customRenderer, {
    retry(rowId) {
      session.retry(rowId);
      transcript.followTurn();
      composer.focus();
    },
    actions,
    decide(callId, decision, options) {
      if (!session.decide(callId, decision, options)) return;
      transcript.pinToBottom();
      // The clicked buttons are disabled now and leave with the decision: go on to the next
      // call still waiting, else back to the composer.
      const next = root.querySelector<HTMLButtonElement>(".ckw-approval button:not(:disabled)");
      if (next) next.focus();
      else composer.focus();
    },
    deciding: (callId) => session.deciding(callId),
    imageOrigins: () => settings.imageOrigins,
    customAction(itemId, action) {
      const done = session.customAction(itemId, action);
      // What the action brings (an updated widget, a reply) shows at the end.
      transcript.pinToBottom();
      return done;
    },
    submitStructuredInput(itemId, input) {
      const done = session.submitStructuredInput(itemId, input);
      transcript.pinToBottom();
      return done;
    },
  });
  const working = new WorkingIndicator();
  const transcript = new Transcript(
    state,
    rowContext,
    {
      loadOlder: () => void session.loadOlder(),
      sendPrompt(prompt) {
        if (send(prompt)) composer.focus();
      },
      jumped: () => composer.focus(),
      resume(threadId) {
        openThread(threadId);
        composer.focus();
      },
    },
    working.el,
  );
  const announcer = new ReplyAnnouncer(state);
  const theme = watchTheme(root, () => schemeOf(settings.theme));
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

  /**
   * Mounted on a new chat (a re-run cell, a restarted kernel): offer the latest conversation
   * (of this notebook, where the backend can tell) as "Continue: <title>".
   */
  async function offerResume(): Promise<void> {
    if (state.threadId !== null) return;
    let latest: Thread | undefined;
    try {
      // The most recently used of the newest few (the list is by creation).
      const page = await session.listThreads(null, RESUME_CANDIDATES, historyNotebook());
      latest = mostRecentlyActive(page.data);
    } catch {
      return; // no list, no offer: the start screen works without it
    }
    if (!latest || disposed || state.threadId !== null || state.items.length > 0) return;
    const title = latest.title?.trim() || "Untitled conversation";
    transcript.setStartScreen({ resume: { threadId: latest.id, title } });
  }

  function send(text: string, contexts: readonly MessageContext[] = []): boolean {
    const sent = session.send(text, contexts);
    if (sent) transcript.followTurn();
    return sent;
  }

  const syncBusy = () => {
    // Calls waiting for approval pause the turn: nothing runs, but it is not over either.
    // Stop ends it (the calls never run), Send waits (the draft stays).
    const waiting = !session.busy && session.waiting;
    const midTurn = session.busy || waiting;
    // Message actions that make no sense mid-turn (Retry, Edit) hide on this (CSS).
    setFlag(root, "data-busy", midTurn);
    composer.setBusy(midTurn, session.canStop);
    // A client tool the host runs between two streams: say which.
    const tool = session.runningTool;
    working.set(midTurn, tool ? `Running ${tool.name}` : state.progress, waiting);
  };
  // Whether calls wait can change with any task item; text deltas (most changes) cannot.
  const toolRowsChanged = (change: StateChange) =>
    change.order ||
    change.thread ||
    [...change.items].some((id) => state.item(id)?.type === "task");
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
    session.onRunningChange(() => history.setAnswering(session.answeringThreads)),
    state.subscribe((change) => {
      if (change.progress || toolRowsChanged(change)) syncBusy();
      if (change.thread) syncThread();
    }),
  );

  // Keystrokes typed here must never reach the host's shortcuts (JupyterLab's notebook keys).
  const stopKeys = (event: Event) => event.stopPropagation();
  for (const type of ["keydown", "keypress", "keyup"]) {
    root.addEventListener(type, stopKeys);
    cleanups.push(() => root.removeEventListener(type, stopKeys));
  }
  // Escape stops a streaming reply, or a turn waiting for approval, wherever focus is in the
  // chat (the composer handles its own).
  const stopOnEscape = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || event.defaultPrevented || !session.canStop) return;
    event.preventDefault();
    session.stop();
  };
  root.addEventListener("keydown", stopOnEscape);
  cleanups.push(() => root.removeEventListener("keydown", stopOnEscape));
  // Code blocks' host actions (Insert below, Replace cell), delegated: blocks come and go.
  const onCodeAction = (event: MouseEvent) => {
    const target = event.target as Element | null; // a node of this chat's DOM
    const button = target?.closest?.<HTMLButtonElement>("button[data-code-action]");
    const action = button?.dataset.codeAction;
    if (!button || !isCodeAction(action) || !callbacks.codeAction) return;
    const block = button.closest(".ckw-code-block")?.querySelector("pre code")?.textContent ?? "";
    const code = block.replace(/\n$/, ""); // a fence's text ends with a newline; a cell's does not
    callbacks.codeAction(action, code).then(
      () => flashCodeButton(button, CODE_ACTIONS[action].done, true),
      (err: unknown) =>
        flashCodeButton(button, err instanceof Error ? err.message : String(err), false),
    );
  };
  root.addEventListener("click", onCodeAction);
  cleanups.push(() => root.removeEventListener("click", onCodeAction));

  // How each setting is applied, in the order they are applied at first.
  const appliers: { [K in keyof ChatSettings]: () => void } = {
    renderMessage: () => void customRenderer.setSource(settings.renderMessage),
    threadId: () => session.openThread(settings.threadId),
    greeting: () => transcript.setStartScreen({ greeting: settings.greeting }),
    prompts: () => transcript.setStartScreen({ prompts: settings.prompts }),
    placeholder: () => composer.setPlaceholder(settings.placeholder || "Message"),
    height: () => root.style.setProperty("height", settings.height || "520px"),
    theme() {
      theme.update();
      themeProps = applyThemeOptions(root, settings.theme, themeProps);
    },
    modelLabel: () => header.setModel(settings.modelLabel, settings.offline),
    offline() {
      header.setModel(settings.modelLabel, settings.offline);
      transcript.setOffline(settings.offline);
    },
    // Otherwise read when a row's actions are drawn.
    features: () => history.setNotebook(historyNotebook()),
    notebook: () => history.setNotebook(historyNotebook()),
    // Read when an image row is drawn; images already waiting for a click stay so.
    imageOrigins() {},
    codeActions() {
      const offered = settings.codeActions.filter(isCodeAction);
      if (offered.length > 0) root.dataset.codeActions = offered.join(" ");
      else delete root.dataset.codeActions;
    },
  };
  const update = (changed: Partial<ChatSettings>) => {
    Object.assign(settings, changed);
    for (const key of Object.keys(appliers) as Array<keyof ChatSettings>) {
      if (key in changed) appliers[key]();
    }
  };
  update(settings);

  root.append(
    h("style", {}, STYLES),
    header.el,
    transcript.el,
    composer.el,
    announcer.el,
    history.el,
  );
  element.append(root);
  syncBusy();
  syncThread();
  session.attach();
  let disposed = false;
  // Once the host's own set-up has run: it may open a conversation right after mounting.
  const resumeTimer = setTimeout(() => void offerResume(), 0);
  cleanups.push(() => clearTimeout(resumeTimer));

  return {
    root,
    update(changed) {
      if (!disposed) update(changed);
    },
    focus: () => composer.focus(),
    attach(context) {
      if (!disposed) composer.attach(context);
    },
    detach(id) {
      if (!disposed) composer.detach(id);
    },
    disconnect(reason) {
      if (disposed) return;
      history.close(false);
      session.disconnect();
      composer.setDisconnected(reason);
      header.setEnabled(false);
      root.setAttribute("data-disconnected", "true");
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const cleanup of cleanups.reverse()) cleanup();
      root.remove();
    },
  };
}
