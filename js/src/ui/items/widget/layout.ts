// Containers: Box, Row, Col, the Basic root, Transition, Spacer, ListView and ListViewItem,
// Card, and the fallback for unknown types (it renders their children, or nothing).
import type { WidgetComponent } from "../../../chatkit/types";
import { isRecord } from "../../../chatkit/types";
import { imageSourceKind } from "../image-source";
import type { ComponentRenderer, WidgetEnv } from "./env";
import { fieldValues } from "./fields";
import { widgetIcon } from "./icons";
import { actionOf, latestOf, remember } from "./model";
import { applyBox, applyColor, applySpacing, length, resetStyle } from "./style";

type Direction = "row" | "col";

/** A flex container laid out by BoxBase props; `direction` fixed, or read from the props. */
export function box(direction: Direction | null, tag: "div" | "form" = "div"): ComponentRenderer {
  const patch = (el: HTMLElement, c: WidgetComponent) => {
    if (el.tagName !== tag.toUpperCase()) return false;
    remember(el, c);
    resetStyle(el, "ckw-w-box");
    el.dataset.direction = direction ?? (c.direction === "row" ? "row" : "col");
    applyBox(el, c);
    return true;
  };
  return {
    create(c) {
      const el = document.createElement(tag);
      patch(el, c);
      return el;
    },
    patch,
    slot: (el) => el,
  };
}

export const Box = box(null);
export const Row = box("row");
export const Col = box("col");

/** What carries only children (Transition) and types this widget does not know. */
export const Passthrough: ComponentRenderer = {
  create() {
    const el = document.createElement("div");
    el.className = "ckw-w-passthrough";
    return el;
  },
  patch: () => true,
  slot: (el) => el,
};

export const Spacer: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("div");
    Spacer.patch(el, c, env);
    return el;
  },
  patch(el, c) {
    resetStyle(el, "ckw-w-spacer");
    const min = length(c.minSize);
    if (min) el.style.flexBasis = min;
    return true;
  },
};

/** A status line above a Card or ListView: an icon or an inline favicon, and text. */
function statusLine(value: unknown): HTMLElement | null {
  if (!isRecord(value) || typeof value.text !== "string") return null;
  const el = document.createElement("div");
  el.className = "ckw-w-status";
  if (typeof value.icon === "string") el.append(widgetIcon(value.icon));
  // Favicons are images like any other: only inline or same-origin ones load by themselves.
  const favicon = typeof value.favicon === "string" ? value.favicon : "";
  if (favicon && ["inline", "same-origin"].includes(imageSourceKind(favicon))) {
    const img = document.createElement("img");
    img.className = "ckw-w-favicon";
    img.src = favicon;
    img.alt = "";
    if (value.frame === true) img.classList.add("ckw-w-framed");
    el.append(img);
  }
  el.append(Object.assign(document.createElement("span"), { textContent: value.text }));
  return el;
}

/** Card: a framed box, a status line, and confirm/cancel buttons; `asForm` makes it a form. */
export const Card: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement(c.asForm === true ? "form" : "section");
    const body = document.createElement("div");
    body.className = "ckw-w-card-body";
    el.append(body);
    if (el.tagName === "FORM") {
      (el as HTMLFormElement).noValidate = false;
      el.addEventListener("submit", (event) => {
        event.preventDefault();
        const action = actionOf(cardAction(latestOf(el), "confirm"));
        if (action) env.act(action, el, "container", fieldValues(el));
      });
    }
    Card.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    if ((el.tagName === "FORM") !== (c.asForm === true)) return false;
    remember(el, c);
    resetStyle(el, "ckw-w-card");
    el.dataset.size =
      typeof c.size === "string" && ["sm", "md", "lg", "full"].includes(c.size) ? c.size : "md";
    applyColor(el, c.background, "bg");
    const body = Card.slot?.(el) as HTMLElement;
    resetStyle(body, "ckw-w-card-body");
    applySpacing(body, "padding", c.padding);
    body.hidden = c.collapsed === true;
    for (const extra of [...el.children]) if (extra !== body) extra.remove();
    const status = statusLine(c.status);
    if (status) body.before(status);
    const footer = cardFooter(el, c, env);
    if (footer) body.after(footer);
    return true;
  },
  slot: (el) => el.querySelector<HTMLElement>(":scope > .ckw-w-card-body") ?? el,
};

