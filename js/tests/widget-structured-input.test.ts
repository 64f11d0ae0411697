import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ThreadItem } from "../src/chatkit/types";
import { StructuredInputView } from "../src/ui/items/structured-input";
import { AT, chatWith, nextFrame, sentParams, THREAD } from "./widget-helpers";

function questions(status = "pending", answers: Record<string, unknown> = {}): ThreadItem {
  return {
    id: "si1",
    type: "structured_input",
    thread_id: THREAD,
    created_at: AT,
    status,
    inputs: [
      {
        type: "multiple_choice",
        id: "size",
        question: "Which size?",
        options: [{ value: "Small" }, { value: "Large" }],
        answer: answers.size ?? null,
      },
      {
        type: "multiple_choice",
        id: "toppings",
        question: "Toppings?",
        multiple: true,
        options: [{ value: "Cheese" }, { value: "Olives" }, { value: "Ham" }],
        answer: answers.toppings ?? null,
      },
      {
        type: "freeform",
        id: "notes",
        question: "Anything else?",
        description: "Allergies, say.",
        answer: answers.notes ?? null,
      },
    ],
  };
}

test("questions are fieldsets with legends: radios, checkboxes when multiple, a text box for freeform", async () => {
  const { $, chat } = await chatWith([questions()]);
  const sets = [...chat.root.querySelectorAll<HTMLFieldSetElement>(".ckw-structured fieldset")];
  assert.deepEqual(
    sets.map((s) => s.querySelector("legend")?.textContent),
    ["Which size?", "Toppings?", "Anything else?"],
  );
  // The options, then "Other" with its text box (ChatKit's options are suggestions).
  assert.deepEqual(
    [...(sets[0]?.querySelectorAll("input") ?? [])].map((i) => i.type),
    ["radio", "radio", "radio", "text"],
  );
  assert.deepEqual(
    [...(sets[1]?.querySelectorAll("input") ?? [])].map((i) => i.type),
    ["checkbox", "checkbox", "checkbox", "checkbox", "text"],
  );
  const other = $<HTMLInputElement>(".ckw-structured-other-text");
  assert.equal(other.getAttribute("aria-label"), "Which size?: other answer");
  const picks = chat.root.querySelectorAll<HTMLInputElement>(
    ".ckw-structured input:not(.ckw-structured-other-text)",
  );
  for (const input of picks) {
    assert.equal(
      chat.root.querySelector(`label[for="${input.id}"]`)?.contains(input),
      true,
      "each option is labelled",
    );
  }
  const box = $<HTMLTextAreaElement>(".ckw-structured textarea");
  assert.equal(box.getAttribute("aria-label"), "Anything else?");
  assert.equal(
    chat.root.querySelector(`#${box.getAttribute("aria-describedby")}`)?.textContent,
    "Allergies, say.",
  );
  assert.equal($<HTMLButtonElement>(".ckw-structured-submit").textContent, "Submit");
  assert.equal($<HTMLButtonElement>(".ckw-structured-skip").textContent, "Skip");
});

test("Submit sends threads.add_structured_input with each answer; the form is busy until the stream ends", async () => {
  const { $, transport, chat } = await chatWith([questions()]);
  $<HTMLInputElement>(".ckw-structured input[value=Large]").checked = true;
  $<HTMLInputElement>(".ckw-structured input[value=Cheese]").checked = true;
  $<HTMLInputElement>(".ckw-structured input[value=Ham]").checked = true;
  $<HTMLTextAreaElement>(".ckw-structured textarea").value = "  no nuts ";
  $<HTMLButtonElement>(".ckw-structured-submit").click();
  assert.equal(transport.streams.length, 1);
  assert.deepEqual(transport.streams[0]?.req, {
    type: "threads.add_structured_input",
    params: {
      thread_id: THREAD,
      item_id: "si1",
      input: {
        status: "answered",
        answers: {
          size: { values: ["Large"], skipped: false },
          toppings: { values: ["Cheese", "Ham"], skipped: false },
          notes: { values: ["no nuts"], skipped: false },
        },
      },
    },
  });
  const submit = $<HTMLButtonElement>(".ckw-structured-submit");
  assert.equal(submit.disabled, true);
  submit.click();
  assert.equal(transport.streams.length, 1, "not sent twice");
  // The server answers by replacing the item: it now shows read-only.
  const { id, req } = transport.streams[0] ?? { id: "", req: { type: "", params: {} } };
  transport.start(id, req, false, true);
  transport.events(id, [
    {
      type: "thread.item.replaced",
      item: questions("answered", {
        size: { values: ["Large"], skipped: false },
        toppings: { values: ["Cheese", "Ham"], skipped: false },
        notes: { values: ["no nuts"], skipped: false },
      }),
    },
  ]);
  transport.end(id, "done");
  await nextFrame();
  assert.equal(chat.root.querySelector(".ckw-structured form"), null);
  const answers = [...chat.root.querySelectorAll(".ckw-structured dd")].map((d) => d.textContent);
  assert.deepEqual(answers, ["Large", "Cheese, Ham", "no nuts"]);
});

