import { copyText } from "../util/clipboard";

// A code block's frame: a header with the language and a Copy button above the `<pre>`.
// Built after sanitization (model output may not contain buttons), for settled blocks and
// for an open fence alike, so the layout does not jump when the fence closes.

const FEEDBACK_MS = 1500;

/**
 * What a host may offer to do with a code block besides copying it (the JupyterLab extension:
 * put it into the notebook). Every frame has the buttons; the chat root's `data-code-actions`
 * shows the ones its host supports (see `ChatSettings.codeActions`).
 */
export const CODE_ACTIONS = {
  "insert-below": { label: "Insert below", done: "Inserted" },
  "replace-cell": { label: "Replace cell", done: "Replaced" },
} as const;
export type CodeAction = keyof typeof CODE_ACTIONS;

export function isCodeAction(value: unknown): value is CodeAction {
  return typeof value === "string" && Object.hasOwn(CODE_ACTIONS, value);
}

/** Wraps `pre` (already in the DOM or not) in the frame; returns the frame. */
export function frameCodeBlock(pre: HTMLPreElement, lang: string): HTMLDivElement {
  const doc = pre.ownerDocument;
  const frame = doc.createElement("div");
  frame.className = "ckw-code-block";
  const header = doc.createElement("div");
  header.className = "ckw-code-header";
  const label = doc.createElement("span");
  label.className = "ckw-code-lang";
  label.textContent = lang;
  const button = doc.createElement("button");
  button.type = "button";
  button.className = "ckw-copy-code";
  button.setAttribute("aria-label", "Copy code");
  button.textContent = "Copy";
  // Screen readers hear the outcome here; the button's name stays "Copy code".
  const status = doc.createElement("span");
  status.className = "ckw-visually-hidden";
  status.setAttribute("role", "status");
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener("click", () => {
    const text = pre.querySelector("code")?.textContent ?? pre.textContent ?? "";
    void copyText(text, button).then((ok) => {
      button.textContent = ok ? "Copied" : "Copy failed";
      button.dataset.copied = ok ? "true" : "false";
      status.textContent = ok ? "Copied" : "Copy failed";
      clearTimeout(reset);
      reset = setTimeout(() => {
        button.textContent = "Copy";
        delete button.dataset.copied;
        status.textContent = "";
      }, FEEDBACK_MS);
    });
  });
  const actions = Object.entries(CODE_ACTIONS).map(([action, { label: name }]) => {
    const actionButton = doc.createElement("button");
    actionButton.type = "button";
    actionButton.className = "ckw-code-action";
    actionButton.dataset.codeAction = action;
    actionButton.setAttribute("aria-label", name);
    actionButton.textContent = name;
    return actionButton;
  });
  const buttons = doc.createElement("span");
  buttons.className = "ckw-code-buttons";
  buttons.append(...actions, button);
  header.append(label, buttons, status);
  pre.replaceWith(frame);
  frame.append(header, pre);
  return frame;
}

/** Show `text` on a code block's button for a moment, and tell screen readers. */
export function flashCodeButton(button: HTMLButtonElement, text: string, ok: boolean): void {
  const original = button.dataset.label ?? button.textContent ?? "";
  button.dataset.label = original;
  button.textContent = text;
  button.dataset.copied = ok ? "true" : "false";
  const status = button.closest(".ckw-code-header")?.querySelector("[role=status]");
  if (status) status.textContent = text;
  setTimeout(() => {
    button.textContent = original;
    delete button.dataset.copied;
    if (status) status.textContent = "";
  }, FEEDBACK_MS);
}

/** Frames every `<pre><code>` in `root`. */
export function frameCodeBlocks(root: ParentNode, languageOf: (code: Element) => string): void {
  for (const pre of root.querySelectorAll("pre")) {
    const code = pre.firstElementChild;
    if (code?.tagName !== "CODE" || pre.parentElement?.classList.contains("ckw-code-block")) {
      continue;
    }
    frameCodeBlock(pre, languageOf(code));
  }
}