function cardAction(c: WidgetComponent | undefined, which: "confirm" | "cancel"): unknown {
  const entry = c?.[which];
  return isRecord(entry) ? entry.action : undefined;
}

function cardFooter(el: HTMLElement, c: WidgetComponent, env: WidgetEnv): HTMLElement | null {
  const buttons: HTMLButtonElement[] = [];
  for (const which of ["cancel", "confirm"] as const) {
    const entry = c[which];
    if (!isRecord(entry)) continue;
    const button = document.createElement("button");
    button.className = "ckw-w-button";
    button.dataset.color = "primary";
    button.dataset.variant = which === "confirm" ? "solid" : "outline";
    button.textContent =
      typeof entry.label === "string" ? entry.label : which === "confirm" ? "Confirm" : "Cancel";
    const isForm = el.tagName === "FORM";
    button.type = which === "confirm" && isForm ? "submit" : "button";
    if (button.type === "button") {
      button.addEventListener("click", () => {
        const action = actionOf(cardAction(latestOf(el), which));
        if (action) env.act(action, button, "control", isForm ? fieldValues(el) : undefined);
      });
    }
    env.busy.setDisabled(button, false);
    buttons.push(button);
  }
  if (buttons.length === 0) return null;
  const footer = document.createElement("div");
  footer.className = "ckw-w-card-actions";
  footer.append(...buttons);
  return footer;
}

const expandedLists = new WeakSet<HTMLElement>();

/** ListView: its items in a list, those past `limit` behind "Show more". */
export const ListView: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("div");
    const list = document.createElement("ul");
    list.className = "ckw-w-list-items";
    const more = document.createElement("button");
    more.type = "button";
    more.className = "ckw-button ckw-w-more";
    more.addEventListener("click", () => {
      expandedLists.add(el);
      const current = latestOf(el);
      if (current) ListView.placed?.(el, current);
      list.querySelector<HTMLElement>(":scope > li:not([hidden]) [tabindex]")?.focus();
    });
    el.append(list, more);
    ListView.patch(el, c, env);
    return el;
  },
  patch(el, c) {
    remember(el, c);
    resetStyle(el, "ckw-w-list");
    el.querySelector(":scope > .ckw-w-status")?.remove();
    const status = statusLine(c.status);
    if (status) el.prepend(status);
    return true;
  },
  slot: (el) => el.querySelector<HTMLElement>(":scope > ul") ?? el,
  placed(el, c) {
    const items = [...(el.querySelector(":scope > ul")?.children ?? [])] as HTMLElement[];
    const limit = typeof c.limit === "number" && !expandedLists.has(el) ? c.limit : Infinity;
    items.forEach((item, index) => {
      item.hidden = index >= limit;
    });
    const more = el.querySelector<HTMLButtonElement>(":scope > .ckw-w-more");
    if (more) {
      more.hidden = items.length <= limit;
      more.textContent = `Show ${items.length - Math.min(limit, items.length)} more`;
    }
  },
};

/** A row of a ListView; with `onClickAction` its content is one big button (keyboard too). */
export const ListViewItem: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("li");
    const body = document.createElement("div");
    el.append(body);
    const run = () => {
      const action = actionOf(latestOf(el)?.onClickAction);
      if (action && body.getAttribute("aria-disabled") !== "true") env.act(action, body, "control");
    };
    body.addEventListener("click", (event) => {
      // A control inside the row acts for itself.
      const target = event.target as Element;
      if (target.closest("button, input, select, textarea, a, label") === null) run();
    });
    body.addEventListener("keydown", (event) => {
      if (event.target !== body || (event.key !== "Enter" && event.key !== " ")) return;
      event.preventDefault();
      run();
    });
    ListViewItem.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    remember(el, c);
    el.className = "ckw-w-list-item";
    const body = el.firstElementChild as HTMLElement;
    resetStyle(body, "ckw-w-box ckw-w-list-item-body");
    body.dataset.direction = "row";
    applyBox(body, { type: "Row", gap: c.gap ?? 3, align: c.align ?? "center" });
    if (actionOf(c.onClickAction)) {
      body.setAttribute("role", "button");
      body.tabIndex = 0;
      body.dataset.ckwAction = "";
      env.busy.setDisabled(body, false);
    } else {
      body.removeAttribute("role");
      body.removeAttribute("tabindex");
      delete body.dataset.ckwAction;
    }
    return true;
  },
  slot: (el) => el.firstElementChild as HTMLElement,
};

export const Basic = box("col");
export const Transition = Passthrough;
