// A `structured_input` item: questions the assistant asks, answered with radio buttons or
// checkboxes (multiple choice) or a text box (freeform), then Submit or Skip. Once answered
// or skipped (also when loaded later), the answers show read-only.
import type {
  StructuredInputAnswer,
  StructuredInputItem,
  StructuredInputQuestion,
  StructuredInputSubmission,
  ThreadItem,
} from "../../chatkit/types";
import { isRecord } from "../../chatkit/types";
import { h } from "../../util/dom";
import { type ItemView, type RowContext, rowElement } from "./types";

export class StructuredInputView implements ItemView {
  readonly el: HTMLDivElement;
  /** What is drawn now, so an unchanged item keeps its half-filled form. */
  private shownKey = "";
  private sending = false;

  constructor(
    item: ThreadItem,
    private readonly ctx?: RowContext,
  ) {
    this.el = rowElement(item, "ckw-structured");
  }

  update(item: ThreadItem): void {
    const input = item as StructuredInputItem;
    const questions = questionsOf(input);
    const status =
      input.status === "answered" || input.status === "skipped" ? input.status : "pending";
    const key = JSON.stringify([status, questions]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.el.dataset.status = status;
    if (status === "pending") this.el.replaceChildren(this.form(item.id, questions));
    else this.el.replaceChildren(answers(questions, status));
  }

  private form(itemId: string, questions: StructuredInputQuestion[]): HTMLFormElement {
    const form = h("form", { class: "ckw-structured-form" });
    questions.forEach((question, index) => {
      form.append(fieldset(itemId, question, index));
    });
    const submit = h(
      "button",
      { type: "submit", class: "ckw-button ckw-structured-submit" },
      "Submit",
    );
    const skip = h("button", { type: "button", class: "ckw-button ckw-structured-skip" }, "Skip");
    form.append(h("div", { class: "ckw-structured-actions" }, submit, skip));
    const canSend = this.ctx?.submitStructuredInput !== undefined;
    submit.disabled = !canSend;
    skip.disabled = !canSend;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send(itemId, form, {
        status: "answered",
        answers: Object.fromEntries(questions.map((q, i) => [q.id, answerIn(form, q, i)])),
      });
    });
    skip.addEventListener("click", () => {
      void this.send(itemId, form, {
        status: "skipped",
        answers: Object.fromEntries(questions.map((q) => [q.id, { values: [], skipped: true }])),
      });
    });
    return form;
  }

  private async send(itemId: string, form: HTMLFormElement, input: StructuredInputSubmission) {
    const submit = this.ctx?.submitStructuredInput;
    if (!submit || this.sending) return;
    this.sending = true;
    const controls = [
      ...form.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLTextAreaElement>(
        "button, input, textarea",
      ),
    ];
    const wasDisabled = controls.map((control) => control.disabled);
    form.setAttribute("aria-busy", "true");
    for (const control of controls) control.disabled = true;
    try {
      await submit.call(this.ctx, itemId, input);
    } finally {
      this.sending = false;
      // The server's answer replaced the form already, or it did not go through: try again.
      form.removeAttribute("aria-busy");
      controls.forEach((control, i) => {
        control.disabled = wasDisabled[i] ?? false;
      });
    }
  }
}

function questionsOf(item: StructuredInputItem): StructuredInputQuestion[] {
  const inputs = Array.isArray(item.inputs) ? item.inputs : [];
  return inputs.filter(
    (q): q is StructuredInputQuestion =>
      isRecord(q) && typeof q.id === "string" && typeof q.question === "string",
  );
}

function fieldId(itemId: string, index: number): string {
  return `ckw-si-${itemId.replace(/[^\w-]/g, "_")}-${index}`;
}

