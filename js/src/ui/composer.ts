import type { MessageContext } from "../context";
import { h } from "../util/dom";
import { ContextChips } from "./context-chips";
import { strokeIcon } from "./icons";

export interface ComposerHandlers {
  /**
   * Send `text` with the attached `contexts`; true once the message was handed to the backend
   * (then the box and the chips are cleared).
   */
  send(text: string, contexts: readonly MessageContext[]): boolean;
  stop(): void;
  /** Send the edited text of user message `itemId`; true once the backend has it. */
  edit?(itemId: string, text: string): boolean;
  /** ArrowUp in an empty box: edit the last user message (by calling `beginEdit`) if it can. */
  editLast?(): void;
  /** The message being edited changed (null: none). */
  editingChanged?(itemId: string | null): void;
  /** The attached contexts changed. */
  contextsChanged?(contexts: readonly MessageContext[]): void;
}

/** An edit in progress: the message, and the draft it pushed aside (back when it ends). */
interface Editing {
  itemId: string;
  draft: string;
}

const MAX_HEIGHT_PX = 200;
/** Element ids must be unique on the page, and a notebook may show many chats. */
let composerSeq = 0;

/**
 * The message box with Send, which turns into Stop while a reply streams, under the chips of
 * the context attached to the next message. It also edits a sent message: the text loads into
 * the box under an "Editing message" bar with Cancel.
 */
export class Composer {
  readonly el: HTMLFormElement;
  private readonly textarea = h("textarea", {
    class: "ckw-textarea",
    rows: "1",
    "aria-label": "Message",
  });
  private readonly sendButton = h(
    "button",
    { type: "submit", class: "ckw-send", "aria-label": "Send", title: "Send (Enter)" },
    strokeIcon(["M8 13V3M3.5 7.5L8 3l4.5 4.5"], 1.8),
  );
  private readonly stopButton = h(
    "button",
    { type: "button", class: "ckw-stop", "aria-label": "Stop", title: "Stop", hidden: true },
    h("span", { class: "ckw-stop-square", "aria-hidden": "true" }),
  );
  private readonly editNotice = h("span", { class: "ckw-edit-notice", role: "alert" });
  private readonly cancelEditButton = h(
    "button",
    { type: "button", class: "ckw-button ckw-edit-cancel", "aria-label": "Cancel editing" },
    "Cancel",
  );
  private readonly editLabelId = `ckw-edit-label-${++composerSeq}`;
  private readonly editBar = h(
    "div",
    { class: "ckw-edit-bar", hidden: true },
    h("span", { class: "ckw-edit-label", id: this.editLabelId }, "Editing message"),
    this.editNotice,
    this.cancelEditButton,
  );
  /** Why nothing can be sent any more (the kernel is gone): shown above the box. */
  private readonly notice = h("div", {
    class: "ckw-composer-notice",
    role: "status",
    hidden: true,
  });
  private disconnected = false;
  private busy = false;
  private canStop = false;
  /** The placeholder and text the box was last sized for. */
  private sizedBy = "";
  private lockedReason: string | null = null;
  private placeholder = "";
  private editing: Editing | null = null;
  private readonly chips: ContextChips;

