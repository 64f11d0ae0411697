import type { AssistantMessageItem, ThreadItem, UserMessageItem } from "../../chatkit/types";
import { contextsOf } from "../../context";
import { MarkdownView } from "../../markdown/render";
import type { ItemMeta } from "../../state/types";
import { h, setFlag } from "../../util/dom";
import { MessageActions } from "../actions";
import { contextChip } from "../context-chips";
import { updateSources } from "./sources";
import { type ItemView, type RowContext, rowElement } from "./types";
import { VersionSwitch } from "./versions";

/**
 * The user's words as plain text (newlines kept by CSS), in a right-aligned bubble; above it
 * the text it quotes, below it chips of the context it carried (ChatKit's `input_tag` parts).
 */
export class UserMessageView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly quote = h("blockquote", { class: "ckw-user-quote", hidden: true });
  private readonly bubble = h("div", { class: "ckw-bubble" });
  private readonly tags = h("div", {
    class: "ckw-chips ckw-user-tags",
    role: "list",
    "aria-label": "Attached",
    hidden: true,
  });
  private tagsKey = "";
  private readonly actions: MessageActions | null;
  private readonly versions: VersionSwitch | null;

  constructor(item: ThreadItem, ctx?: RowContext) {
    this.el = rowElement(item, "ckw-user");
    this.actions = ctx?.actions ? new MessageActions("user", ctx.actions) : null;
    const showVersion = ctx?.actions?.showVersion;
    this.versions = showVersion ? new VersionSwitch(showVersion.bind(ctx.actions)) : null;
    // The toolbar sits beside the bubble (in the free space on its left), not under it:
    // a bar under every message would double the gaps between short turns.
    // Shown left of the bubble (CSS order) but read after the message it acts on.
    const line = h("div", { class: "ckw-user-line" }, this.bubble);
    if (this.actions) line.append(this.actions.el);
    if (this.versions) line.append(this.versions.el);
    this.el.append(this.quote, line, this.tags);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const text = userText(item);
    this.bubble.textContent = text;
    const quoted = typeof item.quoted_text === "string" ? item.quoted_text : "";
    this.quote.textContent = quoted;
    this.quote.hidden = !quoted;
    this.showTags(item);
    setFlag(this.el, "data-optimistic", meta.optimistic);
    this.actions?.update(item.id, text, meta);
    this.versions?.update(item);
  }

  /** Read-only chips: what the message carried. */
  private showTags(item: ThreadItem): void {
    const contexts = contextsOf(item);
    const key = JSON.stringify(contexts);
    if (key === this.tagsKey) return;
    this.tagsKey = key;
    this.tags.replaceChildren(...contexts.map((context) => contextChip(context)));
    this.tags.hidden = contexts.length === 0;
  }
}

/** The assistant's markdown, rendered block by block as it streams. */
export class AssistantMessageView implements ItemView {
  readonly el: HTMLDivElement;
  /** Rendered in frames: the transcript comes back while it is behind (a very fast reply). */
  private readonly body = new MarkdownView("ckw-markdown", true);
  private readonly actions: MessageActions | null;
  private stoppedLabel: HTMLElement | null = null;
  private incompleteLabel: HTMLElement | null = null;

  constructor(item: ThreadItem, ctx?: RowContext) {
    this.el = rowElement(item, "ckw-assistant");
    this.actions = ctx?.actions ? new MessageActions("assistant", ctx.actions) : null;
    this.el.append(this.body.el);
    if (this.actions) this.el.append(this.actions.el);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const text = assistantText(item);
    // Streaming: only the tail re-renders. Done: the whole text once, which settles it right.
    if (meta.done) this.body.finish(text);
    else this.body.update(text);
    updateSources(this.el, (item as AssistantMessageItem).content, this.body.el);
    setFlag(this.el, "data-streaming", !meta.done);
    setFlag(this.el, "data-stopped", meta.stopped);
    if (meta.stopped && !this.stoppedLabel) {
      this.stoppedLabel = h("div", { class: "ckw-stopped-label" }, "Stopped");
      this.body.el.after(this.stoppedLabel);
    } else if (!meta.stopped && this.stoppedLabel) {
      this.stoppedLabel.remove();
      this.stoppedLabel = null;
    }
    this.showIncomplete(item as AssistantMessageItem);
    this.actions?.update(item.id, text, meta);
  }

  behind(): boolean {
    return this.body.behind;
  }

  /** A reply cut off (by the network, or its process dying): say so, unlike a stop. */
  private showIncomplete(item: AssistantMessageItem): void {
    const incomplete = item.incomplete === true;
    setFlag(this.el, "data-incomplete", incomplete);
    if (!incomplete) {
      this.incompleteLabel?.remove();
      this.incompleteLabel = null;
      return;
    }
    if (!this.incompleteLabel) {
      this.incompleteLabel = h("div", { class: "ckw-stopped-label ckw-incomplete-label" });
      this.body.el.after(this.incompleteLabel);
    }
    this.incompleteLabel.textContent = item.interrupted
      ? "Interrupted: the kernel or server running it stopped"
      : "Incomplete: the connection dropped";
  }
}

/** A user message's text, as typed (its tags are what it carried, not what was typed). */
export function userText(item: ThreadItem): string {
  const content = (item as UserMessageItem).content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "input_tag" ? "" : (p.text ?? ""))).join("");
}

/** A reply's markdown source. */
export function assistantText(item: ThreadItem): string {
  const content = (item as AssistantMessageItem).content;
  return Array.isArray(content) ? content.map((p) => p.text ?? "").join("\n\n") : "";
}
