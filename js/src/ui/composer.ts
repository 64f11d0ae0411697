import { h } from "../util/dom";

export interface ComposerHandlers {
  /** Returns true once the message was handed to the backend (then the box is cleared). */
  send(text: string): boolean;
  stop(): void;
}

const MAX_HEIGHT_PX = 200;

/** The message box with Send, which turns into Stop while a reply streams. */
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
    arrowIcon(),
  );
  private readonly stopButton = h(
    "button",
    { type: "button", class: "ckw-stop", "aria-label": "Stop", title: "Stop", hidden: true },
    h("span", { class: "ckw-stop-square", "aria-hidden": "true" }),
  );
  private busy = false;
  private lockedReason: string | null = null;
  private placeholder = "";

  constructor(private readonly handlers: ComposerHandlers) {
    this.el = h(
      "form",
      { class: "ckw-composer" },
      h("div", { class: "ckw-composer-box" }, this.textarea, this.sendButton, this.stopButton),
    );
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener("keydown", (event) => {
      // keyCode 229: some browsers report IME composition only this way.
      const composing = event.isComposing || event.keyCode === 229;
      if (event.key === "Enter" && !event.shiftKey && !composing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.textarea.addEventListener("input", () => this.refresh());
    this.stopButton.addEventListener("click", () => this.handlers.stop());
    this.refresh();
  }

  setPlaceholder(text: string): void {
    this.placeholder = text;
    this.refresh();
  }

  /** While busy the box stays editable, but nothing can be sent. */
  setBusy(busy: boolean, canStop: boolean): void {
    this.busy = busy;
    this.stopButton.hidden = !(busy && canStop);
    this.sendButton.hidden = !this.stopButton.hidden;
    this.refresh();
  }

  setLocked(reason: string | null): void {
    this.lockedReason = reason;
    this.refresh();
  }

  /** Give back text that never reached the server, after anything typed since. */
  restore(text: string): void {
    this.textarea.value = withRestored(this.textarea.value, text);
    this.refresh();
  }

  focus(): void {
    this.textarea.focus();
  }

  private submit(): void {
    const text = this.textarea.value.trim();
    if (!text || this.busy || this.lockedReason !== null) return;
    if (this.handlers.send(text)) {
      this.textarea.value = "";
      this.refresh();
    }
  }

  private refresh(): void {
    this.textarea.placeholder = this.lockedReason ?? this.placeholder;
    this.textarea.disabled = this.lockedReason !== null;
    this.sendButton.disabled =
      this.busy || this.lockedReason !== null || !this.textarea.value.trim();
    this.textarea.style.height = "auto";
    const height = Math.min(this.textarea.scrollHeight, MAX_HEIGHT_PX);
    if (height > 0) this.textarea.style.height = `${height}px`;
  }
}

/** The box's text with a failed message given back: nothing typed is lost. */
export function withRestored(current: string, failed: string): string {
  if (!failed.trim()) return current;
  if (!current.trim()) return failed;
  if (current.trimEnd() === failed.trim()) return current; // already given back
  return `${current.trimEnd()}\n\n${failed}`;
}

function arrowIcon(): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M8 13V3M3.5 7.5L8 3l4.5 4.5");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.8");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}
