// Walking a widget tree (chatkit/widgets.py JSON): shared by the state, which applies widget
// updates to items, and the row that renders them.
import { isRecord, type WidgetComponent } from "./types";

export function isComponent(value: unknown): value is WidgetComponent {
  return isRecord(value) && typeof value.type === "string";
}

/** A component's children: a list, or (Transition, dynamic components) a single child. */
export function childrenOf(c: WidgetComponent): WidgetComponent[] {
  const { children } = c;
  if (Array.isArray(children)) return children.filter(isComponent);
  return isComponent(children) ? [children] : [];
}

/** The component with `id` in the tree under `root` (root included), with its parent. */
export function findComponent(
  root: WidgetComponent,
  id: string,
): { node: WidgetComponent; parent: WidgetComponent | null } | null {
  if (root.id === id) return { node: root, parent: null };
  for (const child of childrenOf(root)) {
    if (child.id === id) return { node: child, parent: root };
    const found = findComponent(child, id);
    if (found) return found;
  }
  return null;
}
