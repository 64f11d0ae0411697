// Widget styling props onto the chat's theme: tokens become the chat's custom properties,
// numbers become spacing units or px, and colours may differ in light and dark (set as a pair
// of custom properties that widgets.css picks between by the root's data-theme).
import { isRecord, type WidgetComponent } from "../../../chatkit/types";

/**
 * A CSS value from the server, or null. Nothing that could fetch (url(), image-set()), break
 * out of the declaration, or smuggle escapes is taken: a widget must not load remote images
 * through its background any more than through an Image.
 */
export function cssValue(value: unknown): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value !== "string") return null;
  const v = value.trim();
  if (!v || v.length > 200) return null;
  if (/[;{}<>"'\\@]|url\(|image|expression|src\(/i.test(v)) return null;
  return v;
}

/** A spacing unit (numbers are multiples of the chat's widget unit) or a CSS length. */
export function spacing(value: unknown): string | null {
  if (typeof value === "number")
    return Number.isFinite(value) ? `calc(var(--ckw-w-unit) * ${value})` : null;
  return cssValue(value);
}

/** A size: numbers are px. */
export function length(value: unknown): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? `${value}px` : null;
  return cssValue(value);
}

function set(el: HTMLElement | SVGElement, prop: string, value: string | null): void {
  if (value !== null) el.style.setProperty(prop, value);
}

const SIDES = ["top", "right", "bottom", "left"] as const;

/** padding/margin: a unit, a CSS string, or `{top, right, bottom, left, x, y}`. */
export function applySpacing(el: HTMLElement, prop: "padding" | "margin", value: unknown): void {
  if (!isRecord(value)) {
    set(el, prop, spacing(value));
    return;
  }
  for (const side of SIDES) {
    const axis = side === "top" || side === "bottom" ? value.y : value.x;
    set(el, `${prop}-${side}`, spacing(value[side] ?? axis));
  }
}

/** width/height and their size/min/max shorthands, aspectRatio, flex. */
export function applySize(el: HTMLElement, c: WidgetComponent): void {
  set(el, "width", length(c.width ?? c.size));
  set(el, "height", length(c.height ?? c.size));
  set(el, "min-width", length(c.minWidth ?? c.minSize));
  set(el, "min-height", length(c.minHeight ?? c.minSize));
  set(el, "max-width", length(c.maxWidth ?? c.maxSize));
  set(el, "max-height", length(c.maxHeight ?? c.maxSize));
  set(el, "aspect-ratio", cssValue(c.aspectRatio));
  set(el, "flex", cssValue(c.flex));
}

const RADII: Record<string, string> = {
  "2xs": "2px",
  xs: "4px",
  sm: "6px",
  md: "8px",
  lg: "12px",
  xl: "16px",
  "2xl": "20px",
  "3xl": "24px",
  "4xl": "32px",
  full: "9999px",
  "100%": "100%",
  none: "0",
};

export function applyRadius(el: HTMLElement, value: unknown): void {
  if (typeof value === "string" && value in RADII) set(el, "border-radius", RADII[value] ?? null);
}

const ALIGN: Record<string, string> = {
  start: "flex-start",
  center: "center",
  end: "flex-end",
  baseline: "baseline",
  stretch: "stretch",
};
const JUSTIFY: Record<string, string> = {
  ...ALIGN,
  between: "space-between",
  around: "space-around",
  evenly: "space-evenly",
};

/** A flex container's align/justify/wrap/gap. */
export function applyFlex(el: HTMLElement, c: WidgetComponent): void {
  set(el, "align-items", typeof c.align === "string" ? (ALIGN[c.align] ?? null) : null);
  set(el, "justify-content", typeof c.justify === "string" ? (JUSTIFY[c.justify] ?? null) : null);
  if (c.wrap === "wrap" || c.wrap === "wrap-reverse" || c.wrap === "nowrap")
    set(el, "flex-wrap", c.wrap);
  set(el, "gap", spacing(c.gap));
}

/** What a colour prop is for: each role has its own pair of custom properties and class. */
export type ColorRole = "fg" | "bg" | "bd";

const TEXT_TOKENS: Record<string, string> = {
  prose: "var(--ckw-fg)",
  primary: "var(--ckw-fg)",
  emphasis: "var(--ckw-fg)",
  secondary: "var(--ckw-muted)",
  tertiary: "color-mix(in srgb, var(--ckw-muted) 75%, var(--ckw-bg))",
  success: "var(--ckw-success)",
  warning: "var(--ckw-w-warning)",
  danger: "var(--ckw-danger)",
};
const SURFACE_TOKENS: Record<string, string> = {
  surface: "var(--ckw-bg)",
  "surface-secondary": "var(--ckw-surface)",
  "surface-tertiary": "var(--ckw-code-bg)",
  "surface-elevated": "var(--ckw-w-elevated)",
  "surface-elevated-secondary": "var(--ckw-surface)",
};
const BORDER_TOKENS: Record<string, string> = {
  default: "var(--ckw-border)",
  subtle: "color-mix(in srgb, var(--ckw-border) 60%, transparent)",
  strong: "color-mix(in srgb, var(--ckw-fg) 30%, transparent)",
};
const TOKENS: Record<ColorRole, Record<string, string>> = {
  fg: TEXT_TOKENS,
  bg: SURFACE_TOKENS,
  bd: BORDER_TOKENS,
};

