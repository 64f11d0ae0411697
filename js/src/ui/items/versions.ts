import { type MessageVersions, type ThreadItem, versionsOf } from "../../chatkit/types";
import { h } from "../../util/dom";
import { strokeIcon } from "../icons";

/**
 * "‹ 2 / 3 ›" beside an edited message: every version of it is kept with the conversation
 * that followed it, and these buttons show another one.
 */
export class VersionSwitch {
  readonly el: HTMLElement;
  private readonly label = h("span", { class: "ckw-versions-label" });
  private readonly previous = h(
    "button",
    {
      type: "button",
      class: "ckw-action",
      "aria-label": "Previous version",
      title: "Previous version",
    },
    strokeIcon(["M10 3.5L5.5 8l4.5 4.5"], 1.6),
  );
  private readonly next = h(
    "button",
    { type: "button", class: "ckw-action", "aria-label": "Next version", title: "Next version" },
    strokeIcon(["M6 3.5L10.5 8 6 12.5"], 1.6),
  );
  private itemId = "";
  private versions: MessageVersions | null = null;

  constructor(show: (itemId: string, index: number) => void) {
    this.el = h(
      "div",
      { class: "ckw-versions", role: "group", "aria-label": "Versions", hidden: true },
      this.previous,
      this.label,
      this.next,
    );
    const go = (step: number) => {
      if (this.versions) show(this.itemId, this.versions.index + step);
    };
    this.previous.addEventListener("click", () => go(-1));
    this.next.addEventListener("click", () => go(1));
  }

  update(item: ThreadItem): void {
    this.itemId = item.id;
    this.versions = versionsOf(item);
    this.el.hidden = this.versions === null;
    if (!this.versions) return;
    const { index, count } = this.versions;
    this.label.textContent = `${index + 1} / ${count}`;
    this.label.setAttribute("aria-label", `Version ${index + 1} of ${count}`);
    this.previous.disabled = index === 0;
    this.next.disabled = index === count - 1;
  }
}
