// How the JupyterLab extension lends its notebook actions to the other host in the same page:
// a cell widget shows "Insert below" and "Replace cell" only when the extension is installed.
// A global under a registered symbol, since the two are separate bundles.
import type { CodeAction } from "./markdown/code-block";

export interface NotebookBridge {
  /** The code actions the extension can do now. */
  readonly codeActions: readonly CodeAction[];
  /** Do one on the notebook the user is working in; rejects with what went wrong. */
  codeAction(action: CodeAction, code: string): Promise<void>;
}

export const NOTEBOOK_BRIDGE = Symbol.for("chatkit-widget.notebook-bridge");

/** The extension's bridge, if it is installed in this page. */
export function notebookBridge(): NotebookBridge | undefined {
  return (globalThis as Record<symbol, NotebookBridge | undefined>)[NOTEBOOK_BRIDGE];
}
