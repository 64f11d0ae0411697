import type { ToolStatus } from "../state/types";

// Static markup only: nothing from the server ever reaches innerHTML here.
const CHECK =
  '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 8.5l3 3 6-7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>';
const CROSS =
  '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4.5 4.5l7 7m0-7l-7 7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg>';

// A question in a circle: the call waits for the person's answer.
const QUESTION =
  '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M6.1 6.4a1.95 1.95 0 0 1 3.8.4c0 1.3-1.9 1.6-1.9 2.8M8 11.7v.1" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/></svg>';
// A "ban" sign: a person refused the call; nothing ran.
const BAN =
  '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M3.4 12.6l9.2-9.2" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>';
const GLYPHS: Record<Exclude<ToolStatus, "pending">, string> = {
  success: CHECK,
  error: CROSS,
  approval: QUESTION,
  denied: BAN,
};

export function spinner(): HTMLSpanElement {
  const el = document.createElement("span");
  el.className = "ckw-spinner";
  el.setAttribute("aria-hidden", "true");
  return el;
}

/**
 * The status glyph: spinner while pending, check on success, cross on error; a tool row's
 * call waiting for approval gets a question, a denied one a ban sign.
 */
export function statusIcon(status: ToolStatus): HTMLSpanElement {
  if (status === "pending") return spinner();
  const el = document.createElement("span");
  el.className = `ckw-status-icon ckw-status-${status}`;
  el.innerHTML = GLYPHS[status];
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
