// The sidebar panel: the UI core, loaded on first show, over HTTP to the server extension.
import { URLExt } from "@jupyterlab/coreutils";
import type { NotebookPanel } from "@jupyterlab/notebook";
import { ServerConnection } from "@jupyterlab/services";
import { LabIcon } from "@jupyterlab/ui-components";
import { Widget } from "@lumino/widgets";
import type { ChatHandle, ChatSettings, MessageContext, Transport } from "../../lib/library.js";
import { type NotebookHost, notebookHost } from "./tools";
import { TurnNotebooks } from "./turns";

export const chatIcon = new LabIcon({
  name: "chatkit-widget:chat",
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
    '<path class="jp-icon3" fill="#616161" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4' +
    'a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>',
});

/** The start screen's prompts: what the agent can do with the notebook (any model, or offline). */
const NOTEBOOK_PROMPTS = [
  { label: "Read the notebook", prompt: "read the notebook" },
  { label: "What variables are defined?", prompt: "what variables are defined" },
  { label: "Run the active cell", prompt: "run the active cell" },
];

export class ChatPanel extends Widget {
  private chat: ChatHandle | null = null;
  /** Kept from the start (not with the chat): a rename before the chat opens still counts. */
  private readonly turns: TurnNotebooks;
  private readonly baseUrl: string;
  private readonly tab = tabStorage();
  private loading: Promise<ChatHandle> | null = null;

  constructor(
    private readonly serverSettings: ServerConnection.ISettings,
    private readonly currentNotebook: () => NotebookPanel | null,
    findNotebook: (path: string) => NotebookPanel | null,
  ) {
    super();
    this.id = "chatkit-widget-sidebar";
    this.title.caption = "Chat";
    this.title.icon = chatIcon;
    this.addClass("ckw-lab-panel");
    this.node.style.height = "100%";
    this.baseUrl = URLExt.join(serverSettings.baseUrl, "chatkit-widget/");
    this.turns = new TurnNotebooks(
      currentNotebook,
      findNotebook,
      this.tab && { tab: this.tab, key: `chatkit-widget:notebooks:${this.baseUrl}` },
    );
  }

  /** The chat, built on first use; its code (the UI core) loads only then. */
  ready(): Promise<ChatHandle> {
    this.loading ??= this.build();
    return this.loading;
  }

  /** Attach context (a cell, a selection) to the next message. */
  async attach(context: MessageContext): Promise<void> {
    (await this.ready()).attach(context);
  }

  /** The user moved to another notebook: History's "This notebook" follows. */
  notebookChanged(): void {
    this.chat?.update({ notebook: this.currentNotebook()?.context.path ?? null });
  }

  /** A file was renamed: turns that started in it act on it under its new name. */
  fileRenamed(oldPath: string, newPath: string): void {
    this.turns.renamed(oldPath, newPath);
    this.notebookChanged();
  }

  protected override onBeforeShow(): void {
    void this.ready();
  }

  protected override onActivateRequest(): void {
    void this.ready().then((chat) => chat.focus());
  }

  override dispose(): void {
    this.chat?.dispose();
    this.chat = null;
    super.dispose();
  }

  private async build(): Promise<ChatHandle> {
    const { createChat, HttpTransport, nativeAssetSource, useAssetSource } = await import(
      "../../lib/library.js"
    );
    // KaTeX, highlight.js and the widget renderer: webpack chunks in the extension's static files.
    useAssetSource(nativeAssetSource);
    const { baseUrl, tab, turns } = this;
    // makeRequest adds the token and the XSRF header.
    const fetch = (url: string, init?: RequestInit) =>
      ServerConnection.makeRequest(url, init ?? {}, this.serverSettings);
    class LabTransport extends HttpTransport {
      override stream(req: Parameters<Transport["stream"]>[0]) {
        return super.stream(turns.requestSent(req));
      }
    }
    const host: NotebookHost = notebookHost(this.currentNotebook, (id) => turns.notebookFor(id));
    const openThread = new SavedThread(baseUrl);
    const chat = createChat(this.node, {
      transport: new LabTransport({ baseUrl, fetch, ...(tab ? { tabStorage: tab } : {}) }),
      settings: {
        height: "100%",
        codeActions: host.codeActions,
        threadId: openThread.get(),
        notebook: this.currentNotebook()?.context.path ?? null,
        prompts: NOTEBOOK_PROMPTS,
      },
      callbacks: {
        threadChanged(threadId) {
          openThread.set(threadId);
          turns.threadChanged(threadId);
        },
        codeAction: host.codeAction,
        clientTool: host.clientTool,
      },
    });
    this.chat = chat;
    void loadInfo(fetch, baseUrl).then((info) => {
      if (info) chat.update(info);
    });
    return chat;
  }
}

/** The conversation the panel shows, kept across page reloads (per server). */
class SavedThread {
  private readonly key: string;

  constructor(baseUrl: string) {
    this.key = `chatkit-widget:thread:${baseUrl}`;
  }

  get(): string | null {
    try {
      return window.localStorage.getItem(this.key);
    } catch {
      return null; // storage disabled: every page load starts a new conversation
    }
  }

  set(threadId: string | null): void {
    try {
      if (threadId) window.localStorage.setItem(this.key, threadId);
      else window.localStorage.removeItem(this.key);
    } catch {
      // storage disabled or full: nothing to keep
    }
  }
}

/** The tab's sessionStorage, if the browser lets the page use it. */
function tabStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: a reload forgets which turns were this tab's
  }
}

/** What the server says about its agent: the header's label, the offline badge, features. */
async function loadInfo(
  fetch: (url: string, init?: RequestInit) => Promise<Response>,
  baseUrl: string,
): Promise<Partial<ChatSettings> | null> {
  try {
    const response = await fetch(`${baseUrl}info`);
    if (!response.ok) return null;
    const info = (await response.json()) as {
      model_label?: string;
      offline?: boolean;
      features?: string[];
    };
    return {
      modelLabel: info.model_label ?? "",
      offline: info.offline === true,
      features: info.features ?? [],
    };
  } catch {
    return null; // the chat still works; the header just lacks the label
  }
}
