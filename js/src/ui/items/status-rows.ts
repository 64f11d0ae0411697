import type { ErrorRow, NoticeRow, ThreadItem } from "../../chatkit/types";
import { renderMarkdownInto } from "../../markdown/render";
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
      button.addEventListener("click", () => this.ctx.retry());
      this.el.append(button);
    }
  }
}

/** A server notice (markdown allowed), styled by level. */
export class NoticeRowView implements ItemView {
  readonly el: HTMLDivElement;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-notice");
    this.el.setAttribute("role", "status");
  }

  update(item: ThreadItem): void {
    const notice = item as NoticeRow;
    this.el.dataset.level = notice.level ?? "info";
    const body = h("div", { class: "ckw-markdown" });
    renderMarkdownInto(body, typeof notice.message === "string" ? notice.message : "");
    this.el.replaceChildren(
      ...(notice.title ? [h("div", { class: "ckw-notice-title" }, notice.title)] : []),
      body,
    );
  }
}

/** Items this widget cannot draw yet still leave a trace, so nothing vanishes silently. */
export class UnknownItemView implements ItemView {
  readonly el: HTMLDivElement;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-unknown");
    this.el.textContent = `Unsupported item: ${item.type}`;
  }

  update(): void {}
}
