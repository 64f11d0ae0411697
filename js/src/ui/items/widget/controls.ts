// Interactive components: Button and the form controls (Input, Textarea, Select, Checkbox,
// RadioGroup, DatePicker). A patch never resets what the person typed or picked unless the
// server changed that control's default; the disabled state goes through BusyState.
import { isRecord, type WidgetComponent } from "../../../chatkit/types";
import type { ComponentRenderer, WidgetEnv } from "./env";
import { fieldId } from "./fields";
import { iconWords, widgetIcon } from "./icons";
import { actionOf, flag, latestOf, num, remember, str, token } from "./model";
import { resetStyle } from "./style";

const SIZES = ["3xs", "2xs", "xs", "sm", "md", "lg", "xl", "2xl", "3xl"] as const;
const VARIANTS = ["solid", "soft", "outline", "ghost"] as const;
const BUTTON_COLORS = [
  "primary",
  "secondary",
  "info",
  "discovery",
  "success",
  "caution",
  "warning",
  "danger",
] as const;

function setData(el: HTMLElement, name: string, value: string | undefined): void {
  if (value === undefined) delete el.dataset[name];
  else el.dataset[name] = value;
}

/** Size, variant, pill and block: the look controls share. */
function applyControlLook(el: HTMLElement, c: WidgetComponent, base: string): void {
  resetStyle(el, base);
  setData(el, "size", token(c, "size", SIZES));
  setData(el, "variant", token(c, "variant", VARIANTS));
  el.classList.toggle("ckw-w-pill", flag(c, "pill"));
  el.classList.toggle("ckw-w-block", flag(c, "block"));
}

export const Button: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("button");
    el.addEventListener("click", () => {
      const current = latestOf(el);
      if (!current) return;
      // A submit button of a form: the form's submit (with its values) is the action.
      if (current.submit === true && el.form) return;
      const action = actionOf(current.onClickAction);
      if (action) env.act(action, el, "control");
    });
    Button.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    const button = remember(el as HTMLButtonElement, c);
    applyControlLook(button, c, "ckw-w-button");
    button.type = c.submit === true ? "submit" : "button";
    const style = token(c, "style", ["primary", "secondary"] as const);
    setData(
      button,
      "color",
      token(c, "color", BUTTON_COLORS) ?? (style === "secondary" ? "secondary" : "primary"),
    );
    if (!c.variant && style === "secondary") button.dataset.variant = "outline";
    button.classList.toggle("ckw-w-uniform", flag(c, "uniform"));
    const label = str(c, "label") ?? "";
    const start = str(c, "iconStart");
    const end = str(c, "iconEnd");
    button.replaceChildren(
      ...(start ? [widgetIcon(start)] : []),
      ...(label ? [Object.assign(document.createElement("span"), { textContent: label })] : []),
      ...(end ? [widgetIcon(end)] : []),
    );
    // An icon-only button still needs a name.
    const name = label || iconWords(start ?? end ?? "") || "Button";
    if (label) button.removeAttribute("aria-label");
    else button.setAttribute("aria-label", name);
    env.busy.setDisabled(button, flag(c, "disabled"));
    return true;
  },
};

/** Defaults last applied, and fields the person has changed since (their values stay). */
const defaults = new WeakMap<HTMLElement, string>();
const touched = new WeakSet<HTMLElement>();

type ValueField = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** Apply a default value: on first render, or when the server changed it and nobody typed. */
function applyDefault(el: ValueField, value: string): void {
  const previous = defaults.get(el);
  defaults.set(el, value);
  if (previous === undefined || (previous !== value && !touched.has(el))) el.value = value;
}

function trackEdits(el: ValueField): void {
  el.addEventListener("input", () => touched.add(el));
  el.addEventListener("change", () => touched.add(el));
}

/** Name, id and an accessible name: a Label for this field wins, else placeholder or name. */
function nameField(el: ValueField, c: WidgetComponent, env: WidgetEnv): string {
  const name = str(c, "name") ?? "";
  el.name = name;
  el.id = fieldId(env.itemId, name);
  el.setAttribute("aria-labelledby", `${el.id}-label`);
  el.setAttribute("aria-label", str(c, "placeholder") || str(c, "ariaLabel") || iconWords(name));
  el.required = flag(c, "required");
  env.busy.setDisabled(el, flag(c, "disabled"));
  return name;
}

