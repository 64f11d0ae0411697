import type { ErrorRow, NoticeRow, ThreadItem } from "../../chatkit/types";
import { renderMarkdownInto } from "../../markdown/fragment";
import { h } from "../../util/dom";
import { statusIcon } from "../icons";
import { type ItemView, type RowContext, rowElement } from "./types";

/** A failed turn: the message, and Retry when the server allows it. */
export class ErrorRowView implements ItemView {
  readonly el: HTMLDivElement;

  constructor(
    item: ThreadItem,
    private readonly ctx: RowContext,
  ) {
    this.el = rowElement(item, "ckw-error");
    this.el.setAttribute("role", "alert");
  }

  update(item: ThreadItem): void {
    const row = item as ErrorRow;
    const text = h("div", { class: "ckw-error-text" }, row.message || "Something went wrong.");
    this.el.replaceChildren(statusIcon("error"), text);
    if (row.allow_retry) {
      const button = h(
        "button",
        { type: "button", class: "ckw-button ckw-retry", "aria-label": "Retry" },
        "Retry",
      );
      button.addEventListener("click", () => this.ctx.retry(row.id));
      this.el.append(button);
    }
  }
}

type NoticeLevel = "info" | "warning" | "danger";

// Static markup only: nothing from the server reaches innerHTML here.
const NOTICE_ICONS: Record<NoticeLevel, string> = {
  info: '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 7.2v4M8 4.8v.1" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>',
  warning:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1.8l6.6 11.7H1.4z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M8 6.3v3.4M8 11.6v.1" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>',
  danger:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M5.8 5.8l4.4 4.4m0-4.4l-4.4 4.4" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>',
};
const LEVEL_NAMES: Record<NoticeLevel, string> = {
  info: "Note",
  warning: "Warning",
  danger: "Error",
};

function noticeLevel(value: unknown): NoticeLevel {
  return value === "warning" || value === "danger" ? value : "info";
}

/**
 * A server notice (markdown allowed), styled by level with an icon. Danger notices are alerts
 * (read out at once); the others are polite status messages.
 */
export class NoticeRowView implements ItemView {
  readonly el: HTMLDivElement;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-notice");
  }

  update(item: ThreadItem): void {
    const notice = item as NoticeRow;
    const level = noticeLevel(notice.level);
    this.el.dataset.level = level;
    this.el.setAttribute("role", level === "danger" ? "alert" : "status");
    const icon = h("span", {
      class: "ckw-notice-icon",
      role: "img",
      "aria-label": LEVEL_NAMES[level],
    });
    icon.innerHTML = NOTICE_ICONS[level];
    const body = h("div", { class: "ckw-markdown" });
    renderMarkdownInto(body, typeof notice.message === "string" ? notice.message : "");
    const title = typeof notice.title === "string" && notice.title ? notice.title : null;
    this.el.replaceChildren(
      icon,
      h(
        "div",
        { class: "ckw-notice-body" },
        title && h("div", { class: "ckw-notice-title" }, title),
        body,
      ),
    );
  }
}

/**
 * Item types newer than this widget still leave a trace, so nothing vanishes silently: their
 * `copy_text` (plain text) when they carry one, else a neutral placeholder.
 */
export class UnknownItemView implements ItemView {
  readonly el: HTMLDivElement;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-unknown");
  }

  update(item: ThreadItem): void {
    const text = typeof item.copy_text === "string" ? item.copy_text.trim() : "";
    this.el.classList.toggle("ckw-unknown-text", text !== "");
    this.el.textContent = text || "This content can’t be shown here.";
  }
}
