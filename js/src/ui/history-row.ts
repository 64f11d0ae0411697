// The markup of one History row in its three modes (view, rename, confirm delete); the panel
// wires the behaviour.
import type { Thread } from "../chatkit/types";
import { h } from "../util/dom";
import { activityOf, relativeTime } from "./history-groups";
import { UNTITLED } from "./history-list";
import { strokeIcon } from "./icons";

// SVG paths (16x16), not emoji: emoji fonts are missing on many Linux machines.
const PENCIL = ["M10.5 2.5l3 3L6 13H3v-3l7.5-7.5z"];
const TRASH = ["M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9"];

export interface RowView {
  /** Opens the thread: its title, where it started and when it was last active. */
  open: HTMLButtonElement;
  rename: HTMLButtonElement;
  remove: HTMLButtonElement;
  actions: HTMLElement;
}

/**
 * A row as it normally looks. `showNotebook`: say where it started (not when the list shows
 * only that notebook's conversations).
 */
export function rowView(
  thread: Thread,
  titleId: string,
  current: boolean,
  showNotebook: boolean,
  answering = false,
) {
  const title = thread.title?.trim() || UNTITLED;
  const notebook = thread.metadata?.notebook;
  const activity = activityOf(thread);
  // A reply still being written: says so instead of an age that is about to change.
  const time = answering
    ? h(
        "span",
        { class: "ckw-history-time ckw-history-answering" },
        h("span", { class: "ckw-spinner", "aria-hidden": "true" }),
        "answering…",
      )
    : h("time", { class: "ckw-history-time", datetime: activity }, relativeTime(activity));
  // Where it started goes on a second line with the time (narrow sidebars keep the whole
  // width for the title).
  const meta =
    notebook && showNotebook
      ? h(
          "span",
          { class: "ckw-history-meta" },
          h("span", { class: "ckw-history-notebook", title: notebook }, basename(notebook)),
          time,
        )
      : null;
  const titleEl = h("span", { class: "ckw-history-title", id: titleId }, title);
  const open = h(
    "button",
    { type: "button", class: "ckw-history-open", "aria-current": current ? "true" : undefined },
    ...(meta ? [h("span", { class: "ckw-history-main" }, titleEl, meta)] : [titleEl, time]),
  );
  const rename = iconButton("Rename", PENCIL, titleId);
  const remove = iconButton("Delete", TRASH, titleId);
  const actions = h("div", { class: "ckw-history-actions" }, rename, remove);
  return { open, rename, remove, actions } satisfies RowView;
}

/** The title box of a rename. */
export function renameInput(title: string): HTMLInputElement {
  const input = h("input", {
    type: "text",
    class: "ckw-history-input",
    "aria-label": "Conversation title",
    maxlength: "200",
  });
  input.value = title;
  return input;
}

/** "Delete “title”?" with Cancel and Yes, delete, as a group named by the question. */
export function confirmView(title: string, questionId: string) {
  const cancel = h("button", { type: "button", class: "ckw-button" }, "Cancel");
  const confirm = h(
    "button",
    { type: "button", class: "ckw-button ckw-danger-button", "aria-describedby": questionId },
    "Yes, delete",
  );
  const el = h(
    "div",
    { class: "ckw-history-confirm", role: "group", "aria-labelledby": questionId },
    h("span", { class: "ckw-history-question", id: questionId }, `Delete “${title}”?`),
    cancel,
    confirm,
  );
  return { el, cancel, confirm };
}

/** A path's last part: "analysis.ipynb" for "work/analysis.ipynb". */
export function basename(path: string): string {
  return path.split("/").pop() || path;
}

function iconButton(label: string, glyph: string[], describedBy: string): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: "ckw-icon-button",
      "aria-label": label,
      "aria-describedby": describedBy,
      title: label,
    },
    strokeIcon(glyph),
  );
}
