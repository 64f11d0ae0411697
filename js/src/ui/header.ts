import { h } from "../util/dom";
import { strokeIcon } from "./icons";

const OFFLINE_TITLE =
  "No OPENAI_API_KEY: a built-in deterministic model answers. For a real model, set OPENAI_API_KEY or give the chat your own agent.";

export interface HeaderActions {
  newChat(): void;
  toggleHistory(): void;
}

/** Title, model label, offline badge, History and New chat. */
export class Header {
  readonly el: HTMLElement;
  private readonly title = h("div", { class: "ckw-title" });
  private readonly modelLabel = h("span", { class: "ckw-model-label" });
  private readonly badge = h(
    "span",
    { class: "ckw-badge", "data-role": "offline-badge", title: OFFLINE_TITLE, hidden: true },
    "Offline demo model",
  );
  /** Focus returns here when the history panel closes. */
  readonly historyButton = h(
    "button",
    {
      type: "button",
      class: "ckw-button ckw-history-button",
      "aria-label": "History",
      "aria-expanded": "false",
      title: "Conversation history",
    },
    // A clock with a turning-back arrow.
    strokeIcon(["M2.6 8a5.4 5.4 0 1 0 1.6-3.8", "M2.4 2.6v2.6h2.6", "M8 5.2V8l1.9 1.3"]),
    h("span", { class: "ckw-button-label" }, "History"),
  );
  private readonly newChat = h(
    "button",
    {
      type: "button",
      class: "ckw-button ckw-new-chat",
      "aria-label": "New chat",
      title: "New chat",
    },
    // A pencil over a page.
    strokeIcon([
      "M13 9v3.5a1.5 1.5 0 0 1-1.5 1.5h-8A1.5 1.5 0 0 1 2 12.5v-8A1.5 1.5 0 0 1 3.5 3H7",
      "M11.5 2.5l2 2L8 10H6V8z",
    ]),
    h("span", { class: "ckw-button-label" }, "New chat"),
  );

  constructor(actions: HeaderActions) {
    this.el = h(
      "div",
      { class: "ckw-header" },
      h(
        "div",
        { class: "ckw-heading" },
        this.title,
        h("div", { class: "ckw-meta" }, this.modelLabel, this.badge),
      ),
      this.historyButton,
      this.newChat,
    );
    this.newChat.addEventListener("click", () => actions.newChat());
    this.historyButton.addEventListener("click", () => actions.toggleHistory());
  }

  /** The history panel this button opens is shown (or not). */
  setHistoryOpen(open: boolean, panelId: string): void {
    this.historyButton.setAttribute("aria-expanded", String(open));
    this.historyButton.setAttribute("aria-controls", panelId);
  }

  /** History and New chat need the backend: off once it is gone. */
  setEnabled(enabled: boolean): void {
    this.historyButton.disabled = !enabled;
    this.newChat.disabled = !enabled;
  }

  setTitle(title: string | null): void {
    this.title.textContent = title || "New chat";
  }

  setModel(label: string, offline: boolean): void {
    // The badge already names the offline model; don't say it twice.
    this.modelLabel.textContent = offline && label === "Offline demo model" ? "" : label;
    this.modelLabel.hidden = !this.modelLabel.textContent;
    this.badge.hidden = !offline;
  }
}
