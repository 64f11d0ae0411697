import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { NoticeRowView } from "../src/ui/items/status-rows";
import { WorkingIndicator } from "../src/ui/working";

test("notices: an icon and a role by level, title and markdown message", () => {
  const make = (level: string, title?: string) => {
    const item = { id: `n_${level}`, type: "notice", level, message: "Rate **limited**", title };
    const view = new NoticeRowView(item);
    view.update(item);
    return view.el;
  };
  const info = make("info");
  assert.equal(info.getAttribute("role"), "status");
  assert.equal(info.dataset.level, "info");
  assert.equal(info.querySelector(".ckw-notice-icon")?.getAttribute("aria-label"), "Note");
  assert.equal(info.querySelector(".ckw-notice-title"), null);
  assert.equal(info.querySelector("strong")?.textContent, "limited");
  const warning = make("warning", "Heads up");
  assert.equal(warning.getAttribute("role"), "status");
  assert.equal(warning.querySelector(".ckw-notice-icon")?.getAttribute("aria-label"), "Warning");
  assert.equal(warning.querySelector(".ckw-notice-title")?.textContent, "Heads up");
  const danger = make("danger");
  assert.equal(danger.getAttribute("role"), "alert");
  assert.equal(danger.querySelector(".ckw-notice-icon")?.getAttribute("aria-label"), "Error");
  assert.equal(make("bogus").dataset.level, "info");
});

test("progress updates show in the working line, a status region, and go with the turn", () => {
  const working = new WorkingIndicator();
  assert.equal(working.el.getAttribute("role"), "status");
  assert.equal(working.el.hidden, true);
  working.set(true, "Searching the web");
  assert.equal(working.el.hidden, false);
  assert.match(working.el.textContent ?? "", /Searching the web/);
  working.set(true, null);
  assert.doesNotMatch(working.el.textContent ?? "", /Searching/);
  working.set(false, "stale");
  assert.equal(working.el.hidden, true);
  assert.doesNotMatch(working.el.textContent ?? "", /stale/);
});

test("a turn waiting for approval says so in the working line, with no spinner", () => {
  const working = new WorkingIndicator();
  working.set(true, "Searching the web", true);
  assert.equal(working.el.hidden, false);
  assert.equal(working.el.textContent, "Waiting for your approval");
  assert.equal(working.el.querySelector<HTMLElement>(".ckw-spinner")?.hidden, true);
  assert.equal(working.el.dataset.waiting, "true");
  working.set(true, null);
  assert.equal(working.el.textContent, "Working…", "running again once decided");
  assert.equal(working.el.querySelector<HTMLElement>(".ckw-spinner")?.hidden, false);
  assert.equal(working.el.dataset.waiting, undefined);
});
