import type { Status } from "./items/types";

// Static markup only: nothing from the server ever reaches innerHTML here.
const CHECK =
  '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 8.5l3 3 6-7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>';
const CROSS =
  '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4.5 4.5l7 7m0-7l-7 7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg>';

export function spinner(): HTMLSpanElement {
  const el = document.createElement("span");
  el.className = "ckw-spinner";
  el.setAttribute("aria-hidden", "true");
  return el;
}

/** The status glyph: spinner while pending, check on success, cross on error. */
export function statusIcon(status: Status): HTMLSpanElement {
  if (status === "pending") return spinner();
  const el = document.createElement("span");
  el.className = `ckw-status-icon ckw-status-${status}`;
  el.innerHTML = status === "success" ? CHECK : CROSS;
  return el;
}
