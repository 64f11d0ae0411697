// What the chat can do to a notebook: read it, put code into it, run a cell, list the kernel's
// variables. Each function acts on the panel it is given (the notebook that was active when a
// turn started), never on whichever notebook is current by the time it runs.
import type { Cell, ICellModel } from "@jupyterlab/cells";
import type { NotebookPanel } from "@jupyterlab/notebook";
import { NotebookActions } from "@jupyterlab/notebook";

/** Text of a cell's outputs kept for the model, per cell. */
const OUTPUT_LIMIT = 2000;

export interface NotebookView {
  path: string;
  kernel: string | null;
  active_cell_index: number;
  cells: Array<{ index: number; cell_type: string; source: string; outputs?: string }>;
}

/** Refuse clearly when the notebook the turn started in has gone away. */
export function ensureOpen(panel: NotebookPanel | null): NotebookPanel {
  if (!panel) throw new Error("No notebook is open.");
  if (panel.isDisposed || !panel.content.model) {
    throw new Error("The notebook this turn started in was closed.");
  }
  return panel;
}

export function readNotebook(panel: NotebookPanel): NotebookView {
  const notebook = panel.content;
  return {
    path: panel.context.path,
    kernel: panel.sessionContext.session?.kernel?.name ?? null,
    active_cell_index: notebook.activeCellIndex,
    cells: notebook.widgets.map((cell, index) => {
      const view: NotebookView["cells"][number] = {
        index,
        cell_type: cell.model.type,
        source: cell.model.sharedModel.getSource(),
      };
      const outputs = outputText(cell.model);
      if (outputs) view.outputs = outputs;
      return view;
    }),
  };
}

/** The text selected in the active cell's editor ("" if none). */
export function readSelection(panel: NotebookPanel): string {
  const editor = panel.content.activeCell?.editor;
  if (!editor) return "";
  const { start, end } = editor.getSelection();
  const from = editor.getOffsetAt(start);
  const to = editor.getOffsetAt(end);
  return editor.model.sharedModel.getSource().slice(Math.min(from, to), Math.max(from, to));
}

/**
 * A new cell below cell `after` (default: the active one); one undo step, not trusted, not
 * run. Returns its index.
 */
export function insertBelow(
  panel: NotebookPanel,
  source: string,
  cellType = "code",
  after?: number,
): number {
  const notebook = panel.content;
  const model = ensureOpen(panel).content.model;
  if (!model) throw new Error("The notebook is not loaded yet.");
  const index = (after ?? notebook.activeCellIndex) + 1;
  const type = cellType === "markdown" ? "markdown" : "code";
  model.sharedModel.insertCell(index, { cell_type: type, source });
  notebook.activeCellIndex = index;
  return index;
}

/** Replace a cell's source (default: the active cell); one undo step. */
export function replaceCell(panel: NotebookPanel, source: string, index?: number): number {
  const cell = cellAt(panel, index);
  cell.model.sharedModel.setSource(source);
  return panel.content.widgets.indexOf(cell);
}

/**
 * Run one code cell and return its outputs as text. `code` is what the person approved: a
 * cell whose source differs (edited since) is not run.
 */
export async function runCell(
  panel: NotebookPanel,
  code: string,
  index?: number,
): Promise<{ outputs: string }> {
  const notebook = panel.content;
  const cell = cellAt(panel, index);
  if (cell.model.type !== "code") throw new Error("Only code cells can be run.");
  if (cell.model.sharedModel.getSource() !== code) {
    throw new Error("The cell's source is not the code that was approved; nothing ran.");
  }
  notebook.activeCellIndex = notebook.widgets.indexOf(cell);
  notebook.deselectAll();
  const ok = await NotebookActions.run(notebook, panel.sessionContext);
  const outputs = outputText(cell.model);
  if (!ok && !outputs) throw new Error("The cell did not run (is the kernel running?).");
  return { outputs };
}

// A silent execution's user expression: no history entry, no output in the notebook. IPython's
// JSON display object makes the reply carry the list as application/json.
const VARIABLES = `__import__("IPython").display.JSON([
  {"name": k, "type": type(v).__name__,
   "shape": str(getattr(v, "shape", "")) or (str(len(v)) if hasattr(v, "__len__") and not isinstance(v, (str, bytes)) else "")}
  for k, v in globals().items()
  if not k.startswith("_") and k not in ("In", "Out", "exit", "quit", "get_ipython")
  and type(v).__name__ not in ("module", "function", "type", "builtin_function_or_method")
])`;

export async function listVariables(panel: NotebookPanel): Promise<{ variables: unknown[] }> {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) throw new Error("The notebook has no running kernel.");
  const reply = await kernel.requestExecute({
    code: "",
    silent: true,
    store_history: false,
    user_expressions: { variables: VARIABLES.replace(/\n\s*/g, " ") },
  }).done;
  const result = (reply.content as { user_expressions?: Record<string, unknown> }).user_expressions
    ?.variables as { status?: string; data?: Record<string, unknown> } | undefined;
  const variables = result?.status === "ok" ? result.data?.["application/json"] : undefined;
  if (!Array.isArray(variables)) {
    throw new Error("The kernel did not list its variables (is it an IPython kernel?).");
  }
  return { variables };
}

function cellAt(panel: NotebookPanel, index?: number): Cell<ICellModel> {
  const notebook = ensureOpen(panel).content;
  const at = index ?? notebook.activeCellIndex;
  const cell = notebook.widgets[at];
  if (!cell) throw new Error(`The notebook has no cell ${at} (it has ${notebook.widgets.length}).`);
  return cell;
}

function outputText(model: ICellModel): string {
  const outputs = (model.toJSON() as { outputs?: Array<Record<string, unknown>> }).outputs ?? [];
  const text = outputs
    .map((output) => {
      if (output.output_type === "stream") return String(output.text ?? "");
      if (output.output_type === "error") return `${output.ename}: ${output.evalue}`;
      const data = output.data as Record<string, unknown> | undefined;
      const plain = data?.["text/plain"];
      return Array.isArray(plain) ? plain.join("") : String(plain ?? "");
    })
    .join("");
  return text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}… (truncated)` : text;
}