/** Hues of ChatKit's primitive palette (`red-100` ... `gray-900`). */
const HUES: Record<string, [number, number]> = {
  red: [0, 75],
  orange: [25, 85],
  amber: [40, 90],
  yellow: [50, 90],
  lime: [80, 70],
  green: [142, 60],
  emerald: [160, 65],
  teal: [175, 60],
  cyan: [190, 75],
  sky: [200, 85],
  blue: [217, 85],
  indigo: [235, 70],
  violet: [260, 75],
  purple: [275, 70],
  fuchsia: [295, 70],
  pink: [330, 75],
  rose: [350, 80],
  gray: [220, 9],
  slate: [215, 16],
  zinc: [240, 5],
  neutral: [0, 0],
  stone: [25, 6],
};

/** `blue-500` as a colour: lightness falls with the shade (50 lightest, 950 darkest). */
export function primitiveColor(name: string): string | null {
  const match = /^([a-z]+)-(\d{2,3})$/.exec(name);
  const hue = match ? HUES[match[1] as string] : undefined;
  if (!match || !hue) return null;
  const shade = Math.min(950, Math.max(50, Number(match[2])));
  const lightness = Math.round(97 - (shade / 950) * 85);
  return `hsl(${hue[0]} ${hue[1]}% ${lightness}%)`;
}

/** One colour value (a token for `role`, a primitive, or a CSS colour) as CSS, or null. */
export function colorValue(value: unknown, role: ColorRole): string | null {
  if (typeof value !== "string") return null;
  return TOKENS[role][value] ?? primitiveColor(value) ?? cssValue(value);
}

/** A colour prop (a string or `{light, dark}`) as its light and dark CSS values. */
export function themedColor(value: unknown, role: ColorRole): [string, string] | null {
  if (isRecord(value)) {
    const light = colorValue(value.light, role);
    const dark = colorValue(value.dark, role);
    return light && dark ? [light, dark] : null;
  }
  const color = colorValue(value, role);
  return color ? [color, color] : null;
}

/** Sets a colour for `role` on `el` (widgets.css applies it per theme). */
export function applyColor(el: HTMLElement | SVGElement, value: unknown, role: ColorRole): void {
  const pair = themedColor(value, role);
  if (!pair) return;
  el.classList.add(`ckw-w-${role}`);
  el.style.setProperty(`--ckw-w-${role}-l`, pair[0]);
  el.style.setProperty(`--ckw-w-${role}-d`, pair[1]);
}

const BORDER_STYLES = ["solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset"];

function edgeBorder(value: unknown): string | null {
  if (typeof value === "number") return `${value}px solid var(--ckw-w-bd, var(--ckw-border))`;
  if (!isRecord(value) || typeof value.size !== "number") return null;
  const style =
    typeof value.style === "string" && BORDER_STYLES.includes(value.style) ? value.style : "solid";
  return `${value.size}px ${style} var(--ckw-w-bd, var(--ckw-border))`;
}

/** `border`: px, a Border `{size, color, style}`, or per-edge Borders (`top`...`x`, `y`). */
export function applyBorder(el: HTMLElement, value: unknown): void {
  if (value === undefined || value === null) return;
  const whole = edgeBorder(value);
  if (whole) {
    set(el, "border", whole);
    if (isRecord(value)) applyColor(el, value.color, "bd");
    return;
  }
  if (!isRecord(value)) return;
  for (const side of SIDES) {
    const axis = side === "top" || side === "bottom" ? value.y : value.x;
    const edge = value[side] ?? axis;
    set(el, `border-${side}`, edgeBorder(edge));
    // One colour per element: the first edge that names one.
    if (isRecord(edge) && edge.color !== undefined && !el.classList.contains("ckw-w-bd")) {
      applyColor(el, edge.color, "bd");
    }
  }
}

/** The box props every container shares (BoxBase in chatkit/widgets.py). */
export function applyBox(el: HTMLElement, c: WidgetComponent): void {
  applyFlex(el, c);
  applySize(el, c);
  applySpacing(el, "padding", c.padding);
  applySpacing(el, "margin", c.margin);
  applyBorder(el, c.border);
  applyRadius(el, c.radius);
  applyColor(el, c.background, "bg");
}

/** Start over: props re-applied to a kept element must not leave the old ones behind. */
export function resetStyle(el: HTMLElement | SVGElement, className: string): void {
  el.removeAttribute("style");
  el.setAttribute("class", className);
}
