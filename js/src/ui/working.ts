import { h } from "../util/dom";

/** "Working…" with a spinner and the latest progress text, shown while any stream runs. */
export class WorkingIndicator {
  readonly el: HTMLElement;
  private readonly progress = h("span", { class: "ckw-progress" });

  constructor() {
    const spinner = h("span", { class: "ckw-spinner", "aria-hidden": "true" });
    this.el = h(
      "div",
      // A status region: progress updates ("Searching…") are read out without moving focus.
      { class: "ckw-working", "data-role": "working", role: "status", hidden: true },
      spinner,
      h("span", { class: "ckw-working-label" }, "Working…"),
      this.progress,
    );
  }

  set(running: boolean, progress: string | null): void {
    this.el.hidden = !running;
    this.progress.textContent = running && progress ? progress : "";
  }
}
