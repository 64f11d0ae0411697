import type { AssistantMessageItem, ThreadItem, UserMessageItem } from "../../chatkit/types";
import { MarkdownView } from "../../markdown/render";
import type { ItemMeta } from "../../state/types";
import { h, setFlag } from "../../util/dom";
import { type ItemView, rowElement } from "./types";

/** The user's words as plain text (newlines kept by CSS), in a right-aligned bubble. */
export class UserMessageView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly bubble = h("div", { class: "ckw-bubble" });

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-user");
    this.el.append(this.bubble);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const content = (item as UserMessageItem).content;
    this.bubble.textContent = Array.isArray(content)
      ? content.map((p) => p.text ?? "").join("")
      : "";
    setFlag(this.el, "data-optimistic", meta.optimistic);
  }
}

/** The assistant's markdown, rendered block by block as it streams. */
export class AssistantMessageView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly body = new MarkdownView();
  private stoppedLabel: HTMLElement | null = null;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-assistant");
    this.el.append(this.body.el);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const content = (item as AssistantMessageItem).content;
    const text = Array.isArray(content) ? content.map((p) => p.text ?? "").join("\n\n") : "";
    // Streaming: only the tail re-renders. Done: the whole text once, which settles it right.
    if (meta.done) this.body.finish(text);
    else this.body.update(text);
    setFlag(this.el, "data-streaming", !meta.done);
    setFlag(this.el, "data-stopped", meta.stopped);
    if (meta.stopped && !this.stoppedLabel) {
      this.stoppedLabel = h("div", { class: "ckw-stopped-label" }, "Stopped");
      this.el.append(this.stoppedLabel);
    } else if (!meta.stopped && this.stoppedLabel) {
      this.stoppedLabel.remove();
      this.stoppedLabel = null;
    }
  }
}
