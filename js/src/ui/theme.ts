export type ThemePreference = "auto" | "light" | "dark";

/** The theme dict as Python normalises it (`_theme.py`); every key optional. */
export interface ThemeOptions {
  color_scheme?: ThemePreference;
  radius?: "pill" | "round" | "soft" | "sharp";
  density?: "compact" | "normal" | "spacious";
  /** Base font size in px. */
  base_size?: number;
  font_family?: string;
  /** CSS colours. */
  accent?: string;
  background?: string;
  text?: string;
  user_bubble?: string;
  assistant_bubble?: string;
}

/** Is the host page dark? JupyterLab and VS Code say so on <body>; else the OS decides. */
export function hostIsDark(media: MediaQueryList | null): boolean {
  const body = document.body;
  const jpLight = body?.dataset.jpThemeLight;
  if (jpLight === "false") return true;
  if (jpLight === "true") return false;
  if (body?.classList.contains("vscode-dark") || body?.classList.contains("vscode-high-contrast")) {
    return !body.classList.contains("vscode-high-contrast-light");
  }
  if (body?.classList.contains("vscode-light")) return false;
  return media?.matches ?? false;
}

/** The light/dark preference in a theme trait value ("auto" when it says none). */
export function schemeOf(
  theme: ThemePreference | ThemeOptions | null | undefined,
): ThemePreference {
  const scheme = typeof theme === "string" ? theme : theme?.color_scheme;
  return scheme === "light" || scheme === "dark" ? scheme : "auto";
}

/**
 * Keep `data-theme` on `root` in step with the preference and, for "auto", with the host.
 * Returns `update` (call when the preference changes) and `dispose`.
 */
export function watchTheme(
  root: HTMLElement,
  preference: () => ThemePreference,
): { update(): void; dispose(): void } {
  const media =
    typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
  const update = () => {
    const pref = preference();
    const dark = pref === "dark" || (pref !== "light" && hostIsDark(media));
    root.dataset.theme = dark ? "dark" : "light";
  };
  const observer = new MutationObserver(update);
  if (document.body) {
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ["class", "data-jp-theme-light", "data-jp-theme-name"],
    });
  }
  media?.addEventListener("change", update);
  update();
  return {
    update,
    dispose() {
      observer.disconnect();
      media?.removeEventListener("change", update);
    },
  };
}

// Corner radii: [outer frame, small boxes, message bubbles, buttons and the composer].
const RADII: Record<NonNullable<ThemeOptions["radius"]>, [number, number, number, string]> = {
  pill: [20, 12, 22, "999px"],
  round: [14, 8, 18, "999px"],
  soft: [10, 6, 12, "8px"],
  sharp: [0, 0, 0, "0px"],
};
const DENSITY: Record<NonNullable<ThemeOptions["density"]>, string> = {
  compact: "0.7",
  normal: "1",
  spacious: "1.35",
};
// Pure black and white: the better of the two then reads at 4.5:1 or more on any colour.
const DARK_TEXT = "#000000";
const LIGHT_TEXT = "#ffffff";

/**
 * The custom properties a theme dict sets on the widget's root (inline, so they win over the
 * light/dark defaults). Foregrounds the dict does not give are derived so text stays readable:
 * on the accent, on the user bubble, and on a custom background.
 */
export function themeProperties(options: ThemeOptions): Map<string, string> {
  const props = new Map<string, string>();
  const { accent, background, text } = options;
  if (options.radius && options.radius in RADII) {
    const [outer, small, bubble, control] = RADII[options.radius];
    props.set("--ckw-radius", `${outer}px`);
    props.set("--ckw-radius-sm", `${small}px`);
    props.set("--ckw-radius-bubble", `${bubble}px`);
    props.set("--ckw-radius-control", control);
  }
  if (options.density && options.density in DENSITY) {
    props.set("--ckw-density", DENSITY[options.density]);
  }
  if (typeof options.base_size === "number") props.set("--ckw-font-size", `${options.base_size}px`);
  if (options.font_family) props.set("--ckw-font", options.font_family);
  if (accent) {
    props.set("--ckw-accent", accent);
    const onAccent = readableOn(accent);
    if (onAccent) props.set("--ckw-accent-fg", onAccent);
  }
  if (background) {
    props.set("--ckw-bg", background);
    // Neutrals are mixed from the page's own colours, so they suit any background.
    props.set("--ckw-surface", "color-mix(in srgb, var(--ckw-fg) 4%, var(--ckw-bg))");
    props.set("--ckw-code-bg", "color-mix(in srgb, var(--ckw-fg) 6%, var(--ckw-bg))");
    props.set("--ckw-user-bubble", "color-mix(in srgb, var(--ckw-fg) 8%, var(--ckw-bg))");
    if (!text) {
      const onBackground = readableOn(background);
      if (onBackground) props.set("--ckw-fg", onBackground === LIGHT_TEXT ? "#ececec" : "#0d0d0d");
    }
  }
  if (text) props.set("--ckw-fg", text);
  if (background || text) {
    props.set("--ckw-muted", "color-mix(in srgb, var(--ckw-fg) 68%, var(--ckw-bg))");
    props.set("--ckw-border", "color-mix(in srgb, var(--ckw-fg) 14%, transparent)");
  }
  if (options.user_bubble) {
    props.set("--ckw-user-bubble", options.user_bubble);
    const onBubble = readableOn(options.user_bubble);
    if (onBubble) props.set("--ckw-user-bubble-fg", onBubble);
  }
  if (options.assistant_bubble) {
    props.set("--ckw-assistant-bubble", options.assistant_bubble);
    props.set("--ckw-assistant-padding", "8px 14px"); // text must not touch a coloured edge
    const onBubble = readableOn(options.assistant_bubble);
    if (onBubble) props.set("--ckw-assistant-bubble-fg", onBubble);
  }
  return props;
}