/** Sends a control's `onChangeAction` with its new value keyed by its name. */
function onChange(el: HTMLElement, env: WidgetEnv, value: () => unknown): void {
  el.addEventListener("change", () => {
    const current = latestOf(el);
    const action = current ? actionOf(current.onChangeAction) : null;
    const name = current ? (str(current, "name") ?? "") : "";
    if (action) env.act(action, el, "control", { [name]: value() });
  });
}

interface ChoiceOption {
  value: string;
  label: string;
  disabled: boolean;
  description: string | undefined;
}

/** A Select's or RadioGroup's options, those with a string value. */
function optionsOf(c: WidgetComponent): ChoiceOption[] {
  const options = Array.isArray(c.options) ? c.options.filter(isRecord) : [];
  return options.flatMap(({ value, label, disabled, description }) =>
    typeof value === "string"
      ? [
          {
            value,
            label: typeof label === "string" ? label : value,
            disabled: disabled === true,
            description: typeof description === "string" ? description : undefined,
          },
        ]
      : [],
  );
}

const INPUT_TYPES = ["number", "email", "text", "password", "tel", "url"] as const;

export const Input: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("input");
    trackEdits(el);
    el.addEventListener("focus", () => {
      if (latestOf(el)?.autoSelect === true) el.select();
    });
    Input.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    const input = remember(el as HTMLInputElement, c);
    applyControlLook(input, c, "ckw-w-input");
    input.type = token(c, "inputType", INPUT_TYPES) ?? "text";
    nameField(input, c, env);
    textAttrs(input, c);
    input.autocomplete = c.allowAutofillExtensions === true ? "on" : "off";
    applyDefault(input, str(c, "defaultValue") ?? "");
    return true;
  },
};

function textAttrs(el: HTMLInputElement | HTMLTextAreaElement, c: WidgetComponent): void {
  const placeholder = str(c, "placeholder");
  if (placeholder) el.placeholder = placeholder;
  else el.removeAttribute("placeholder");
  const pattern = str(c, "pattern");
  if (pattern && el.tagName === "INPUT") el.setAttribute("pattern", pattern);
  else el.removeAttribute("pattern");
}

export const Textarea: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("textarea");
    trackEdits(el);
    Textarea.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    const area = remember(el as HTMLTextAreaElement, c);
    applyControlLook(area, c, "ckw-w-input ckw-w-textarea");
    nameField(area, c, env);
    textAttrs(area, c);
    area.rows = Math.max(1, Math.floor(num(c, "rows") ?? 3));
    const maxRows = num(c, "maxRows");
    if (maxRows) area.style.maxHeight = `${maxRows * 1.5 + 1}em`;
    applyDefault(area, str(c, "defaultValue") ?? "");
    return true;
  },
};

function option(label: string, value: string): HTMLOptionElement {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = label;
  return el;
}

export const Select: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("select");
    trackEdits(el);
    onChange(el, env, () => el.value);
    Select.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    const select = remember(el as HTMLSelectElement, c);
    applyControlLook(select, c, "ckw-w-input ckw-w-select");
    nameField(select, c, env);
    const chosen = select.value;
    const options: HTMLOptionElement[] = [];
    const placeholder = str(c, "placeholder");
    if (placeholder || !str(c, "defaultValue")) {
      const empty = option(placeholder ?? "", "");
      empty.disabled = c.clearable !== true;
      options.push(empty);
    }
    for (const { value, label, disabled, description } of optionsOf(c)) {
      const el = option(label, value);
      el.disabled = disabled;
      if (description) el.title = description;
      options.push(el);
    }
    select.replaceChildren(...options);
    // Rebuilding the options reset the choice: put back what was picked.
    if (touched.has(select)) select.value = chosen;
    defaults.delete(select);
    applyDefault(select, str(c, "defaultValue") ?? "");
    return true;
  },
};

