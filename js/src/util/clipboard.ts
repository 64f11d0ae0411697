/**
 * Put text on the clipboard. The async Clipboard API exists only in secure contexts (a
 * notebook served over plain http from another host has none) and may be denied; then a
 * selected, invisible textarea next to `anchor` and execCommand("copy") do it. Focus goes
 * back to `anchor` (the Copy button), so the keyboard stays in the widget.
 */
export async function copyText(text: string, anchor: HTMLElement): Promise<boolean> {
  const doc = anchor.ownerDocument;
  const clipboard = doc.defaultView?.navigator.clipboard;
  if (clipboard?.writeText) {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // Denied, or the page lost focus: try the old way.
    }
  }
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.cssText = "position:fixed;top:0;left:0;opacity:0;pointer-events:none";
  anchor.after(area);
  area.select();
  try {
    return doc.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
    anchor.focus();
  }
}
