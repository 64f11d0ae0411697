import type { MessageContext } from "../context";
import { h } from "../util/dom";

/** How much of a context's text a chip's tooltip shows. */
const PREVIEW_CHARS = 300;

/** A context's chip: its label, and (when `remove` is given) an × button that removes it. */
export function contextChip(context: MessageContext, remove?: () => void): HTMLElement {
  const chip = h(
    "span",
    {
      class: "ckw-chip",
      role: "listitem",
      "data-context-id": context.id,
      "data-kind": context.kind,
      title: preview(context.text),
    },
    h("span", { class: "ckw-chip-label" }, context.label),
  );
  if (remove) {
    const button = h(
      "button",
      { type: "button", class: "ckw-chip-remove", "aria-label": `Remove ${context.label}` },
      "×",
    );
    button.addEventListener("click", remove);
    chip.append(button);
  }
  return chip;
}

function preview(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/**
 * The contexts attached to the next message, as removable chips above the composer's box.
 * Hidden while the composer edits a sent message: an edit does not carry them.
 */
export class ContextChips {
  readonly el = h("div", {
    class: "ckw-chips",
    role: "list",
    "aria-label": "Attached to your message",
    hidden: true,
  });
  private items: MessageContext[] = [];
  private suppressed = false;

  constructor(
    /** The set changed (attached, removed, cleared on send, given back). */
    private readonly changed: (contexts: readonly MessageContext[]) => void,
    /** The last chip was removed with its button: where focus goes next. */
    private readonly focusElsewhere: () => void,
  ) {}

  get contexts(): readonly MessageContext[] {
    return this.items;
  }

  /** Attach `context`; one with the same id is replaced in place. */
  attach(context: MessageContext): void {
    const index = this.items.findIndex((known) => known.id === context.id);
    if (index === -1) this.items = [...this.items, context];
    else this.items = this.items.map((known, i) => (i === index ? context : known));
    this.render();
  }

  /** Give back contexts of a message that was not sent; ones attached again since stay. */
  restore(contexts: readonly MessageContext[]): void {
    const fresh = contexts.filter(
      (context) => !this.items.some((known) => known.id === context.id),
    );
    if (fresh.length === 0) return;
    this.items = [...this.items, ...fresh];
    this.render();
  }

  detach(id: string): boolean {
    const kept = this.items.filter((context) => context.id !== id);
    if (kept.length === this.items.length) return false;
    this.items = kept;
    this.render();
    return true;
  }

  clear(): void {
    if (this.items.length === 0) return;
    this.items = [];
    this.render();
  }

  /** Hide the chips while the composer edits a sent message (they stay attached). */
  setSuppressed(suppressed: boolean): void {
    this.suppressed = suppressed;
    this.el.hidden = suppressed || this.items.length === 0;
  }

  private render(): void {
    this.el.replaceChildren(
      ...this.items.map((context) => contextChip(context, () => this.removeByButton(context.id))),
    );
    this.setSuppressed(this.suppressed);
    this.changed([...this.items]);
  }

  /** Removed with its × button: focus moves to the next chip's button, else out of the row. */
  private removeByButton(id: string): void {
    const index = this.items.findIndex((context) => context.id === id);
    if (!this.detach(id)) return;
    const buttons = this.el.querySelectorAll<HTMLButtonElement>(".ckw-chip-remove");
    const next = buttons[Math.min(index, buttons.length - 1)];
    if (next) next.focus();
    else this.focusElsewhere();
  }
}
