import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ThreadItem } from "../src/chatkit/types";
import { GeneratedImageView } from "../src/ui/items/generated-image";
import { AT, chatWith, nextFrame, THREAD } from "./widget-helpers";

const PNG = "data:image/png;base64,iVBORw0KGgo=";

function imageItem(image: { id: string; url: string } | null, progress?: number): ThreadItem {
  return {
    id: "g1",
    type: "generated_image",
    thread_id: THREAD,
    created_at: AT,
    image,
    ...(progress === undefined ? {} : { progress }),
  };
}

function draw(item: ThreadItem) {
  const view = new GeneratedImageView(item);
  document.body.append(view.el);
  view.update(item);
  return view;
}

test("while the image is made: a placeholder with an accessible progress bar, no download", () => {
  const view = draw(imageItem(null));
  const bar = view.el.querySelector<HTMLElement>("[role=progressbar]");
  assert.ok(bar);
  assert.equal(bar.getAttribute("aria-label"), "Generating image");
  assert.equal(bar.getAttribute("aria-valuenow"), null, "indeterminate without progress");
  assert.equal(view.el.getAttribute("aria-busy"), "true");
  assert.equal(view.el.querySelector<HTMLAnchorElement>("a")?.hidden, true);
  view.update(imageItem(null, 0.4));
  assert.equal(view.el.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow"), "40");
  assert.match(view.el.textContent ?? "", /40%/);
});

test("a data URL image shows at once, with a Download link that has a name", () => {
  const view = draw(imageItem({ id: "img_7", url: PNG }));
  const img = view.el.querySelector<HTMLImageElement>("img");
  assert.equal(img?.getAttribute("src"), PNG);
  assert.equal(img?.alt, "Generated image");
  assert.equal(view.el.getAttribute("aria-busy"), null);
  const link = view.el.querySelector<HTMLAnchorElement>("a.ckw-generated-download");
  assert.ok(link);
  assert.equal(link.hidden, false);
  assert.equal(link.getAttribute("href"), PNG);
  assert.equal(link.getAttribute("download"), "img_7.png");
  assert.equal(link.getAttribute("aria-label"), "Download image");
});

test("a remote image waits for a click; the click loads it", () => {
  const view = draw(imageItem({ id: "i", url: "https://images.example/cat.png" }));
  assert.equal(view.el.querySelector("img"), null);
  const button = view.el.querySelector<HTMLButtonElement>("button.ckw-image-placeholder");
  assert.ok(button);
  assert.match(button.textContent ?? "", /images\.example/);
  button.click();
  assert.equal(view.el.querySelector("img")?.getAttribute("src"), "https://images.example/cat.png");
});

test("generated_image.updated events move the row from progress to the image", async () => {
  const { chat, transport } = await chatWith([imageItem(null)]);
  transport.start("s1", { type: "threads.add_user_message", params: { thread_id: THREAD } });
  const update = (image: unknown, progress?: number) => ({
    type: "thread.item.updated",
    item_id: "g1",
    update: { type: "generated_image.updated", image, progress },
  });
  transport.events("s1", [update({ id: "i", url: "" }, 0.5)]);
  await nextFrame();
  assert.equal(
    chat.root.querySelector(".ckw-generated [role=progressbar]")?.getAttribute("aria-valuenow"),
    "50",
  );
  transport.events("s1", [update({ id: "i", url: PNG }, 1)]);
  await nextFrame();
  assert.equal(chat.root.querySelector(".ckw-generated img")?.getAttribute("src"), PNG);
  assert.equal(chat.root.querySelector(".ckw-generated [role=progressbar]"), null);
});

test("the chat's own server's images (settings.imageOrigins) show at once; others wait", async () => {
  const own = "https://chat.example:8443/images/cat.png";
  const other = "https://cdn.example/cat.png";
  const items = [
    imageItem({ id: "i1", url: own }),
    { ...imageItem({ id: "i2", url: other }), id: "g2" },
  ];
  const { chat } = await chatWith(items, { imageOrigins: ["https://chat.example:8443"] });
  assert.equal(chat.root.querySelector("[data-item-id=g1] img")?.getAttribute("src"), own);
  assert.equal(chat.root.querySelector("[data-item-id=g2] img"), null);
  assert.ok(chat.root.querySelector("[data-item-id=g2] button.ckw-image-placeholder"));
  const untrusted = await chatWith(items);
  assert.equal(untrusted.chat.root.querySelector("[data-item-id=g1] img"), null);
});
