import type { AssistantContent, Task, ThreadItem } from "../chatkit/types";
import { isRecord } from "../chatkit/types";

/**
 * Applies one `thread.item.updated` payload to its item in place.
 * Returns false when the update is of a kind the widget does not render.
 */
export function applyItemUpdate(item: ThreadItem, update: Record<string, unknown>): boolean {
  switch (update.type) {
    case "assistant_message.content_part.added":
    case "assistant_message.content_part.done": {
      const index = update.content_index;
      if (typeof index !== "number" || !isRecord(update.content)) return false;
      contentParts(item)[index] = { ...(update.content as unknown as AssistantContent) };
      return true;
    }
    case "assistant_message.content_part.text_delta": {
      const index = update.content_index;
      if (typeof index !== "number" || typeof update.delta !== "string") return false;
      const parts = contentParts(item);
      const part = parts[index] ?? { type: "output_text", text: "", annotations: [] };
      part.text = (part.text ?? "") + update.delta;
      parts[index] = part;
      return true;
    }
    case "assistant_message.content_part.annotation_added": {
      const part = contentParts(item)[update.content_index as number];
      if (!part || typeof update.annotation_index !== "number") return false;
      part.annotations ??= [];
      part.annotations[update.annotation_index] = update.annotation;
      return true;
    }
    case "workflow.task.added":
    case "workflow.task.updated": {
      const index = update.task_index;
      if (typeof index !== "number" || !isRecord(update.task)) return false;
      workflowTasks(item)[index] = update.task as Task;
      return true;
    }
    default:
      return false;
  }
}

function contentParts(item: ThreadItem): AssistantContent[] {
  if (!Array.isArray(item.content)) item.content = [];
  return item.content as AssistantContent[];
}

function workflowTasks(item: ThreadItem): Task[] {
  if (!isRecord(item.workflow)) item.workflow = { type: "custom", tasks: [] };
  const workflow = item.workflow as { tasks?: Task[] };
  if (!Array.isArray(workflow.tasks)) workflow.tasks = [];
  return workflow.tasks;
}
