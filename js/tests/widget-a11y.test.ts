import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import axe from "axe-core";
import { AT, chatWith, THREAD, widgetItem } from "./widget-helpers";

test("widget, structured input and generated image rows pass axe's checks", async () => {
  const { chat } = await chatWith([
    widgetItem({
      type: "Card",
      confirm: { label: "Save", action: { type: "save" } },
      children: [
        { type: "Title", value: "Settings" },
        { type: "Label", value: "Name", fieldName: "name" },
        { type: "Input", name: "name" },
        {
          type: "Select",
          name: "tz",
          placeholder: "Time zone",
          options: [{ value: "utc", label: "UTC" }],
        },
        { type: "Checkbox", name: "agree", label: "Agree" },
        { type: "RadioGroup", name: "size", options: [{ label: "S", value: "s" }] },
        { type: "DatePicker", name: "when" },
        { type: "Textarea", name: "notes" },
        { type: "Button", iconStart: "plus", onClickAction: { type: "add" } },
        { type: "Image", src: "https://example.com/x.png", alt: "X" },
        {
          type: "Chart",
          data: [{ d: "a", v: 1 }],
          series: [{ type: "bar", dataKey: "v" }],
          xAxis: "d",
        },
        {
          type: "ListView",
          children: [
            {
              type: "ListViewItem",
              onClickAction: { type: "open" },
              children: [{ type: "Text", value: "Row" }],
            },
          ],
        },
      ],
    }),
    {
      id: "si1",
      type: "structured_input",
      thread_id: THREAD,
      created_at: AT,
      status: "pending",
      inputs: [
        { type: "multiple_choice", id: "q1", question: "Pick", options: [{ value: "A" }] },
        { type: "freeform", id: "q2", question: "Why?" },
      ],
    },
    {
      id: "g1",
      type: "generated_image",
      thread_id: THREAD,
      created_at: AT,
      image: null,
      progress: 0.2,
    },
  ]);
  const rows = [...chat.root.querySelectorAll(".ckw-widget, .ckw-structured, .ckw-generated")];
  assert.equal(rows.length, 3);
  const result = await axe.run(rows, { rules: { "color-contrast": { enabled: false } } });
  const problems = result.violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`,
  );
  assert.deepEqual(problems, []);
});
