// What component renderers are given, and the contract they fulfil for the tree (tree.ts).
import type { ActionConfig, WidgetComponent } from "../../../chatkit/types";

/** Who shows busy while an action's request runs: the control used, or the whole widget. */
export type ActionScope = "control" | "container";

export interface WidgetEnv {
  /** The widget item's id (actions name it as their sender). */
  readonly itemId: string;
  readonly busy: BusyState;
  /** A markdown body rendered as messages are (given by the UI core, not bundled again). */
  markdown(className: string): MarkdownBody;
  /** Origins whose images load without a click besides the page's (the chat's server). */
  imageOrigins(): readonly string[];
  /**
   * Run `action` for control `source`; `values` (form fields keyed by name, or a control's
   * new value) are merged into its payload.
   */
  act(
    action: ActionConfig,
    source: HTMLElement,
    scope: ActionScope,
    values?: Record<string, unknown>,
  ): void;
}

/** A markdown body that streams: only its tail re-renders per update (markdown/render.ts). */
export interface MarkdownBody {
  readonly el: HTMLElement;
  update(text: string): void;
  finish(text: string): void;
}

/** How one component type becomes DOM. Children are the tree's business (see `slot`). */
export interface ComponentRenderer {
  create(c: WidgetComponent, env: WidgetEnv): HTMLElement;
  /**
   * Apply changed props to an element `create` made, keeping it (and its focus and typed
   * value); false when it cannot (another tag is needed): the tree makes a new one.
   */
  patch(el: HTMLElement, c: WidgetComponent, env: WidgetEnv): boolean;
  /** Where the component's children go; absent: it has none (or draws them itself). */
  slot?(el: HTMLElement): HTMLElement;
  /** Runs after the children were placed (a ListView hides those past its limit). */
  placed?(el: HTMLElement, c: WidgetComponent): void;
}

type Control = HTMLElement & { disabled?: boolean };

/**
 * Disabled state of a widget's controls: what their props say, plus "busy" while an action
 * they (or their container) started runs. Kept apart so a re-render during the request does
 * not re-enable a busy control, and the end of the request restores what the props say.
 */
export class BusyState {
  private readonly busy = new Set<HTMLElement>();
  private readonly wanted = new WeakMap<HTMLElement, boolean>();

  /** A control's own disabled state (from its props). */
  setDisabled(control: Control, disabled: boolean): void {
    this.wanted.set(control, disabled);
    this.apply(control);
  }

  isBusy(el: HTMLElement): boolean {
    for (const target of this.busy) if (target === el || target.contains(el)) return true;
    return false;
  }

  get active(): boolean {
    return this.busy.size > 0;
  }

  begin(target: HTMLElement): void {
    this.busy.add(target);
    this.refresh(target);
  }

  end(target: HTMLElement): void {
    this.busy.delete(target);
    this.refresh(target);
  }

  /** Apply the state to `scope` and every control in it (after a re-render, say). */
  refresh(scope: HTMLElement): void {
    if (this.busy.has(scope)) scope.setAttribute("aria-busy", "true");
    else scope.removeAttribute("aria-busy");
    this.apply(scope);
    for (const control of scope.querySelectorAll<Control>(CONTROLS)) this.apply(control);
  }

  private apply(control: Control): void {
    if (!control.matches(CONTROLS)) return;
    const disabled = (this.wanted.get(control) ?? false) || this.isBusy(control);
    if ("disabled" in control) {
      control.disabled = disabled;
    } else if (disabled) control.setAttribute("aria-disabled", "true");
    else control.removeAttribute("aria-disabled");
  }
}

const CONTROLS = "button, input, select, textarea, [data-ckw-action]";
