import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { newMeta } from "../src/state/types";
import { AssistantMessageView } from "../src/ui/items/messages";
import { annotationSources } from "../src/ui/items/sources";

const docs = {
  type: "url",
  title: "ChatKit docs",
  url: "https://platform.openai.com/docs/chatkit",
};
const note = { type: "file", title: "Notes", filename: "notes.md" };

function reply(annotations: object[][]) {
  return {
    id: "msg_1",
    type: "assistant_message",
    content: annotations.map((list, i) => ({
      type: "output_text",
      text: `Part ${i}.`,
      annotations: list.map((source, index) => ({ type: "annotation", source, index })),
    })),
  };
}

test("sources are deduplicated across content parts, in order of first mention", () => {
  const item = reply([
    [docs, note, docs],
    [{ ...docs, title: "Same URL" }, note],
  ]);
  const sources = annotationSources(item.content);
  assert.deepEqual(
    sources.map((s) => s.title),
    ["ChatKit docs", "Notes"],
  );
});

test("a reply lists its sources as numbered links under the text", () => {
  const evil = { type: "url", title: "Click me", url: "javascript:alert(1)" };
  const entity = { type: "entity", id: "e1", title: "Customer #42" };
  const item = reply([[docs, evil, entity, note]]);
  const view = new AssistantMessageView(item);
  view.update(item, newMeta());
  const list = view.el.querySelector(".ckw-message-sources ol");
  assert.ok(list, "no source list");
  assert.equal(list.getAttribute("aria-label"), "Sources");
  const items = [...list.querySelectorAll("li")];
  assert.equal(items.length, 4);
  const links = list.querySelectorAll("a");
  assert.equal(links.length, 1, "only http(s) URLs become links");
  assert.equal(links[0]?.getAttribute("href"), docs.url);
  assert.equal(links[0]?.getAttribute("target"), "_blank");
  assert.equal(links[0]?.getAttribute("rel"), "noopener noreferrer");
  assert.equal(links[0]?.textContent, "ChatKit docs");
  assert.match(items[0]?.textContent ?? "", /platform\.openai\.com/);
  assert.equal(items[1]?.textContent, "Click me");
  assert.equal(items[2]?.textContent, "Customer #42");
  // After the text, not before it.
  const body = view.el.querySelector(".ckw-markdown");
  assert.ok(body && body.compareDocumentPosition(list) & window.Node.DOCUMENT_POSITION_FOLLOWING);
});

test("the list follows the annotations as they arrive, and is not rebuilt needlessly", () => {
  const view = new AssistantMessageView(reply([[]]));
  view.update(reply([[]]), { ...newMeta(), done: false });
  assert.equal(view.el.querySelector(".ckw-message-sources"), null);
  view.update(reply([[docs]]), { ...newMeta(), done: false });
  const first = view.el.querySelector(".ckw-message-sources");
  assert.equal(first?.querySelectorAll("li").length, 1);
  view.update(reply([[docs]]), newMeta());
  assert.equal(view.el.querySelector(".ckw-message-sources"), first);
  view.update(reply([[docs, note]]), newMeta());
  assert.equal(view.el.querySelectorAll(".ckw-message-sources").length, 1);
  assert.equal(view.el.querySelectorAll(".ckw-message-sources li").length, 2);
});
