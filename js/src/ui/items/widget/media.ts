// Image: the no-remote-images rule (image-source.ts), sized and fitted by its props.

import { safeImage } from "../image-source";
import type { ComponentRenderer } from "./env";
import { remember, str, token } from "./model";
import { applyColor, applyRadius, applySize, applySpacing, resetStyle } from "./style";

const FITS = ["cover", "contain", "fill", "scale-down", "none"] as const;
const POSITIONS = [
  "top left",
  "top",
  "top right",
  "left",
  "center",
  "right",
  "bottom left",
  "bottom",
  "bottom right",
] as const;

/** The image shown: a change of source or alt text draws it again, nothing else does. */
const shown = new WeakMap<HTMLElement, string>();

export const Image: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("span");
    Image.patch(el, c, env);
    return el;
  },
  patch(el, c, env) {
    remember(el, c);
    resetStyle(el, "ckw-w-image");
    applySize(el, c);
    applySpacing(el, "margin", c.margin);
    applyRadius(el, c.radius);
    applyColor(el, c.background, "bg");
    el.classList.toggle("ckw-w-framed", c.frame === true);
    el.classList.toggle("ckw-w-flush", c.flush === true);
    el.style.setProperty("--ckw-w-fit", token(c, "fit", FITS) ?? "cover");
    el.style.setProperty("--ckw-w-position", token(c, "position", POSITIONS) ?? "center");
    const src = str(c, "src") ?? "";
    const alt = str(c, "alt") ?? "";
    const key = JSON.stringify([src, alt]);
    if (shown.get(el) !== key) {
      shown.set(el, key);
      el.replaceChildren(safeImage(src, alt, "ckw-w-img", env.imageOrigins()));
    }
    return true;
  },
};
