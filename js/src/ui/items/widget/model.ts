// Reading widget JSON defensively: the tree comes from the server (or a model), so every prop
// is checked for its type before use and anything unexpected reads as absent.
import { type ActionConfig, isRecord, type WidgetComponent } from "../../../chatkit/types";
import { childrenOf, findComponent, isComponent } from "../../../chatkit/widgets";

export { childrenOf, findComponent, isComponent };

/** How a child is matched across renders: its `id`, else its `key`, else type and position. */
export function identityOf(c: WidgetComponent, index: number): string {
  if (typeof c.id === "string" && c.id) return `id:${c.id}`;
  if (typeof c.key === "string" && c.key) return `key:${c.key}`;
  return `at:${index}:${c.type}`;
}

/** The component's own props (children left out), to tell whether it changed. */
export function propsKey(c: WidgetComponent): string {
  const { children: _children, ...own } = c;
  return JSON.stringify(own);
}

export function str(c: WidgetComponent, name: string): string | undefined {
  const value = c[name];
  return typeof value === "string" ? value : undefined;
}

export function num(c: WidgetComponent, name: string): number | undefined {
  const value = c[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function flag(c: WidgetComponent, name: string): boolean {
  return c[name] === true;
}

/** A string prop that must be one of `allowed` (a token), else undefined. */
export function token<T extends string>(
  c: WidgetComponent,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = c[name];
  return typeof value === "string" && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

export function actionOf(value: unknown): ActionConfig | null {
  return isRecord(value) && typeof value.type === "string"
    ? (value as unknown as ActionConfig)
    : null;
}

const latest = new WeakMap<Element, WidgetComponent>();

/**
 * Record the component an element now shows: its listeners, attached once, read the props
 * of the latest render rather than those it was created with.
 */
export function remember<E extends Element>(el: E, c: WidgetComponent): E {
  latest.set(el, c);
  return el;
}

export function latestOf(el: Element): WidgetComponent | undefined {
  return latest.get(el);
}
