import type { AssistantContent, Task, ThreadItem, WidgetComponent } from "../chatkit/types";
import { isRecord } from "../chatkit/types";
import { childrenOf, findComponent, isComponent } from "../chatkit/widgets";

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
    case "widget.root.updated":
      if (!isComponent(update.widget)) return false;
      // A copy: the event object is shared by every view, and deltas later edit the tree.
      item.widget = structuredClone(update.widget);
      return true;
    case "widget.component.updated":
      if (typeof update.component_id !== "string" || !isComponent(update.component)) return false;
      return replaceComponent(item, update.component_id, structuredClone(update.component));
    case "widget.streaming_text.value_delta": {
      const root = isComponent(item.widget) ? item.widget : null;
      const id = update.component_id;
      const found = root && typeof id === "string" ? findComponent(root, id) : null;
      if (!found || typeof update.delta !== "string") return false;
      const value = found.node.value;
      found.node.value = (typeof value === "string" ? value : "") + update.delta;
      return true;
    }
    case "generated_image.updated":
      if (!isRecord(update.image)) return false;
      item.image = { ...update.image };
      if (typeof update.progress === "number") item.progress = update.progress;
      return true;
    default:
      return false;
  }
}

/** Put `component` in place of the one with id `id` in the item's widget tree. */
function replaceComponent(item: ThreadItem, id: string, component: WidgetComponent): boolean {
  const root = isComponent(item.widget) ? item.widget : null;
  const found = root ? findComponent(root, id) : null;
  if (!found) return false;
  if (!found.parent) {
    item.widget = component;
    return true;
  }
  const { children } = found.parent;
  if (Array.isArray(children)) children[children.indexOf(found.node)] = component;
  else found.parent.children = component;
  return childrenOf(found.parent).includes(component);
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
