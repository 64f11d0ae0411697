// The no-remote-images rule for images that are not markdown (widget Images, generated images):
// inline data and this page's own origin load at once; any other origin only when the person
// clicks, since loading it tells that server the conversation is being read (and what URL a
// model chose may carry). Anything but http(s)/data/blob never loads.
import { h } from "../../util/dom";

export type ImageSourceKind = "inline" | "same-origin" | "remote" | "blocked";

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripped the way browsers do in URLs
const URL_JUNK = /[\u0000-\u0020\u007f-\u009f]/g;
const INLINE = /^data:image\/[a-z0-9.+-]+[;,]/i;

/**
 * Where `src` would load from, judged against `origin` (this page's, by default); `trusted`
 * origins (the chat's own server) count as the page's.
 */
export function imageSourceKind(
  src: string,
  origin = pageOrigin(),
  trusted: readonly string[] = [],
): ImageSourceKind {
  const clean = src.replace(URL_JUNK, "");
  if (INLINE.test(clean)) return "inline";
  let url: URL;
  try {
    url = new URL(clean, origin === "null" ? undefined : origin);
  } catch {
    return "blocked";
  }
  if (url.protocol === "blob:") return url.origin === origin ? "same-origin" : "blocked";
  if (url.protocol !== "http:" && url.protocol !== "https:") return "blocked";
  return url.origin === origin || trusted.includes(url.origin) ? "same-origin" : "remote";
}

function pageOrigin(): string {
  return typeof location === "undefined" ? "null" : location.origin;
}

/** The host an image would come from, to name it on the click-to-load button. */
function hostOf(src: string): string {
  try {
    return new URL(src).host;
  } catch {
    return "another site";
  }
}

/**
 * An image that obeys the rule: the `<img>` at once, or a button that loads it on click, or
 * (a source that never loads) its alt text. `trusted` origins load like the page's own.
 */
export function safeImage(
  src: string,
  alt: string,
  className: string,
  trusted: readonly string[] = [],
): HTMLElement {
  const kind = imageSourceKind(src, pageOrigin(), trusted);
  const show = () => {
    const img = h("img", { class: className, src: src.replace(URL_JUNK, ""), alt });
    img.setAttribute("referrerpolicy", "no-referrer");
    return img;
  };
  if (kind === "inline" || kind === "same-origin") return show();
  if (kind === "blocked") {
    return h(
      "span",
      { class: `${className} ckw-image-blocked`, role: "img", "aria-label": alt || "Image" },
      alt ? `[image: ${alt}]` : "[image]",
    );
  }
  const label = `Load image${alt ? ` “${alt}”` : ""} from ${hostOf(src)}`;
  const button = h(
    "button",
    { type: "button", class: `ckw-button ckw-image-placeholder ${className}`, title: src },
    label,
  );
  button.addEventListener("click", () => {
    const img = show();
    const hadFocus = document.activeElement === button;
    button.replaceWith(img);
    // The button leaves: focus stays on what took its place, not on the page.
    if (hadFocus) {
      img.tabIndex = -1;
      img.focus();
    }
  });
  return button;
}
