// The notebook side of the chat: code-block actions and the agent's notebook tools, answered
// in this tab. Code-block actions act on the notebook the user is in now; tools act on the
// notebook that was active when the turn started.
import type { NotebookPanel } from "@jupyterlab/notebook";
import type { ClientToolCall, CodeAction } from "../../lib/library.js";
import {
  ensureOpen,
  insertBelow,
  listVariables,
  readNotebook,
  readSelection,
  replaceCell,
  runCell,
} from "./notebook";

export interface NotebookHost {
  readonly codeActions: readonly CodeAction[];
  codeAction(action: CodeAction, code: string): Promise<void>;
  clientTool(call: ClientToolCall): Promise<unknown>;
}

/**
 * @param current The notebook the user is in.
 * @param turnNotebook The notebook a conversation's current turn started in.
 * @param workingCell The cell code actions target in `current` (default: the active cell).
 */
export function notebookHost(
  current: () => NotebookPanel | null,
  turnNotebook: (threadId: string) => NotebookPanel | null,
  workingCell: (notebook: NotebookPanel) => number | undefined = () => undefined,
): NotebookHost {
  return {
    codeActions: ["insert-below", "replace-cell"],
    async codeAction(action, code) {
      const panel = ensureOpen(current());
      const index = workingCell(panel);
      if (action === "insert-below") insertBelow(panel, code, "code", index);
      else replaceCell(panel, code, index);
    },
    async clientTool({ threadId, name, arguments: args }) {
      const panel = ensureOpen(turnNotebook(threadId));
      switch (name) {
        case "read_notebook":
          return readNotebook(panel);
        case "read_selection":
          return { text: readSelection(panel) };
        case "list_variables":
          return listVariables(panel);
        case "insert_cell":
          return {
            index: insertBelow(panel, String(args.code ?? ""), String(args.cell_type ?? "code")),
          };
        case "replace_cell":
          return { index: replaceCell(panel, String(args.code ?? ""), indexArg(args.index)) };
        case "run_cell":
          return runCell(panel, String(args.code ?? ""), indexArg(args.index));
        default:
          throw new Error(`This notebook has no tool named ${JSON.stringify(name)}.`);
      }
    },
  };
}

function indexArg(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}