test("a question left blank is sent as skipped", async () => {
  const { $, transport } = await chatWith([questions()]);
  $<HTMLInputElement>(".ckw-structured input[value=Small]").checked = true;
  $<HTMLButtonElement>(".ckw-structured-submit").click();
  const input = sentParams(transport, 0).input as { answers: Record<string, unknown> };
  assert.deepEqual(input.answers.toppings, { values: [], skipped: true });
  assert.deepEqual(input.answers.notes, { values: [], skipped: true });
});

test("Skip sends status skipped with every question skipped", async () => {
  const { $, transport } = await chatWith([questions()]);
  $<HTMLButtonElement>(".ckw-structured-skip").click();
  const input = sentParams(transport, 0).input;
  assert.deepEqual(input, {
    status: "skipped",
    answers: {
      size: { values: [], skipped: true },
      toppings: { values: [], skipped: true },
      notes: { values: [], skipped: true },
    },
  });
});

test("answered or skipped items load read-only from their answers and status", () => {
  const answered = new StructuredInputView(questions());
  answered.update(
    questions("answered", {
      size: { values: ["Small"], skipped: false },
      toppings: { values: [], skipped: true },
    }),
  );
  assert.equal(
    answered.el.querySelector("form, input, textarea, button"),
    null,
    "nothing to change",
  );
  assert.equal(answered.el.dataset.status, "answered");
  assert.deepEqual(
    [...answered.el.querySelectorAll("dt, dd")].map((d) => d.textContent),
    ["Which size?", "Small", "Toppings?", "Skipped", "Anything else?", "Skipped"],
  );
  const skipped = new StructuredInputView(questions());
  skipped.update(questions("skipped"));
  assert.equal(skipped.el.querySelector(".ckw-structured-title")?.textContent, "Questions skipped");
  assert.equal(skipped.el.querySelectorAll(".ckw-structured-skipped").length, 3);
});

test("without a way to send (no session), Submit and Skip are disabled; a redraw keeps the choices", () => {
  const view = new StructuredInputView(questions());
  view.update(questions());
  assert.equal(view.el.querySelector<HTMLButtonElement>(".ckw-structured-submit")?.disabled, true);
  const radio = view.el.querySelector<HTMLInputElement>("input[value=Small]");
  assert.ok(radio);
  radio.checked = true;
  view.update(questions());
  assert.equal(
    view.el.querySelector("input[value=Small]"),
    radio,
    "an unchanged item keeps its form",
  );
  assert.equal(radio.checked, true);
});

test("typing an other answer picks Other and sends the text as the value", async () => {
  const { $, transport, chat } = await chatWith([questions()]);
  const [size, toppings] = [...chat.root.querySelectorAll<HTMLFieldSetElement>("fieldset")];
  const sizeOther = size?.querySelector<HTMLInputElement>(".ckw-structured-other-text");
  assert.ok(sizeOther && toppings);
  sizeOther.value = "Medium";
  sizeOther.dispatchEvent(new window.Event("input"));
  assert.equal(size?.querySelector<HTMLInputElement>(".ckw-structured-other-pick")?.checked, true);
  toppings.querySelector<HTMLInputElement>("input[value=Olives]")?.click();
  const toppingsOther = toppings.querySelector<HTMLInputElement>(".ckw-structured-other-text");
  assert.ok(toppingsOther);
  toppingsOther.value = "Basil";
  toppingsOther.dispatchEvent(new window.Event("input"));
  $<HTMLButtonElement>(".ckw-structured-submit").click();
  const input = sentParams(transport).input as { answers: Record<string, { values: string[] }> };
  assert.deepEqual(input.answers.size?.values, ["Medium"]);
  assert.deepEqual(input.answers.toppings?.values, ["Olives", "Basil"]);
});
