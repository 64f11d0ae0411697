import type { Feature } from "../settings";
import type { FeedbackKind, ItemMeta } from "../state/types";
import { copyText } from "../util/clipboard";
import { h } from "../util/dom";
import { type Glyph, strokeIcon } from "./icons";

/** What the message toolbars do; the widget wires these to the session and the composer. */
export interface MessageActionHandlers {
  /** What the backend supports beyond the basics ("edit", "feedback"). */
  features(): readonly string[];
  /** Regenerate the reply to the last user message. */
  retry(): void;
  /** Start editing user message `itemId`, whose text is `text`. */
  edit(itemId: string, text: string): void;
  feedback(itemId: string, kind: FeedbackKind): void;
  /** Show version `index` of edited message `itemId` (and what followed it). */
  showVersion?(itemId: string, index: number): void;
  /** Put text on the clipboard (default: `copyText`). */
  copy?(text: string): Promise<boolean>;
}

/** Whose toolbar: a widget row's has only Copy (of its `copy_text`). */
export type MessageRole = "user" | "assistant" | "widget";

const NOTE_MS = 2000;

/**
 * The small toolbar under a message: Copy; Edit on user messages; Retry and Good/Bad response
 * on replies. Which buttons exist depends on the backend's features; CSS shows Retry only on
 * the last reply and hides Retry and Edit while a reply streams (`data-busy` on the root).
 */
export class MessageActions {
  readonly el: HTMLDivElement;
  private readonly note = h("span", { class: "ckw-action-note", role: "status" });
  private readonly copyButton = actionButton("Copy", "copy", COPY_ICON);
  private readonly feedbackButtons = new Map<FeedbackKind, HTMLButtonElement>();
  private itemId = "";
  private text = "";
  private noteTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    role: MessageRole,
    private readonly handlers: MessageActionHandlers,
  ) {
    this.el = h("div", { class: "ckw-actions", role: "group", "aria-label": "Message actions" });
    const features = handlers.features();
    const has = (feature: Feature) => features.includes(feature);
    this.copyButton.addEventListener("click", () => void this.copy());
    this.el.append(this.copyButton);
    if (role === "user" && has("edit")) {
      const edit = actionButton("Edit", "edit", EDIT_ICON);
      edit.addEventListener("click", () => handlers.edit(this.itemId, this.text));
      this.el.append(edit);
    }
    if (role === "assistant") {
      const retry = actionButton("Retry", "retry", RETRY_ICON);
      retry.addEventListener("click", () => handlers.retry());
      this.el.append(retry);
      if (has("feedback")) {
        for (const [kind, label, icon] of FEEDBACK) {
          const button = actionButton(label, kind, icon);
          button.setAttribute("aria-pressed", "false");
          button.addEventListener("click", () => handlers.feedback(this.itemId, kind));
          this.feedbackButtons.set(kind, button);
          this.el.append(button);
        }
      }
    }
    this.el.append(this.note);
  }

  /** `text` is what Copy copies and Edit starts from (a reply's markdown source). */
  update(itemId: string, text: string, meta: ItemMeta): void {
    this.itemId = itemId;
    this.text = text;
    // A reply still streaming, or a message the server has not confirmed, has nothing to act on.
    this.el.hidden = !meta.done || meta.optimistic;
    for (const [kind, button] of this.feedbackButtons) {
      button.setAttribute("aria-pressed", String(meta.feedback === kind));
    }
  }

  private async copy(): Promise<void> {
    const copy = this.handlers.copy ?? ((text: string) => copyText(text, this.copyButton));
    const ok = await copy(this.text);
    this.copyButton.replaceChildren(strokeIcon(ok ? CHECK_ICON : COPY_ICON));
    this.showNote(ok ? "Copied" : "Could not copy");
  }

  private showNote(text: string): void {
    this.note.textContent = text;
    if (this.noteTimer !== null) clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => {
      this.noteTimer = null;
      this.note.textContent = "";
      this.copyButton.replaceChildren(strokeIcon(COPY_ICON));
    }, NOTE_MS);
  }
}

function actionButton(label: string, name: string, glyph: Glyph): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: `ckw-action ckw-action-${name}`,
      "aria-label": label,
      title: label,
    },
    strokeIcon(glyph),
  );
}

const COPY_ICON: Glyph = [
  "M5.5 6.5a1 1 0 0 1 1-1h6a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1h-6a1 1 0 0 1-1-1z",
  "M10.5 3.5a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1",
];
const CHECK_ICON = ["M3.5 8.5l3 3 6-7"];
const EDIT_ICON = ["M10.5 3l2.5 2.5L6.5 12l-3 .5.5-3z", "M9 4.5l2.5 2.5"];
const RETRY_ICON = ["M13 8a5 5 0 1 1-1.5-3.6", "M12 2v3h-3"];
const THUMB =
  "M5.5 7v6.5h-2V7zM5.5 7l2.3-4.5c.9 0 1.5.8 1.3 1.7L8.7 6.5h3.6c.8 0 1.4.8 1.2 1.6l-1.1 4.3c-.2.6-.7 1.1-1.3 1.1H5.5";
const THUMB_UP: Glyph = [THUMB];
const THUMB_DOWN: Glyph = Object.assign([THUMB], { flipped: true });

const FEEDBACK: Array<[FeedbackKind, string, Glyph]> = [
  ["positive", "Good response", THUMB_UP],
  ["negative", "Bad response", THUMB_DOWN],
];
