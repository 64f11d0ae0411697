import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { Composer, withRestored } from "../src/ui/composer";

test("a failed message comes back after whatever was typed since", () => {
  assert.equal(withRestored("", "first"), "first");
  assert.equal(withRestored("  \n", "first"), "first");
  assert.equal(withRestored("second\n", "first"), "second\n\nfirst");
  assert.equal(withRestored("first", "first"), "first", "not twice");
  assert.equal(withRestored("typed", ""), "typed");
});

test("the composer keeps new text and the failed text", () => {
  const composer = new Composer({ send: () => true, stop: () => {} });
  const box = composer.el.querySelector("textarea");
  assert.ok(box);
  box.value = "a new thought";
  composer.restore("the message that failed");
  assert.equal(box.value, "a new thought\n\nthe message that failed");
});
