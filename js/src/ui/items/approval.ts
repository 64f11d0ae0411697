import { h, setFlag } from "../../util/dom";
import type { Decision, DecisionOptions } from "./tool-row";

/**
 * Approve, Always allow and Deny under a tool row whose call waits for a person's decision
 * (no Always allow for a tool that asks every time).
 * A click disables all three: the decision is in flight, and a second one would race it. The
 * row sets them again each time it is drawn (`setDisabled`).
 */
export class ApprovalBar {
  readonly el: HTMLDivElement;
  private readonly buttons: HTMLButtonElement[];
  private readonly always: HTMLButtonElement;

  constructor(decide: (decision: Decision, options?: DecisionOptions) => void) {
    const button = (label: string, className: string, onClick: () => void, title?: string) => {
      const el = h("button", { type: "button", class: `ckw-button ${className}`, title }, label);
      el.addEventListener("click", () => {
        if (el.disabled) return;
        this.setDisabled(true);
        onClick();
      });
      return el;
    };
    this.always = button(
      "Always allow",
      "ckw-approve-always",
      () => decide("approve", { always: true }),
      "Always allow this tool in this conversation",
    );
    this.buttons = [
      button("Approve", "ckw-approve", () => decide("approve")),
      this.always,
      button("Deny", "ckw-deny", () => decide("deny")),
    ];
    this.el = h("div", { class: "ckw-approval", role: "group" }, ...this.buttons);
  }

  /** Name the call the buttons decide on, for screen readers entering the group. */
  setTool(name: string, askEveryTime = false): void {
    this.el.setAttribute("aria-label", `Allow ${name} to run?`);
    this.always.hidden = askEveryTime;
  }

  setDisabled(disabled: boolean): void {
    for (const button of this.buttons) button.disabled = disabled;
    setFlag(this.el, "aria-busy", disabled);
  }
}
