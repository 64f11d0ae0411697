// Text-like components: Text, Title, Caption, Markdown, Label, Badge, Icon. Server strings
// only ever become text nodes; Markdown goes through the messages' sanitising renderer.
import { isRecord, type WidgetComponent } from "../../../chatkit/types";
import { Input } from "./controls";
import type { ComponentRenderer, MarkdownBody } from "./env";
import { fieldId } from "./fields";
import { widgetIcon } from "./icons";
import { num, str, token } from "./model";
import { applyColor, applySpacing, length, resetStyle } from "./style";

const WEIGHTS = ["normal", "medium", "semibold", "bold"] as const;
const ALIGNS = ["start", "center", "end"] as const;

/** Typography props shared by Text, Title, Caption and Label. */
function applyTypography(
  el: HTMLElement,
  c: WidgetComponent,
  base: string,
  sizes: readonly string[],
) {
  resetStyle(el, base);
  const size = token(c, "size", sizes);
  if (size) el.dataset.size = size;
  else delete el.dataset.size;
  setData(el, "weight", token(c, "weight", WEIGHTS));
  setData(el, "align", token(c, "textAlign", ALIGNS));
  el.classList.toggle("ckw-w-italic", c.italic === true);
  el.classList.toggle("ckw-w-strike", c.lineThrough === true);
  el.classList.toggle("ckw-w-truncate", c.truncate === true);
  const maxLines = num(c, "maxLines");
  if (maxLines !== undefined && maxLines > 0) {
    el.classList.add("ckw-w-clamp");
    el.style.setProperty("--ckw-w-lines", String(Math.floor(maxLines)));
  }
  const minLines = num(c, "minLines");
  if (minLines !== undefined && minLines > 0)
    el.style.minHeight = `${Math.floor(minLines) * 1.5}em`;
  const width = length(c.width);
  if (width) el.style.width = width;
  applyColor(el, c.color, "fg");
}

function setData(el: HTMLElement, name: string, value: string | undefined): void {
  if (value === undefined) delete el.dataset[name];
  else el.dataset[name] = value;
}

function textLike(tag: "div" | "h3", base: string, sizes: readonly string[]): ComponentRenderer {
  const patch = (el: HTMLElement, c: WidgetComponent) => {
    applyTypography(el, c, base, sizes);
    const value = str(c, "value") ?? "";
    if (el.textContent !== value) el.textContent = value;
    return true;
  };
  return {
    create(c) {
      const el = document.createElement(tag);
      patch(el, c);
      return el;
    },
    patch,
  };
}

const plainText = textLike("div", "ckw-w-text", ["xs", "sm", "md", "lg", "xl"]);

/**
 * Text, or with `editable` an inline text box that a form sends under `editable.name`
 * (starting from the text's value; what the person typed survives updates, as in an Input).
 */
export const Text: ComponentRenderer = {
  create(c, env) {
    const field = editableField(c);
    if (field === null) return plainText.create(c, env);
    const el = Input.create(field, env);
    el.classList.add("ckw-w-editable");
    return el;
  },
  patch(el, c, env) {
    const field = editableField(c);
    if ((field !== null) !== (el.tagName === "INPUT")) return false;
    if (field === null) return plainText.patch(el, c, env);
    const patched = Input.patch(el, field, env);
    el.classList.add("ckw-w-editable");
    return patched;
  },
};

/** An editable Text as the Input it becomes, or null when it is plain text. */
function editableField(c: WidgetComponent): WidgetComponent | null {
  const editable = c.editable;
  if (!isRecord(editable) || typeof editable.name !== "string" || !editable.name) return null;
  return {
    ...editable,
    type: "Input",
    defaultValue: str(c, "value") ?? "",
    ...(c.id === undefined ? {} : { id: c.id }),
    ...(c.key === undefined ? {} : { key: c.key }),
  };
}
export const Title = textLike("h3", "ckw-w-title", [
  "sm",
  "md",
  "lg",
  "xl",
  "2xl",
  "3xl",
  "4xl",
  "5xl",
]);
export const Caption = textLike("div", "ckw-w-caption", ["sm", "md", "lg"]);

const markdownViews = new WeakMap<HTMLElement, MarkdownBody>();

/** Markdown renders as messages do; while `streaming`, only its tail re-renders per delta. */
export const Markdown: ComponentRenderer = {
  create(c, env) {
    const view = env.markdown("ckw-markdown ckw-w-markdown");
    markdownViews.set(view.el, view);
    Markdown.patch(view.el, c, env);
    return view.el;
  },
  patch(el, c) {
    const view = markdownViews.get(el);
    if (!view) return false;
    const value = str(c, "value") ?? "";
    if (c.streaming === true) view.update(value);
    else view.finish(value);
    return true;
  },
};

/** A label for the control named `fieldName` (controls take their id from their name). */
export const Label: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("label");
    Label.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    applyTypography(el, c, "ckw-w-label", ["xs", "sm", "md", "lg", "xl"]);
    const name = str(c, "fieldName") ?? "";
    el.setAttribute("for", fieldId(env.itemId, name));
    el.id = `${fieldId(env.itemId, name)}-label`;
    el.textContent = str(c, "value") ?? "";
    return true;
  },
};

const BADGE_COLORS = ["secondary", "success", "danger", "warning", "info", "discovery"] as const;

export const Badge: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("span");
    Badge.patch(el, c, env);
    return el;
  },
  patch(el, c) {
    resetStyle(el, "ckw-w-badge");
    el.dataset.color = token(c, "color", BADGE_COLORS) ?? "secondary";
    el.dataset.variant = token(c, "variant", ["solid", "soft", "outline"] as const) ?? "soft";
    el.dataset.size = token(c, "size", ["sm", "md", "lg"] as const) ?? "sm";
    el.classList.toggle("ckw-w-pill", c.pill === true);
    el.textContent = str(c, "label") ?? "";
    return true;
  },
};

const ICON_SIZES = ["xs", "sm", "md", "lg", "xl", "2xl", "3xl"] as const;

export const Icon: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("span");
    Icon.patch(el, c, env);
    return el;
  },
  patch(el, c) {
    resetStyle(el, "ckw-w-icon-box");
    el.dataset.size = token(c, "size", ICON_SIZES) ?? "md";
    applyColor(el, c.color, "fg");
    const name = str(c, "name") ?? "";
    if (el.firstElementChild?.getAttribute("data-icon") !== name)
      el.replaceChildren(widgetIcon(name));
    return true;
  },
};

/** Divider: a rule, coloured and spaced by its props. */
export const Divider: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("hr");
    Divider.patch(el, c, env);
    return el;
  },
  patch(el, c) {
    resetStyle(el, "ckw-w-divider");
    el.classList.toggle("ckw-w-flush", c.flush === true);
    const size = length(c.size);
    if (size) el.style.borderTopWidth = size;
    if (c.spacing !== undefined) applySpacing(el, "margin", { y: c.spacing });
    applyColor(el, c.color, "bd");
    return true;
  },
};
