import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { imageSourceKind } from "../src/ui/items/image-source";
import { cssValue } from "../src/ui/items/widget/style";
import { card, drawWidget } from "./widget-helpers";

test("a widget's Markdown is sanitised like a message: no script, no handlers, no javascript: links", () => {
  const { el } = drawWidget(
    card({
      type: "Markdown",
      value:
        '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">[click](javascript:alert(1)) <a href="https://example.com" onclick="x()">ok</a>',
    }),
  );
  assert.equal(el.querySelector("script"), null);
  assert.equal(el.querySelector("[onerror], [onclick]"), null);
  for (const link of el.querySelectorAll("a")) {
    assert.doesNotMatch(link.getAttribute("href") ?? "", /javascript:/i);
  }
  assert.equal(el.querySelector("a[href='https://example.com']")?.textContent, "ok");
  assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
});

test("text props are text, never markup", () => {
  const { el } = drawWidget(
    card(
      { type: "Text", value: "<b>not bold</b>" },
      { type: "Button", label: "<img src=x onerror=alert(1)>" },
      { type: "Badge", label: "<i>x</i>" },
    ),
  );
  assert.equal(
    el.querySelector(".ckw-w-card-body b, .ckw-w-card-body img, .ckw-w-card-body i"),
    null,
  );
  assert.equal(el.querySelector(".ckw-w-text")?.textContent, "<b>not bold</b>");
});

test("a remote Image is a click-to-load placeholder; clicking it loads the image", () => {
  const { el, $ } = drawWidget(
    card({ type: "Image", src: "https://tracker.example/pixel.png", alt: "Chart" }),
  );
  assert.equal(el.querySelector("img"), null, "nothing is fetched by itself");
  const button = $<HTMLButtonElement>(".ckw-w-image button.ckw-image-placeholder");
  assert.match(button.textContent ?? "", /Load image “Chart” from tracker\.example/);
  button.focus();
  button.click();
  const img = $<HTMLImageElement>(".ckw-w-image img");
  assert.equal(img.getAttribute("src"), "https://tracker.example/pixel.png");
  assert.equal(img.alt, "Chart");
  assert.equal(img.getAttribute("referrerpolicy"), "no-referrer");
  assert.equal(el.querySelector(".ckw-image-placeholder"), null);
});

test("javascript: and other non-web image sources never load, not even on click", () => {
  for (const src of [
    "javascript:alert(1)",
    " java\nscript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>1</script>",
  ]) {
    const { el } = drawWidget(card({ type: "Image", src, alt: "x" }));
    assert.equal(el.querySelector("img"), null, src);
    assert.equal(el.querySelector(".ckw-w-image button"), null, src);
    assert.equal(el.querySelector(".ckw-image-blocked")?.textContent, "[image: x]");
  }
});

test("image sources: inline data and this origin load; other origins are remote", () => {
  const origin = "https://notebook.local";
  assert.equal(imageSourceKind("data:image/png;base64,AAAA", origin), "inline");
  assert.equal(imageSourceKind("/files/plot.png", origin), "same-origin");
  assert.equal(imageSourceKind("https://notebook.local/x.png", origin), "same-origin");
  assert.equal(imageSourceKind("https://cdn.example/x.png", origin), "remote");
  assert.equal(imageSourceKind("//cdn.example/x.png", origin), "remote");
  assert.equal(imageSourceKind("javascript:alert(1)", origin), "blocked");
  assert.equal(imageSourceKind("data:image/svg+xml,<svg/>", origin), "inline");
});

test("styling props cannot fetch or inject CSS", () => {
  assert.equal(cssValue("url(https://evil.example/x.png)"), null);
  assert.equal(cssValue("red; background: url(x)"), null);
  assert.equal(cssValue("image-set('x.png' 1x)"), null);
  assert.equal(cssValue("calc(100% - 8px)"), "calc(100% - 8px)");
  const { $ } = drawWidget({
    type: "Box",
    background: "url(https://evil.example/x.png)",
    width: "expression(alert(1))",
    children: [],
  });
  const box = $(".ckw-w-box");
  assert.equal(box.getAttribute("style"), null);
  assert.ok(!box.classList.contains("ckw-w-bg"));
});
