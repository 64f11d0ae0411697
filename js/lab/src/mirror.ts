// "Open chat widget in sidebar": a second live view of a cell's ChatWidget in the right area.
// The widget stays in the kernel (its agent, tools and conversation); the sidebar renders its
// model again through the notebook's widget renderer, like any other view of it.
import type { JupyterFrontEnd } from "@jupyterlab/application";
import type { NotebookPanel } from "@jupyterlab/notebook";
import { MimeModel } from "@jupyterlab/rendermime";
import { Panel } from "@lumino/widgets";
import { chatIcon } from "./panel";

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
let opened = 0;

/** Show the active cell's chat widget in the right sidebar; rejects when there is none. */
export async function mirrorActiveChat(app: JupyterFrontEnd, notebook: NotebookPanel | null) {
  const cell = notebook?.content.activeCell;
  if (!notebook || !cell) throw new Error("No notebook cell is active.");
  const view = widgetViewOf(cell.model.toJSON() as { outputs?: Array<Record<string, unknown>> });
  if (!view)
    throw new Error("The active cell shows no chat widget: run the cell that displays it.");
  const renderer = notebook.content.rendermime.createRenderer(WIDGET_VIEW);
  await renderer.renderModel(new MimeModel({ data: { [WIDGET_VIEW]: view } }));
  if (!renderer.node.querySelector(".ckw-root")) {
    renderer.dispose();
    throw new Error("The active cell's widget is not a chat widget.");
  }
  const panel = new Panel();
  panel.id = `chatkit-widget-kernel-${++opened}`;
  panel.title.icon = chatIcon;
  panel.title.caption = `Chat in ${notebook.context.localPath} (kernel)`;
  panel.addClass("ckw-lab-mirror");
  panel.node.style.height = "100%";
  panel.addWidget(renderer);
  // Gone with its kernel: a restart or shutdown ends the widget, closing the notebook too.
  const close = () => panel.dispose();
  const session = notebook.sessionContext;
  const onStatus = () => {
    const status = session.session?.kernel?.status;
    if (status === "restarting" || status === "dead" || status === "autorestarting") close();
  };
  session.statusChanged.connect(onStatus);
  session.kernelChanged.connect(close);
  notebook.disposed.connect(close);
  panel.disposed.connect(() => {
    session.statusChanged.disconnect(onStatus);
    session.kernelChanged.disconnect(close);
    notebook.disposed.disconnect(close);
  });
  app.shell.add(panel, "right", { rank: 1001, type: "ChatKit Kernel Chat" });
  app.shell.activateById(panel.id);
  return panel;
}

function widgetViewOf(cell: { outputs?: Array<Record<string, unknown>> }) {
  for (const output of cell.outputs ?? []) {
    const data = output.data as Record<string, unknown> | undefined;
    const view = data?.[WIDGET_VIEW] as { model_id?: string } | undefined;
    if (view?.model_id) return view as Record<string, string>;
  }
  return null;
}
