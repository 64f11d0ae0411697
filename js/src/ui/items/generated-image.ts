// A `generated_image` item: a placeholder with progress while the image is made, then the
// image (under the no-remote-images rule, image-source.ts) and a Download link.
import type { GeneratedImageItem, ThreadItem } from "../../chatkit/types";
import { h } from "../../util/dom";
import { strokeIcon } from "../icons";
import { imageSourceKind, safeImage } from "./image-source";
import { type ItemView, type RowContext, rowElement } from "./types";

const DOWNLOAD_ICON = ["M8 2.5v8", "M4.5 7L8 10.5 11.5 7", "M3 13.5h10"];

export class GeneratedImageView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly frame = h("div", { class: "ckw-generated-frame" });
  private readonly download = h(
    "a",
    {
      class: "ckw-button ckw-generated-download",
      "aria-label": "Download image",
      title: "Download image",
      hidden: true,
    },
    strokeIcon(DOWNLOAD_ICON),
    h("span", {}, "Download"),
  );
  private shownUrl: string | null = null;

  constructor(
    item: ThreadItem,
    private readonly ctx?: RowContext,
  ) {
    this.el = rowElement(item, "ckw-generated");
    this.el.append(this.frame, this.download);
  }

  update(item: ThreadItem): void {
    const { image, progress } = item as GeneratedImageItem;
    const url = image && typeof image.url === "string" && image.url ? image.url : null;
    if (url === null) {
      this.shownUrl = null;
      this.showProgress(typeof progress === "number" ? progress : null);
      this.download.hidden = true;
      return;
    }
    if (url === this.shownUrl) return;
    this.shownUrl = url;
    this.el.removeAttribute("aria-busy");
    const trusted = this.ctx?.imageOrigins?.() ?? [];
    this.frame.replaceChildren(safeImage(url, "Generated image", "ckw-generated-image", trusted));
    const kind = imageSourceKind(url, undefined, trusted);
    this.download.hidden = kind === "blocked";
    if (kind !== "blocked") {
      this.download.href = url;
      this.download.setAttribute("download", `${fileStem(image?.id)}.png`);
      // Another site's file is not this page's to name: the browser may open it instead.
      if (kind === "remote") this.download.rel = "noopener noreferrer";
    }
  }

  private showProgress(progress: number | null): void {
    this.el.setAttribute("aria-busy", "true");
    const bar = h("div", {
      class: "ckw-generated-progress",
      role: "progressbar",
      "aria-label": "Generating image",
    });
    let text = "Generating image…";
    // Without a number the bar is indeterminate (no aria-valuenow), as ARIA defines it.
    if (progress !== null) {
      const percent = Math.round(Math.min(1, Math.max(0, progress)) * 100);
      bar.setAttribute("aria-valuenow", String(percent));
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.style.setProperty("--ckw-progress", `${percent}%`);
      text = `${text} ${percent}%`;
    }
    this.frame.replaceChildren(
      h("div", { class: "ckw-generated-placeholder" }, h("span", {}, text), bar),
    );
  }
}

function fileStem(id: unknown): string {
  const stem = typeof id === "string" ? id.replace(/[^\w-]/g, "_") : "";
  return stem || "generated-image";
}
