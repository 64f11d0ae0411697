import { h } from "../util/dom";

const OFFLINE_TITLE =
  "No OPENAI_API_KEY: a built-in deterministic model answers. Pass agent=... or set OPENAI_API_KEY for a real model.";

/** Title, model label, offline badge and New chat. */
export class Header {
  readonly el: HTMLElement;
  private readonly title = h("div", { class: "ckw-title" });
  private readonly modelLabel = h("span", { class: "ckw-model-label" });
  private readonly badge = h(
    "span",
    { class: "ckw-badge", "data-role": "offline-badge", title: OFFLINE_TITLE, hidden: true },
    "Offline demo model",
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

  constructor(onNewChat: () => void) {
    this.el = h(
      "header",
      { class: "ckw-header" },
      h(
        "div",
        { class: "ckw-heading" },
        this.title,
        h("div", { class: "ckw-meta" }, this.modelLabel, this.badge),
      ),
      this.newChat,
    );
    this.newChat.addEventListener("click", onNewChat);
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
