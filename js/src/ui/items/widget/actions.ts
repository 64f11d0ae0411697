// What a widget's action does: "server" actions (the default) send `threads.custom_action`
// and show busy as `loadingBehavior` says until its stream ends; "client" actions are a DOM
// event for the page (the notebook's JS), and send nothing.
import { type ActionConfig, isRecord, type WidgetAction } from "../../../chatkit/types";
import type { ActionScope, BusyState } from "./env";

/** The event a "client" action dispatches on the widget's element (it bubbles). */
export const WIDGET_ACTION_EVENT = "chatkit-widget:action";

export interface WidgetActionDetail {
  itemId: string;
  action: WidgetAction;
}

/** Sends a server action for widget `itemId`; settles when its stream has ended. */
export type SendAction = (itemId: string, action: WidgetAction) => Promise<void>;

/** ChatKit's convention: field values (keyed by name) merge into an object payload. */
export function mergePayload(payload: unknown, values?: Record<string, unknown>): unknown {
  if (!values || Object.keys(values).length === 0) return payload ?? null;
  return isRecord(payload) ? { ...payload, ...values } : { ...values };
}

export class WidgetActionRunner {
  constructor(
    private readonly itemId: string,
    /** The widget's element: client events start here, "container" loading covers it. */
    private readonly host: HTMLElement,
    private readonly busy: BusyState,
    private readonly send: SendAction | undefined,
  ) {}

  run(
    config: ActionConfig,
    source: HTMLElement,
    scope: ActionScope,
    values?: Record<string, unknown>,
  ): void {
    const action: WidgetAction = {
      type: config.type,
      payload: mergePayload(config.payload, values),
    };
    if (config.handler === "client") {
      const detail: WidgetActionDetail = { itemId: this.itemId, action };
      this.host.dispatchEvent(
        new window.CustomEvent(WIDGET_ACTION_EVENT, { bubbles: true, composed: true, detail }),
      );
      return;
    }
    // A control already waiting on its request is not pressed twice.
    if (!this.send || this.busy.isBusy(source)) return;
    const target = this.loadingTarget(config.loadingBehavior, source, scope);
    if (target) this.busy.begin(target);
    this.send(this.itemId, action)
      .catch((error: unknown) => console.debug("chatkit-widget: widget action failed", error))
      .finally(() => {
        if (target) this.busy.end(target);
      });
  }

  private loadingTarget(
    behavior: ActionConfig["loadingBehavior"],
    source: HTMLElement,
    scope: ActionScope,
  ): HTMLElement | null {
    if (behavior === "none") return null;
    if (behavior === "self") return source;
    if (behavior === "container") return this.host;
    return scope === "container" ? this.host : source;
  }
}