/**
 * Apply a theme trait's dict to `root`, removing what an earlier dict set and this one does
 * not (a key taken out of the dict stops applying). Returns the properties now set.
 */
export function applyThemeOptions(
  root: HTMLElement,
  theme: ThemePreference | ThemeOptions | null | undefined,
  previous: ReadonlySet<string> = new Set(),
): Set<string> {
  const props = theme && typeof theme === "object" ? themeProperties(theme) : new Map();
  for (const name of previous) if (!props.has(name)) root.style.removeProperty(name);
  for (const [name, value] of props) root.style.setProperty(name, value);
  return new Set(props.keys());
}

/** Black or white, whichever reads better on `color` (null if the colour cannot be read). */
export function readableOn(color: string): string | null {
  const rgb = parseColor(color);
  if (!rgb) return null;
  const l = luminance(rgb);
  // Contrast ratio against black text vs against white text: take the larger.
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? DARK_TEXT : LIGHT_TEXT;
}

export type Rgb = [number, number, number];

/** WCAG relative luminance of an sRGB colour (0-255 channels). */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * A CSS colour as sRGB channels: hex, rgb()/rgba() and hsl()/hsla() are read here; anything
 * else (named colours, other colour spaces) through the browser's canvas, when there is one.
 */
export function parseColor(color: string): Rgb | null {
  const value = color.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(value)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join("") : hex;
    return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as Rgb;
  }
  const fn = /^(rgba?|hsla?)\(([^)]*)\)$/.exec(value);
  if (fn) {
    const parts = (fn[2] ?? "").split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return null;
    const [a, b, c] = parts as [string, string, string];
    if (fn[1]?.startsWith("rgb")) {
      const channel = (p: string) =>
        p.endsWith("%") ? (Number.parseFloat(p) * 255) / 100 : Number.parseFloat(p);
      const rgb = [channel(a), channel(b), channel(c)];
      return rgb.every(Number.isFinite) ? (rgb.map(clamp255) as Rgb) : null;
    }
    return hslToRgb(Number.parseFloat(a), Number.parseFloat(b), Number.parseFloat(c));
  }
  return viaCanvas(value);
}

function hslToRgb(h: number, s: number, l: number): Rgb | null {
  if (![h, s, l].every(Number.isFinite)) return null;
  const sat = s / 100;
  const light = l / 100;
  const k = (n: number) => (n + h / 30) % 12;
  const a = sat * Math.min(light, 1 - light);
  const f = (n: number) => light - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)].map((x) => clamp255(x * 255)) as Rgb;
}

function clamp255(x: number): number {
  return Math.round(Math.min(255, Math.max(0, x)));
}

let canvasContext: CanvasRenderingContext2D | null | undefined;

/** The browser normalises any colour it knows to #rrggbb or rgba() on a canvas context. */
function viaCanvas(value: string): Rgb | null {
  if (canvasContext === undefined) {
    try {
      canvasContext = document.createElement("canvas").getContext("2d");
    } catch {
      canvasContext = null; // jsdom without the canvas package
    }
  }
  if (!canvasContext) return null;
  canvasContext.fillStyle = "#010203";
  canvasContext.fillStyle = value;
  const normal = String(canvasContext.fillStyle);
  if (normal === "#010203" && value !== "#010203") return null; // not a colour it knows
  return normal.startsWith("#") || normal.startsWith("rgb") ? parseColor(normal) : null;
}
