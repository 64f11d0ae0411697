// Widget rows for tests: a widget item, its row drawn as the transcript draws it, and a
// mounted chat with a thread holding given items (the fake transport plays the backend).
import assert from "node:assert/strict";
import { createChat } from "../src/chat";
import type { ThreadItem, WidgetComponent } from "../src/chatkit/types";
import type { ChatSettings } from "../src/settings";
import { newMeta } from "../src/state/types";
import type { RowContext } from "../src/ui/items/types";
import { WidgetView } from "../src/ui/items/widget/view";
import { FakeTransport } from "./fake-transport";

export const AT = "2026-01-01T00:00:00Z";
export const THREAD = "thr_w";

export function widgetItem(
  widget: WidgetComponent,
  extra: Record<string, unknown> = {},
): ThreadItem {
  return { id: "w1", type: "widget", thread_id: THREAD, created_at: AT, widget, ...extra };
}

/** A Card holding `children`, the usual root. */
export function card(...children: WidgetComponent[]): WidgetComponent {
  return { type: "Card", children };
}

/** A widget row, drawn once; `update` draws a new version of the item into the same row. */
export function drawWidget(widget: WidgetComponent, ctx: RowContext = { retry() {} }) {
  const item = widgetItem(widget);
  const view = new WidgetView(item, ctx);
  document.body.append(view.el);
  view.update(item, newMeta());
  const $ = <E extends Element = HTMLElement>(selector: string) => {
    const el = view.el.querySelector<E>(selector);
    assert.ok(el, `${selector} is drawn`);
    return el;
  };
  return { view, el: view.el, $, update: (next: ThreadItem) => view.update(next, newMeta()) };
}

export const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The chat, mounted with thread THREAD open, holding `items` as loaded from the store. */
export async function chatWith(items: ThreadItem[], settings: Partial<ChatSettings> = {}) {
  const element = document.createElement("div");
  document.body.append(element);
  const transport = new FakeTransport();
  const chat = createChat(element, { transport, settings });
  chat.update({ threadId: THREAD });
  await transport.answerOpen({
    id: THREAD,
    title: "Widgets",
    created_at: AT,
    status: { type: "active" },
    metadata: {},
    items: { data: items, has_more: false },
  });
  await nextFrame();
  const $ = <E extends Element = HTMLElement>(selector: string) => {
    const el = chat.root.querySelector<E>(selector);
    assert.ok(el, `${selector} is in the chat`);
    return el;
  };
  return { chat, transport, $ };
}

/** The params of stream request `index` the chat sent. */
export function sentParams(transport: FakeTransport, index = 0): Record<string, unknown> {
  const stream = transport.streams[index];
  assert.ok(stream, `stream request ${index} was sent`);
  return stream.req.params;
}
