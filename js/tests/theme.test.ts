import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyThemeOptions,
  contrastRatio,
  parseColor,
  readableOn,
  schemeOf,
  themeProperties,
  watchTheme,
} from "../src/ui/theme";

// watchTheme observes <body>; dom.ts installs only window and document.
(globalThis as Record<string, unknown>).MutationObserver = window.MutationObserver;

test("colours are read from hex, rgb() and hsl()", () => {
  assert.deepEqual(parseColor("#0b5cff"), [11, 92, 255]);
  assert.deepEqual(parseColor("#FFF"), [255, 255, 255]);
  assert.deepEqual(parseColor("#11223380"), [17, 34, 51]);
  assert.deepEqual(parseColor("rgb(10, 20, 30)"), [10, 20, 30]);
  assert.deepEqual(parseColor("rgba(10 20 30 / 50%)"), [10, 20, 30]);
  assert.deepEqual(parseColor("rgb(100%, 0%, 50%)"), [255, 0, 128]);
  assert.deepEqual(parseColor("hsl(120, 100%, 25%)"), [0, 128, 0]);
  assert.deepEqual(parseColor("hsl(0 0% 100%)"), [255, 255, 255]);
  assert.equal(parseColor("rgb(1, 2)"), null);
});

test("text on a colour is whichever of black and white reads better", () => {
  assert.equal(readableOn("#ffe066"), "#000000", "dark text on yellow");
  assert.equal(readableOn("#0b5cff"), "#ffffff", "white text on blue");
  assert.equal(readableOn("#10a37f"), "#000000", "dark text on mid green beats white");
  for (const color of ["#0b5cff", "#ffe066", "#10a37f", "#7c3aed", "#e11d48", "#777777"]) {
    const rgb = parseColor(color);
    const fg = parseColor(readableOn(color) ?? "");
    assert.ok(rgb && fg);
    // The better of pure black and white always reaches WCAG AA for body text (4.5:1).
    assert.ok(contrastRatio(rgb, fg) >= 4.5, `${color}: ${contrastRatio(rgb, fg).toFixed(2)}`);
  }
});

test("a theme dict maps to the widget's custom properties", () => {
  const props = themeProperties({
    color_scheme: "dark",
    radius: "sharp",
    density: "compact",
    base_size: 16,
    font_family: "Georgia, serif",
    accent: "#ffe066",
    user_bubble: "#0b5cff",
  });
  assert.equal(props.get("--ckw-accent"), "#ffe066");
  assert.equal(props.get("--ckw-accent-fg"), "#000000");
  assert.equal(props.get("--ckw-user-bubble"), "#0b5cff");
  assert.equal(props.get("--ckw-user-bubble-fg"), "#ffffff");
  assert.equal(props.get("--ckw-radius"), "0px");
  assert.equal(props.get("--ckw-radius-control"), "0px");
  assert.equal(props.get("--ckw-density"), "0.7");
  assert.equal(props.get("--ckw-font-size"), "16px");
  assert.equal(props.get("--ckw-font"), "Georgia, serif");
  assert.equal(props.has("--ckw-bg"), false, "only what the dict gives (and derives)");
});

test("a background alone brings a readable text colour and matching neutrals", () => {
  const dark = themeProperties({ background: "#101820" });
  assert.equal(dark.get("--ckw-bg"), "#101820");
  assert.equal(dark.get("--ckw-fg"), "#ececec");
  for (const name of ["--ckw-muted", "--ckw-border", "--ckw-surface", "--ckw-user-bubble"]) {
    assert.match(dark.get(name) ?? "", /color-mix/, name);
  }
  const given = themeProperties({ background: "#101820", text: "#fafafa" });
  assert.equal(given.get("--ckw-fg"), "#fafafa", "the dict's text colour wins");
});

test("changing the dict restyles the root, and keys taken out stop applying", () => {
  const root = document.createElement("div");
  let set = applyThemeOptions(root, { accent: "#0b5cff", radius: "pill" });
  assert.equal(root.style.getPropertyValue("--ckw-accent"), "#0b5cff");
  assert.equal(root.style.getPropertyValue("--ckw-radius"), "20px");
  set = applyThemeOptions(root, { accent: "#e11d48" }, set);
  assert.equal(root.style.getPropertyValue("--ckw-accent"), "#e11d48");
  assert.equal(root.style.getPropertyValue("--ckw-radius"), "", "radius left the dict");
  root.style.setProperty("height", "520px");
  set = applyThemeOptions(root, "dark", set);
  assert.equal(set.size, 0);
  assert.equal(root.style.getPropertyValue("--ckw-accent"), "");
  assert.equal(root.style.getPropertyValue("height"), "520px", "other inline styles stay");
});

test("the light/dark preference comes from the string or the dict's color_scheme", () => {
  assert.equal(schemeOf("dark"), "dark");
  assert.equal(schemeOf({ color_scheme: "light", accent: "red" }), "light");
  assert.equal(schemeOf({ accent: "red" }), "auto");
  assert.equal(schemeOf(undefined), "auto");

  const root = document.createElement("div");
  let preference = schemeOf({ color_scheme: "dark" });
  const theme = watchTheme(root, () => preference);
  assert.equal(root.dataset.theme, "dark");
  preference = "light";
  theme.update();
  assert.equal(root.dataset.theme, "light");
  preference = "auto";
  document.body.dataset.jpThemeLight = "false"; // JupyterLab switched to a dark theme
  theme.update();
  assert.equal(root.dataset.theme, "dark");
  delete document.body.dataset.jpThemeLight;
  theme.dispose();
});