  constructor(private readonly handlers: ComposerHandlers) {
    this.chips = new ContextChips(
      (contexts) => handlers.contextsChanged?.(contexts),
      () => this.focus(),
    );
    this.el = h(
      "form",
      { class: "ckw-composer" },
      this.notice,
      this.editBar,
      this.chips.el,
      h("div", { class: "ckw-composer-box" }, this.textarea, this.sendButton, this.stopButton),
    );
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener("keydown", (event) => {
      // keyCode 229: some browsers report IME composition only this way.
      const composing = event.isComposing || event.keyCode === 229;
      if (composing) return;
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      } else if (event.key === "Escape") {
        this.escape(event);
      } else if (event.key === "ArrowUp" && !this.textarea.value && !this.editing) {
        this.handlers.editLast?.();
        if (this.editing) event.preventDefault();
      }
    });
    this.cancelEditButton.addEventListener("click", () => {
      this.cancelEdit();
      this.focus();
    });
    this.textarea.addEventListener("input", () => this.refresh());
    this.stopButton.addEventListener("click", () => {
      this.handlers.stop();
      // Stop hides itself once the reply ends: the next message is typed here.
      this.focus();
    });
    this.refresh();
  }

  setPlaceholder(text: string): void {
    this.placeholder = text;
    this.refresh();
  }

  /** While busy the box stays editable, but nothing can be sent. */
  setBusy(busy: boolean, canStop: boolean): void {
    this.busy = busy;
    this.canStop = canStop;
    // A button that hides with focus in it would drop focus to the page.
    const focused = [this.stopButton, this.sendButton].find((b) => b === document.activeElement);
    this.stopButton.hidden = !(busy && canStop);
    this.sendButton.hidden = !this.stopButton.hidden;
    this.refresh();
    if (focused?.hidden) this.focus();
  }

  /**
   * Nothing can be sent from here again (`reason` says why and what to do). The box is
   * disabled with the draft kept in it, so what was typed can still be copied out.
   */
  setDisconnected(reason: string): void {
    this.disconnected = true;
    this.notice.textContent = reason;
    this.notice.hidden = false;
    this.cancelEdit();
    this.refresh();
  }

  setLocked(reason: string | null): void {
    this.lockedReason = reason;
    this.refresh();
  }

  /** Give back a message that never reached the server, after anything typed since. */
  restore(text: string, contexts: readonly MessageContext[] = []): void {
    this.textarea.value = withRestored(this.textarea.value, text);
    this.chips.restore(contexts);
    this.refresh();
  }

  /** Take back a message given back by `restore` (it is being sent again), keeping the rest. */
  withdraw(text: string, contexts: readonly MessageContext[] = []): void {
    this.textarea.value = withoutRestored(this.textarea.value, text);
    for (const context of contexts) this.chips.detach(context.id);
    this.refresh();
  }

  /** Attach context to the next message (the same id again replaces its chip). */
  attach(context: MessageContext): void {
    this.chips.attach(context);
  }

  detach(id: string): void {
    this.chips.detach(id);
  }

  get contexts(): readonly MessageContext[] {
    return this.chips.contexts;
  }

  focus(): void {
    this.textarea.focus();
  }

  /** The id of the message being edited, or null. */
  get editingId(): string | null {
    return this.editing?.itemId ?? null;
  }

  /**
   * Edit sent message `itemId`: its text goes into the box (what was typed is kept aside).
   * `notice` says why it is back (an edit that did not go through).
   */
  beginEdit(itemId: string, text: string, notice = ""): void {
    const draft = this.editing ? this.editing.draft : this.textarea.value;
    this.editing = { itemId, draft };
    this.textarea.value = text;
    this.editNotice.textContent = notice;
    this.editBar.hidden = false;
    this.chips.setSuppressed(true);
    // Read with the box, so a screen reader says it holds an edit, not a new message.
    this.textarea.setAttribute("aria-describedby", this.editLabelId);
    this.sendButton.title = "Send edit (Enter)";
    this.refresh();
    this.focus();
    this.textarea.setSelectionRange(text.length, text.length);
    this.handlers.editingChanged?.(itemId);
  }

  /** Stop editing; the draft pushed aside comes back. */
  cancelEdit(): void {
    if (!this.editing) return;
    this.textarea.value = this.editing.draft;
    this.endEdit();
  }

  /** Escape stops a streaming reply, else leaves an edit. */
  private escape(event: KeyboardEvent): void {
    if (this.busy && this.canStop) this.handlers.stop();
    else if (this.editing) this.cancelEdit();
    else return;
    event.preventDefault(); // handled: the widget's own Escape handler leaves it alone
  }

  private endEdit(): void {
    this.editing = null;
    this.editNotice.textContent = "";
    this.editBar.hidden = true;
    this.chips.setSuppressed(false);
    this.textarea.removeAttribute("aria-describedby");
    this.sendButton.title = "Send (Enter)";
    this.refresh();
    this.handlers.editingChanged?.(null);
  }

  private submit(): void {
    const text = this.textarea.value.trim();
    if (!text || this.busy || this.lockedReason !== null || this.disconnected) return;
    if (this.editing) {
      if (!this.handlers.edit?.(this.editing.itemId, text)) return;
      this.textarea.value = this.editing.draft;
      this.endEdit();
      return;
    }
    if (this.handlers.send(text, this.chips.contexts)) {
      this.textarea.value = "";
      this.chips.clear();
      this.refresh();
    }
  }

  private refresh(): void {
    this.textarea.placeholder = this.lockedReason ?? this.placeholder;
    const closed = this.lockedReason !== null || this.disconnected;
    // Disconnected, the draft stays selectable (read-only) so it can be copied out.
    this.textarea.disabled = this.lockedReason !== null;
    this.textarea.readOnly = this.disconnected;
    if (this.disconnected) this.textarea.setAttribute("aria-disabled", "true");
    this.sendButton.disabled = this.busy || closed || !this.textarea.value.trim();
    // Measuring forces a layout: only when what sizes the box changed (not on busy/idle,
    // which come with every turn).
    const sizedBy = `${this.textarea.placeholder}\u0000${this.textarea.value}`;
    if (sizedBy === this.sizedBy) return;
    this.textarea.style.height = "auto";
    const height = Math.min(this.textarea.scrollHeight, MAX_HEIGHT_PX);
    if (height === 0) return; // not laid out yet: measure again next time
    this.textarea.style.height = `${height}px`;
    this.sizedBy = sizedBy;
  }
}

/** The inverse of `withRestored`: `current` without the restored `failed` text. */
export function withoutRestored(current: string, failed: string): string {
  if (!failed.trim()) return current;
  if (current.trim() === failed.trim()) return "";
  const tail = `\n\n${failed}`;
  return current.endsWith(tail) ? current.slice(0, -tail.length) : current;
}

/** The box's text with a failed message given back: nothing typed is lost. */
export function withRestored(current: string, failed: string): string {
  if (!failed.trim()) return current;
  if (!current.trim()) return failed;
  if (current.trimEnd() === failed.trim()) return current; // already given back
  return `${current.trimEnd()}\n\n${failed}`;
}
