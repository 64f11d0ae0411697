import { h } from "../util/dom";

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
    "History",
  );
  private readonly newChat = h(
    "button",
    {
      type: "button",
      class: "ckw-button ckw-new-chat",
      "aria-label": "New chat",
      title: "New chat",
    },
    "New chat",
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
