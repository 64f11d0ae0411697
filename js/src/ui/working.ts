import { h, setFlag } from "../util/dom";

const WORKING = "Working…";
const WAITING = "Waiting for your approval";

/**
 * "Working…" with a spinner and the latest progress text, shown while any stream runs; or
 * "Waiting for your approval", without the spinner, while a turn waits on tool calls.
 */
export class WorkingIndicator {
  readonly el: HTMLElement;
  private readonly spinner = h("span", { class: "ckw-spinner", "aria-hidden": "true" });
  private readonly label = h("span", { class: "ckw-working-label" }, WORKING);
  private readonly progress = h("span", { class: "ckw-progress" });

  constructor() {
    this.el = h(
      "div",
      // A status region: progress updates ("Searching…") are read out without moving focus.
      { class: "ckw-working", "data-role": "working", role: "status", hidden: true },
      this.spinner,
      this.label,
      this.progress,
    );
  }

  /** `waiting`: nothing runs, the turn waits for the person's decision on tool calls. */
  set(running: boolean, progress: string | null, waiting = false): void {
    this.el.hidden = !running;
    this.spinner.hidden = waiting;
    setFlag(this.el, "data-waiting", running && waiting);
    // Set only when it changes: the status region reads out every change.
    const label = waiting ? WAITING : WORKING;
    if (this.label.textContent !== label) this.label.textContent = label;
    this.progress.textContent = running && progress && !waiting ? progress : "";
  }
}