/** One question: a fieldset whose legend is the question (so each option is read with it). */
function fieldset(
  itemId: string,
  question: StructuredInputQuestion,
  index: number,
): HTMLFieldSetElement {
  const id = fieldId(itemId, index);
  const set = h("fieldset", { class: "ckw-structured-question", "data-input-id": question.id });
  set.append(h("legend", {}, question.question));
  if (question.type === "multiple_choice") {
    const multiple = question.multiple === true;
    const options = Array.isArray(question.options) ? question.options : [];
    options.forEach((option, i) => {
      if (!isRecord(option) || typeof option.value !== "string") return;
      const control = h("input", {
        type: multiple ? "checkbox" : "radio",
        name: id,
        id: `${id}-${i}`,
        value: option.value,
      });
      set.append(
        h("label", { class: "ckw-structured-option", for: `${id}-${i}` }, control, option.value),
      );
    });
    set.append(otherAnswer(id, multiple, question.question));
    return set;
  }
  if (typeof question.description === "string" && question.description) {
    set.append(
      h("p", { class: "ckw-structured-description", id: `${id}-desc` }, question.description),
    );
  }
  const box = h("textarea", { name: id, id, rows: "3", class: "ckw-structured-text" });
  // The legend names the fieldset, not the box: label it with the question too.
  box.setAttribute("aria-label", question.question);
  if (question.description) box.setAttribute("aria-describedby", `${id}-desc`);
  set.append(box);
  return set;
}

/**
 * ChatKit's options are suggestions before a free answer: "Other" with a text box, picked as
 * soon as something is typed in it (and its text is the value sent).
 */
function otherAnswer(id: string, multiple: boolean, question: string): HTMLElement {
  const pick = h("input", {
    type: multiple ? "checkbox" : "radio",
    name: id,
    id: `${id}-other`,
    value: "",
    class: "ckw-structured-other-pick",
  });
  const text = h("input", {
    type: "text",
    id: `${id}-other-text`,
    class: "ckw-structured-other-text",
    placeholder: "Other answer",
    "aria-label": `${question}: other answer`,
  });
  text.addEventListener("input", () => {
    if (text.value.trim()) pick.checked = true;
  });
  return h(
    "div",
    { class: "ckw-structured-option ckw-structured-other" },
    h("label", { for: `${id}-other` }, pick, "Other"),
    text,
  );
}

/** What was given for question `index`: the options picked, or the text typed. */
function answerIn(
  form: HTMLFormElement,
  question: StructuredInputQuestion,
  index: number,
): StructuredInputAnswer {
  const set = form.querySelectorAll("fieldset")[index];
  const other = set?.querySelector<HTMLInputElement>(".ckw-structured-other-text")?.value.trim();
  const values =
    question.type === "multiple_choice"
      ? [...(set?.querySelectorAll<HTMLInputElement>("input:checked") ?? [])]
          .map((i) => (i.classList.contains("ckw-structured-other-pick") ? (other ?? "") : i.value))
          .filter(Boolean)
      : [...(set?.querySelectorAll("textarea") ?? [])].map((t) => t.value.trim()).filter(Boolean);
  return { values, skipped: values.length === 0 };
}

/** The answers, read-only: each question with what was chosen, or that it was skipped. */
function answers(
  questions: StructuredInputQuestion[],
  status: "answered" | "skipped",
): HTMLElement {
  const list = h("dl", { class: "ckw-structured-answers" });
  for (const question of questions) {
    const answer = isRecord(question.answer) ? question.answer : null;
    const values = Array.isArray(answer?.values)
      ? answer.values.filter((v): v is string => typeof v === "string")
      : [];
    const skipped = status === "skipped" || answer?.skipped === true || values.length === 0;
    list.append(
      h("dt", {}, question.question),
      h(
        "dd",
        { class: skipped ? "ckw-structured-skipped" : "" },
        skipped ? "Skipped" : values.join(", "),
      ),
    );
  }
  const title = status === "skipped" ? "Questions skipped" : "Your answers";
  return h(
    "div",
    { class: "ckw-structured-done", role: "group", "aria-label": title },
    h("div", { class: "ckw-structured-title" }, title),
    list,
  );
}
