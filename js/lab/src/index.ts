// The JupyterLab and Notebook 7 host: the UI core in the right sidebar, talking to the server
// extension over HTTP, with the notebook's tools. Only the IShell API (`add`, `activateById`)
// is used, so both apps work.
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin,
} from "@jupyterlab/application";
import { ICommandPalette, showErrorMessage } from "@jupyterlab/apputils";
import type { Cell } from "@jupyterlab/cells";
import { INotebookTracker, type NotebookPanel } from "@jupyterlab/notebook";
import type { MessageContext, NotebookBridge } from "../../lib/library.js";
import { mirrorActiveChat } from "./mirror";
import { readSelection } from "./notebook";
import { ChatPanel, chatIcon } from "./panel";
import { notebookHost } from "./tools";

const COMMANDS = {
  open: "chatkit-widget:open",
  addActiveCell: "chatkit-widget:add-active-cell",
  addSelection: "chatkit-widget:add-selection",
  openWidgetInSidebar: "chatkit-widget:open-widget-in-sidebar",
} as const;

// The key cell widgets look for (js/src/notebook-bridge.ts); Symbol.for is shared by bundles.
const NOTEBOOK_BRIDGE = Symbol.for("chatkit-widget.notebook-bridge");

const plugin: JupyterFrontEndPlugin<void> = {
  // Matches schema/plugin.json, where the (rebindable) shortcut lives.
  id: "@chatkit-widget/jupyterlab:plugin",
  description: "A ChatKit chat in the right sidebar that works with your notebooks.",
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, INotebookTracker],
  activate(
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    tracker: INotebookTracker | null,
  ) {
    const current = (): NotebookPanel | null => tracker?.currentWidget ?? null;
    const find = (path: string) => tracker?.find((p) => p.context.path === path) ?? null;
    const panel = new ChatPanel(app.serviceManager.serverSettings, current, find);
    app.shell.add(panel, "right", { rank: 1000, type: "ChatKit Chat" });
    restorer?.add(panel, "chatkit-widget");
    tracker?.currentChanged.connect(() => panel.notebookChanged());
    app.serviceManager.contents.fileChanged.connect((_, change) => {
      const [from, to] = [change.oldValue?.path, change.newValue?.path];
      if (change.type === "rename" && from && to) panel.fileRenamed(from, to);
    });

    const open = async () => {
      app.shell.activateById(panel.id);
      (await panel.ready()).focus();
    };
    app.commands.addCommand(COMMANDS.open, {
      label: "Open Chat",
      caption: "Open the chat in the right sidebar and focus its message box",
      icon: chatIcon,
      execute: open,
    });
    const attach = async (context: MessageContext | null) => {
      if (!context) return;
      await panel.attach(context);
      await open();
    };
    app.commands.addCommand(COMMANDS.addActiveCell, {
      label: "Add active cell to chat",
      isEnabled: () => current()?.content.activeCell != null,
      execute: () => attach(activeCellContext(current())),
    });
    app.commands.addCommand(COMMANDS.addSelection, {
      label: "Add selection to chat",
      isEnabled: () => {
        const notebook = current();
        return notebook !== null && readSelection(notebook) !== "";
      },
      execute: () => attach(selectionContext(current())),
    });
    app.commands.addCommand(COMMANDS.openWidgetInSidebar, {
      label: "Open chat widget in sidebar",
      caption: "A live view of the active cell's ChatWidget in the right sidebar",
      isEnabled: () => current()?.content.activeCell != null,
      execute: async () => {
        try {
          await mirrorActiveChat(app, current());
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await showErrorMessage("Open chat widget in sidebar", message);
        }
      },
    });
    for (const command of Object.values(COMMANDS)) {
      palette?.addItem({ command, category: "Chat" });
    }
    app.contextMenu.addItem({
      command: COMMANDS.addActiveCell,
      selector: ".jp-Notebook .jp-Cell",
      rank: 20,
    });
    app.contextMenu.addItem({
      command: COMMANDS.addSelection,
      selector: ".jp-Notebook .jp-Editor",
      rank: 21,
    });

    // Cell widgets in this page offer Insert below / Replace cell too. A click in a chat
    // widget makes its own cell active, so they act on the cell the user was in before.
    let workingCell: Cell | null = null;
    tracker?.activeCellChanged.connect((_, cell) => {
      if (cell && !cell.node.querySelector(".ckw-root")) workingCell = cell;
    });
    const inWorkingCell = (notebook: NotebookPanel) => {
      const index = workingCell ? notebook.content.widgets.indexOf(workingCell) : -1;
      return index >= 0 ? index : undefined;
    };
    const host = notebookHost(current, current, inWorkingCell);
    const bridge: NotebookBridge = { codeActions: host.codeActions, codeAction: host.codeAction };
    (globalThis as Record<symbol, unknown>)[NOTEBOOK_BRIDGE] = bridge;
  },
};

function activeCellContext(notebook: NotebookPanel | null): MessageContext | null {
  const cell = notebook?.content.activeCell;
  if (!notebook || !cell) return null;
  const index = notebook.content.activeCellIndex;
  return {
    id: `cell:${cell.model.id}`,
    label: `Cell ${index + 1} of ${notebook.context.localPath.split("/").pop()}`,
    kind: "cell",
    text: cell.model.sharedModel.getSource(),
    data: { path: notebook.context.path, index, cell_type: cell.model.type },
  };
}

function selectionContext(notebook: NotebookPanel | null): MessageContext | null {
  const text = notebook ? readSelection(notebook) : "";
  if (!notebook || !text) return null;
  const index = notebook.content.activeCellIndex;
  return {
    id: `selection:${notebook.context.path}:${index}`,
    label: `Selection in cell ${index + 1} of ${notebook.context.localPath.split("/").pop()}`,
    kind: "selection",
    text,
    data: { path: notebook.context.path, index },
  };
}

export default plugin;