export const DatePicker: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("input");
    el.type = "date";
    trackEdits(el);
    onChange(el, env, () => el.value);
    DatePicker.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    const input = remember(el as HTMLInputElement, c);
    applyControlLook(input, c, "ckw-w-input ckw-w-date");
    nameField(input, c, env);
    const day = (name: string) => (str(c, name) ?? "").slice(0, 10);
    input.min = day("min");
    input.max = day("max");
    applyDefault(input, day("defaultValue"));
    return true;
  },
};

export const Checkbox: ComponentRenderer = {
  create(c, env) {
    const input = document.createElement("input");
    input.type = "checkbox";
    input.addEventListener("change", () => touched.add(input));
    const el = document.createElement("label");
    el.append(input, document.createElement("span"));
    onChange(input, env, () => input.checked);
    Checkbox.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    const input = el.querySelector("input");
    if (!input) return false;
    resetStyle(el, "ckw-w-check");
    remember(input, c);
    const name = str(c, "name") ?? "";
    input.name = name;
    input.id = fieldId(env.itemId, name);
    input.required = flag(c, "required");
    const label = str(c, "label") ?? "";
    (el.lastElementChild as HTMLElement).textContent = label;
    if (label) input.removeAttribute("aria-label");
    else input.setAttribute("aria-label", iconWords(name));
    env.busy.setDisabled(input, flag(c, "disabled"));
    const checked = c.defaultChecked === true ? "true" : "false";
    if (defaults.get(input) !== checked && !touched.has(input)) input.checked = checked === "true";
    defaults.set(input, checked);
    return true;
  },
};

const radioShapes = new WeakMap<HTMLElement, string>();

function radio(groupId: string, name: string, option: ChoiceOption, index: number): HTMLElement {
  const input = document.createElement("input");
  input.type = "radio";
  // Named after this widget's group: radios group by name across the whole page.
  input.name = groupId;
  input.dataset.field = name;
  input.id = `${groupId}-${index}`;
  input.value = option.value;
  const text = document.createElement("span");
  text.textContent = option.label;
  const label = document.createElement("label");
  label.className = "ckw-w-radio";
  label.append(input, text);
  return label;
}

function checkRadio(group: HTMLElement, value: string): void {
  for (const input of group.querySelectorAll<HTMLInputElement>("input")) {
    input.checked = input.value === value;
  }
}

export const RadioGroup: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("div");
    el.setAttribute("role", "radiogroup");
    el.addEventListener("change", (event) => {
      const radio = event.target as HTMLInputElement;
      touched.add(el);
      const current = latestOf(el);
      const action = current ? actionOf(current.onChangeAction) : null;
      if (action) env.act(action, radio, "control", { [radio.dataset.field ?? ""]: radio.value });
    });
    RadioGroup.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    remember(el, c);
    resetStyle(el, "ckw-w-radios");
    el.dataset.direction = c.direction === "row" ? "row" : "col";
    const name = str(c, "name") ?? "";
    const id = fieldId(env.itemId, name);
    el.id = id;
    el.setAttribute("aria-labelledby", `${id}-label`);
    el.setAttribute("aria-label", str(c, "ariaLabel") ?? iconWords(name));
    if (flag(c, "required")) el.setAttribute("aria-required", "true");
    else el.removeAttribute("aria-required");
    const options = optionsOf(c);
    const shape = JSON.stringify([name, options]);
    const value = str(c, "defaultValue") ?? "";
    // Same options: keep the radios (and focus); a new default applies if nobody picked yet.
    if (radioShapes.get(el) !== shape) {
      radioShapes.set(el, shape);
      const picked = el.querySelector<HTMLInputElement>("input:checked")?.value;
      el.replaceChildren(...options.map((option, index) => radio(id, name, option, index)));
      defaults.delete(el);
      if (touched.has(el) && picked !== undefined) checkRadio(el, picked);
    }
    if (defaults.get(el) !== value && !touched.has(el)) checkRadio(el, value);
    defaults.set(el, value);
    for (const [index, input] of el.querySelectorAll<HTMLInputElement>("input").entries()) {
      input.required = flag(c, "required");
      env.busy.setDisabled(input, flag(c, "disabled") || options[index]?.disabled === true);
    }
    return true;
  },
};
