import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { card, drawWidget } from "./widget-helpers";

test("layout containers: Box, Row, Col and Basic are flex boxes styled from their props", () => {
  const { $ } = drawWidget({
    type: "Basic",
    children: [
      {
        type: "Row",
        id: "row",
        gap: 3,
        align: "center",
        justify: "between",
        wrap: "wrap",
        padding: { x: 2, top: "10px" },
        margin: 1,
        radius: "lg",
        border: { size: 2, color: "strong", style: "dashed" },
        background: { light: "red-100", dark: "#102030" },
        width: 200,
        maxHeight: "50%",
        flex: 1,
        children: [{ type: "Text", value: "a" }],
      },
      { type: "Col", key: "col", children: [] },
      { type: "Box", key: "box", direction: "row", aspectRatio: 1.5, children: [] },
    ],
  });
  const basic = $(".ckw-widget-body > .ckw-w-box");
  assert.equal(basic.dataset.direction, "col");
  const row = basic.children[0] as HTMLElement;
  assert.equal(row.dataset.direction, "row");
  assert.equal(row.style.gap, "calc(var(--ckw-w-unit) * 3)");
  assert.equal(row.style.alignItems, "center");
  assert.equal(row.style.justifyContent, "space-between");
  assert.equal(row.style.flexWrap, "wrap");
  assert.equal(row.style.paddingTop, "10px");
  assert.equal(row.style.paddingLeft, "calc(var(--ckw-w-unit) * 2)");
  assert.equal(row.style.margin, "calc(var(--ckw-w-unit) * 1)");
  assert.equal(row.style.borderRadius, "12px");
  assert.match(row.style.border, /2px dashed/);
  assert.ok(row.classList.contains("ckw-w-bd"), "a border colour is themed");
  assert.ok(row.classList.contains("ckw-w-bg"));
  assert.match(row.style.getPropertyValue("--ckw-w-bg-l"), /^hsl\(0 /, "a primitive colour");
  assert.equal(row.style.getPropertyValue("--ckw-w-bg-d"), "#102030", "its own dark value");
  assert.equal(row.style.width, "200px");
  assert.equal(row.style.maxHeight, "50%");
  assert.match(row.style.flex, /^1( 1 0%)?$/);
  assert.equal((basic.children[1] as HTMLElement).dataset.direction, "col");
  const boxEl = basic.children[2] as HTMLElement;
  assert.equal(boxEl.dataset.direction, "row");
  assert.match(boxEl.style.aspectRatio, /^1.5( \/ 1)?$/);
});

test("Card: a status line, its body, and confirm/cancel buttons; size and padding apply", () => {
  const { $ } = drawWidget({
    type: "Card",
    size: "sm",
    padding: 5,
    status: { text: "Booked", icon: "check" },
    confirm: { label: "Book", action: { type: "book" } },
    cancel: { label: "Not now", action: { type: "dismiss" } },
    children: [{ type: "Text", value: "Flight" }],
  });
  const el = $(".ckw-w-card");
  assert.equal(el.tagName, "SECTION");
  assert.equal(el.dataset.size, "sm");
  assert.equal($(".ckw-w-status").textContent, "Booked");
  assert.equal($(".ckw-w-status svg").dataset.icon, "check");
  assert.equal($(".ckw-w-card-body").style.padding, "calc(var(--ckw-w-unit) * 5)");
  assert.equal($(".ckw-w-card-body .ckw-w-text").textContent, "Flight");
  const buttons = [...el.querySelectorAll<HTMLButtonElement>(".ckw-w-card-actions button")];
  assert.deepEqual(
    buttons.map((b) => [b.textContent, b.type]),
    [
      ["Not now", "button"],
      ["Book", "button"],
    ],
  );
  const asForm = drawWidget({
    type: "Card",
    asForm: true,
    confirm: { label: "Go", action: { type: "go" } },
    children: [],
  });
  assert.equal(asForm.$(".ckw-w-card").tagName, "FORM");
  assert.equal(asForm.$<HTMLButtonElement>(".ckw-w-card-actions button").type, "submit");
  const collapsed = drawWidget({ type: "Card", collapsed: true, children: [] });
  assert.equal(collapsed.$(".ckw-w-card-body").hidden, true);
});

test("ListView: a list of items, those past `limit` behind Show more; items with an action are buttons", () => {
  const items = [1, 2, 3, 4].map((n) => ({
    type: "ListViewItem",
    key: `i${n}`,
    onClickAction: n === 1 ? { type: "open", payload: { n } } : undefined,
    children: [{ type: "Text", value: `Item ${n}` }],
  }));
  const { el, $ } = drawWidget({
    type: "ListView",
    limit: 2,
    status: { text: "Results" },
    children: items,
  });
  assert.equal($(".ckw-w-list > .ckw-w-status").textContent, "Results");
  const rows = [...el.querySelectorAll<HTMLElement>("ul > li")];
  assert.equal(rows.length, 4);
  assert.deepEqual(
    rows.map((r) => r.hidden),
    [false, false, true, true],
  );
  const more = $<HTMLButtonElement>(".ckw-w-more");
  assert.equal(more.textContent, "Show 2 more");
  more.click();
  assert.deepEqual(
    rows.map((r) => r.hidden),
    [false, false, false, false],
  );
  assert.equal(more.hidden, true);
  const first = rows[0]?.firstElementChild as HTMLElement;
  assert.equal(first.getAttribute("role"), "button");
  assert.equal(first.tabIndex, 0);
  assert.equal(rows[1]?.firstElementChild?.getAttribute("role"), null);
});

test("text components: Text, Title, Caption, Label and Badge take their typography props", () => {
  const { $ } = drawWidget(
    card(
      {
        type: "Text",
        value: "Hello",
        size: "lg",
        weight: "bold",
        textAlign: "center",
        italic: true,
        lineThrough: true,
        truncate: true,
        maxLines: 2,
        color: "secondary",
      },
      {
        type: "Title",
        value: "Heading",
        size: "2xl",
        color: { light: "#111111", dark: "#eeeeee" },
      },
      { type: "Caption", value: "Small print", size: "sm" },
      { type: "Label", value: "Email", fieldName: "email" },
      { type: "Input", name: "email" },
      { type: "Badge", label: "New", color: "success", variant: "solid", size: "md", pill: true },
    ),
  );
  const text = $(".ckw-w-text");
  assert.equal(text.textContent, "Hello");
  assert.equal(text.dataset.size, "lg");
  assert.equal(text.dataset.weight, "bold");
  assert.equal(text.dataset.align, "center");
  for (const name of [
    "ckw-w-italic",
    "ckw-w-strike",
    "ckw-w-truncate",
    "ckw-w-clamp",
    "ckw-w-fg",
  ]) {
    assert.ok(text.classList.contains(name), name);
  }
  assert.equal(text.style.getPropertyValue("--ckw-w-lines"), "2");
  assert.equal(text.style.getPropertyValue("--ckw-w-fg-l"), "var(--ckw-muted)");
  const title = $(".ckw-w-title");
  assert.equal(title.tagName, "H3");
  assert.equal(title.dataset.size, "2xl");
  assert.equal(title.style.getPropertyValue("--ckw-w-fg-d"), "#eeeeee");
  assert.equal($(".ckw-w-caption").dataset.size, "sm");
  const label = $<HTMLLabelElement>(".ckw-w-label");
  const input = $<HTMLInputElement>("input[name=email]");
  assert.equal(label.getAttribute("for"), input.id, "the label points at its field");
  assert.equal(input.getAttribute("aria-labelledby"), label.id, "and names it");
  const badge = $(".ckw-w-badge");
  assert.equal(badge.textContent, "New");
  assert.deepEqual(
    [badge.dataset.color, badge.dataset.variant, badge.dataset.size],
    ["success", "solid", "md"],
  );
  assert.ok(badge.classList.contains("ckw-w-pill"));
});

test("Markdown renders through the message renderer; Icon, Divider and Spacer draw", () => {
  const { $ } = drawWidget(
    card(
      { type: "Markdown", value: "Some **bold** and `code`" },
      { type: "Icon", name: "calendar", size: "lg", color: "danger" },
      { type: "Icon", name: "lucide:unknown-thing" },
      { type: "Divider", size: 2, spacing: 4, color: "subtle", flush: true },
      { type: "Spacer", minSize: 12 },
    ),
  );
  assert.equal($(".ckw-w-markdown strong").textContent, "bold");
  assert.equal($(".ckw-w-markdown code").textContent, "code");
  const icons = [...$(".ckw-w-card-body").querySelectorAll<HTMLElement>(".ckw-w-icon-box")];
  assert.equal(icons[0]?.dataset.size, "lg");
  assert.equal(icons[0]?.querySelector("svg")?.getAttribute("aria-hidden"), "true");
  assert.ok(icons[1]?.querySelector("svg path"), "an unknown icon still draws a glyph");
  const divider = $("hr.ckw-w-divider");
  assert.equal(divider.style.borderTopWidth, "2px");
  assert.equal(divider.style.marginTop, "calc(var(--ckw-w-unit) * 4)");
  assert.ok(divider.classList.contains("ckw-w-flush"));
  assert.equal($(".ckw-w-spacer").style.flexBasis, "12px");
});

test("Image: inline sources show with alt text, fit, position, radius and size", () => {
  const src = "data:image/png;base64,iVBORw0KGgo=";
  const { $ } = drawWidget(
    card({
      type: "Image",
      src,
      alt: "A dot",
      fit: "contain",
      position: "top",
      radius: "full",
      frame: true,
      size: 64,
    }),
  );
  const img = $<HTMLImageElement>(".ckw-w-image img");
  assert.equal(img.getAttribute("src"), src);
  assert.equal(img.alt, "A dot");
  const wrap = $(".ckw-w-image");
  assert.equal(wrap.style.getPropertyValue("--ckw-w-fit"), "contain");
  assert.equal(wrap.style.getPropertyValue("--ckw-w-position"), "top");
  assert.equal(wrap.style.borderRadius, "9999px");
  assert.equal(wrap.style.width, "64px");
  assert.ok(wrap.classList.contains("ckw-w-framed"));
});

test("Button: label, icons, style, and a name when it shows only an icon", () => {
  const { el } = drawWidget(
    card(
      {
        type: "Button",
        label: "Save",
        iconStart: "check",
        style: "primary",
        size: "lg",
        pill: true,
        block: true,
      },
      { type: "Button", iconStart: "plus", variant: "ghost", color: "danger", uniform: true },
      { type: "Button", label: "Off", disabled: true },
    ),
  );
  const [save, plus, off] = [...el.querySelectorAll<HTMLButtonElement>(".ckw-w-card-body button")];
  assert.ok(save && plus && off);
  assert.equal(save.textContent, "Save");
  assert.equal(save.type, "button");
  assert.equal(save.querySelector("svg")?.dataset.icon, "check");
  assert.deepEqual([save.dataset.color, save.dataset.size], ["primary", "lg"]);
  assert.ok(save.classList.contains("ckw-w-pill") && save.classList.contains("ckw-w-block"));
  assert.equal(plus.getAttribute("aria-label"), "plus");
  assert.deepEqual([plus.dataset.variant, plus.dataset.color], ["ghost", "danger"]);
  assert.ok(plus.classList.contains("ckw-w-uniform"));
  assert.equal(off.disabled, true);
});

test("form controls: Input, Textarea, Select, Checkbox, RadioGroup and DatePicker with their props", () => {
  const { $, el } = drawWidget({
    type: "Form",
    onSubmitAction: { type: "save" },
    children: [
      {
        type: "Input",
        name: "email",
        inputType: "email",
        placeholder: "you@example.com",
        required: true,
        pattern: ".+@.+",
        defaultValue: "a@b.c",
      },
      { type: "Textarea", name: "notes", rows: 4, defaultValue: "hi", placeholder: "Notes" },
      {
        type: "Select",
        name: "size",
        placeholder: "Pick a size",
        options: [
          { value: "s", label: "Small" },
          { value: "l", label: "Large", disabled: true, description: "Big" },
        ],
        defaultValue: "s",
      },
      { type: "Checkbox", name: "agree", label: "I agree", defaultChecked: true },
      {
        type: "RadioGroup",
        name: "color",
        ariaLabel: "Colour",
        direction: "row",
        defaultValue: "b",
        options: [
          { label: "Red", value: "r" },
          { label: "Blue", value: "b" },
        ],
      },
      {
        type: "DatePicker",
        name: "when",
        defaultValue: "2026-03-04T00:00:00Z",
        min: "2026-01-01T00:00:00Z",
        max: "2026-12-31T00:00:00Z",
      },
    ],
  });
  assert.equal($(".ckw-widget-body > form").tagName, "FORM");
  const email = $<HTMLInputElement>("input[name=email]");
  assert.deepEqual(
    [email.type, email.value, email.required, email.placeholder, email.getAttribute("pattern")],
    ["email", "a@b.c", true, "you@example.com", ".+@.+"],
  );
  assert.equal(email.getAttribute("aria-label"), "you@example.com", "named without a Label");
  const notes = $<HTMLTextAreaElement>("textarea[name=notes]");
  assert.deepEqual([notes.rows, notes.value], [4, "hi"]);
  const select = $<HTMLSelectElement>("select[name=size]");
  assert.equal(select.value, "s");
  assert.deepEqual(
    [...select.options].map((o) => [o.value, o.textContent, o.disabled]),
    [
      ["", "Pick a size", true],
      ["s", "Small", false],
      ["l", "Large", true],
    ],
  );
  const agree = $<HTMLInputElement>("input[name=agree]");
  assert.equal(agree.checked, true);
  assert.equal(agree.closest("label")?.textContent, "I agree");
  const group = $("[role=radiogroup]");
  assert.equal(group.getAttribute("aria-label"), "Colour");
  assert.equal(group.dataset.direction, "row");
  const radios = [...group.querySelectorAll<HTMLInputElement>("input[type=radio]")];
  assert.deepEqual(
    radios.map((r) => [r.value, r.checked, r.closest("label")?.textContent]),
    [
      ["r", false, "Red"],
      ["b", true, "Blue"],
    ],
  );
  const date = $<HTMLInputElement>("input[name=when]");
  assert.deepEqual(
    [date.type, date.value, date.min, date.max],
    ["date", "2026-03-04", "2026-01-01", "2026-12-31"],
  );
  // Every control has an accessible name of some kind.
  for (const control of el.querySelectorAll("input, select, textarea")) {
    const named = control.getAttribute("aria-label") || control.closest("label")?.textContent;
    assert.ok(named, `${control.getAttribute("name")} has a name`);
  }
});

test("Transition and unknown components render their children; an empty unknown renders nothing", () => {
  const { el, $ } = drawWidget(
    card(
      { type: "Transition", children: { type: "Text", value: "inside" } },
      { type: "FancyNewThing", children: [{ type: "Text", value: "kept" }] },
      { type: "AnotherNewThing", weird: { deep: [1, 2] } },
      { type: "Text", value: 42 } as never,
    ),
  );
  const texts = [...el.querySelectorAll(".ckw-w-text")].map((t) => t.textContent);
  assert.deepEqual(texts, ["inside", "kept", ""], "a wrong-typed value reads as empty");
  const passthroughs = $(".ckw-w-card-body").querySelectorAll(".ckw-w-passthrough");
  assert.equal(passthroughs.length, 3);
  assert.equal(passthroughs[2]?.textContent, "");
});

test("a malformed tree never throws: non-components are skipped, a bad root draws nothing", () => {
  const { el, update } = drawWidget(
    card({ type: "Text", value: "ok" }, null as never, "x" as never),
  );
  assert.equal(el.querySelectorAll(".ckw-w-text").length, 1);
  update({ id: "w1", type: "widget", widget: "nonsense" });
  assert.equal(el.querySelector(".ckw-widget-body")?.childElementCount, 0);
});

test("Chart: bars, lines and areas in an SVG with axes, legend, tooltips and a data table", () => {
  const { $, el } = drawWidget(
    card({
      type: "Chart",
      height: 200,
      data: [
        { month: "jan", sales: 10, cost: 4, visits: 7 },
        { month: "feb", sales: 20, cost: 6, visits: 12 },
        { month: "mar", sales: 15, cost: 5, visits: 9 },
      ],
      xAxis: { dataKey: "month", labels: { jan: "January" } },
      series: [
        { type: "bar", label: "Sales", dataKey: "sales", stack: "s", color: "green" },
        { type: "bar", label: "Cost", dataKey: "cost", stack: "s" },
        { type: "line", label: "Visits", dataKey: "visits", curveType: "monotone" },
        {
          type: "area",
          label: "Visits area",
          dataKey: "visits",
          color: { light: "blue", dark: "pink" },
        },
      ],
    }),
  );
  const svg = $("svg.ckw-w-chart-svg");
  assert.equal(svg.getAttribute("role"), "img");
  assert.match(
    svg.getAttribute("aria-label") ?? "",
    /Sales, Cost, Visits, Visits area by month, 3 points/,
  );
  const bars = svg.querySelectorAll(".ckw-w-series-bar rect");
  assert.equal(bars.length, 6, "two stacked bar series over three months");
  const [sales, cost] = [bars[0], bars[3]].map((r) => Number(r?.getAttribute("y")));
  assert.ok(sales !== undefined && cost !== undefined && cost < sales, "cost stacks above sales");
  assert.equal(bars[0]?.querySelector("title")?.textContent, "Sales, January: 10");
  assert.ok(
    svg.querySelector(".ckw-w-series-line .ckw-w-line")?.getAttribute("d")?.includes("C"),
    "a smooth curve",
  );
  assert.ok(svg.querySelector(".ckw-w-series-area .ckw-w-area")?.getAttribute("d")?.endsWith("Z"));
  const ticks = [...svg.querySelectorAll(".ckw-w-axes text")].map((t) => t.textContent);
  assert.ok(ticks.includes("January") && ticks.includes("feb"), "x labels, mapped");
  assert.ok(ticks.includes("0"), "a y axis from zero");
  const series = [...svg.querySelectorAll<SVGGElement>(".ckw-w-series")];
  assert.equal(series[0]?.style.getPropertyValue("--ckw-w-series-l"), "var(--ckw-w-chart-green)");
  assert.equal(
    series[1]?.style.getPropertyValue("--ckw-w-series-l"),
    "var(--ckw-w-chart-purple)",
    "the palette's next colour",
  );
  assert.equal(series[3]?.style.getPropertyValue("--ckw-w-series-d"), "var(--ckw-w-chart-pink)");
  assert.equal(el.querySelectorAll(".ckw-w-legend li").length, 4);
  const table = $("table.ckw-visually-hidden");
  const cells = [...table.querySelectorAll("tbody tr")].map((row) =>
    [...row.children].map((cell) => cell.textContent),
  );
  assert.deepEqual(cells[0], ["January", "10", "4", "7", "7"]);
  assert.equal(cells.length, 3);
  assert.equal(table.querySelector("tbody tr th")?.textContent, "January");
  assert.equal($(".ckw-w-chart").style.height, "200px");
});
