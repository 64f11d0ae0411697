import type { Status } from "../state/types";

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

/** A 16x16 stroked glyph (path data) drawn for this widget; `flipped` mirrors it top to bottom. */
export type Glyph = string[] & { flipped?: boolean };

/** A glyph as an inline SVG that takes the text colour. */
export function strokeIcon(glyph: Glyph, strokeWidth = 1.4): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of glyph) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    if (glyph.flipped) path.setAttribute("transform", "matrix(1 0 0 -1 0 16)");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", String(strokeWidth));
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
  }
  return svg;
}
