// What a followed stream has open, so a view that asks again (resume) can be brought up to date.
import { isRecord } from "../chatkit/types";
import type { ChatKitEvent } from "../protocol";

/**
 * A followed stream's items added and not yet done, as they are now: what `resume` replays
 * of it (the server's LiveItems does the same for the streams this transport does not read).
 */
export class OpenItems {
  private readonly items = new Map<string, Record<string, unknown>>();

  apply(event: ChatKitEvent): void {
    switch (event.type) {
      case "thread.item.added": {
        const item = event.item;
        if (isRecord(item) && typeof item.id === "string") {
          this.items.set(item.id, structuredClone(item)); // the view may change its copy
        }
        break;
      }
      case "thread.item.done":
      case "thread.item.replaced":
        if (isRecord(event.item) && typeof event.item.id === "string") {
          this.items.delete(event.item.id);
        }
        break;
      case "thread.item.removed":
        if (typeof event.item_id === "string") this.items.delete(event.item_id);
        break;
      case "thread.item.updated": {
        const item = typeof event.item_id === "string" ? this.items.get(event.item_id) : null;
        if (item && isRecord(event.update)) applyUpdate(item, event.update);
        break;
      }
    }
  }

  /** `thread.item.added` events that recreate the open items. */
  snapshot(): ChatKitEvent[] {
    return [...this.items.values()].map((item) => ({
      type: "thread.item.added",
      item: structuredClone(item),
    }));
  }
}

function applyUpdate(item: Record<string, unknown>, update: Record<string, unknown>): void {
  switch (update.type) {
    case "assistant_message.content_part.text_delta": {
      const index = update.content_index;
      if (!isIndex(index) || typeof update.delta !== "string") break;
      const part = contentUpTo(item, index)[index];
      if (!isRecord(part)) break;
      part.text = (typeof part.text === "string" ? part.text : "") + update.delta;
      break;
    }
    case "assistant_message.content_part.added":
    case "assistant_message.content_part.done": {
      const index = update.content_index;
      if (!isIndex(index) || !isRecord(update.content)) break;
      contentUpTo(item, index)[index] = structuredClone(update.content);
      break;
    }
    case "workflow.task.added":
    case "workflow.task.updated": {
      const workflow = item.workflow;
      const index = update.task_index;
      const task = update.task;
      if (!isRecord(workflow) || !Array.isArray(workflow.tasks)) break;
      if (!isIndex(index) || !isRecord(task)) break;
      const copy = structuredClone(task);
      if (update.type === "workflow.task.added") workflow.tasks.splice(index, 0, copy);
      else workflow.tasks[index] = copy;
      break;
    }
  }
}

/** An assistant message's content, long enough for part `index` (a delta may precede it). */
function contentUpTo(item: Record<string, unknown>, index: number): unknown[] {
  if (!Array.isArray(item.content)) item.content = [];
  const content = item.content as unknown[];
  while (content.length <= index) content.push({ type: "output_text", text: "", annotations: [] });
  return content;
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
