// Chart: bar, line and area series drawn as an inline SVG (no chart library), with a legend,
// native tooltips (<title>), and the data as a table for screen readers.
import { isRecord, type WidgetComponent } from "../../../chatkit/types";
import type { ComponentRenderer } from "./env";
import { latestOf, remember } from "./model";
import { applySize, colorValue, resetStyle, themedColor } from "./style";

const SVG = "http://www.w3.org/2000/svg";
/** Drawing width until the chart's real width is known (then it is drawn at that width). */
const WIDTH = 440;
const HEIGHT = 240;
/** Room the legend takes under the plot, out of a chart's `height`. */
const LEGEND_HEIGHT = 28;
const PALETTE = ["blue", "purple", "orange", "green", "red", "yellow", "pink"];

interface Series {
  type: "bar" | "line" | "area";
  label: string;
  key: string;
  stack: string | null;
  color: [string, string];
  curve: string;
  /** Per category: where it starts and ends (stacked series start on the ones below). */
  spans: Array<[number, number]>;
}

interface Plot {
  categories: string[];
  series: Series[];
  min: number;
  max: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

function numberOf(value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : 0;
}

/** A chart series colour: a chart token, a primitive, CSS, or `{light, dark}`. */
function seriesColor(value: unknown, index: number): [string, string] {
  const token = (name: unknown) =>
    typeof name === "string" && PALETTE.includes(name) ? `var(--ckw-w-chart-${name})` : null;
  if (isRecord(value)) {
    const light = token(value.light) ?? colorValue(value.light, "fg");
    const dark = token(value.dark) ?? colorValue(value.dark, "fg");
    if (light && dark) return [light, dark];
  }
  const named = token(value) ?? themedColor(value, "fg");
  if (Array.isArray(named)) return named;
  if (named) return [named, named];
  const fallback = `var(--ckw-w-chart-${PALETTE[index % PALETTE.length]})`;
  return [fallback, fallback];
}

/** A round step for about `count` ticks over `span`. */
function niceStep(span: number, count = 4): number {
  const raw = span / count || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const [step] = [1, 2, 2.5, 5, 10].map((m) => m * power).filter((s) => s >= raw);
  return step ?? raw;
}

function readSeries(c: WidgetComponent, rows: Array<Record<string, unknown>>): Series[] {
  const list = Array.isArray(c.series) ? c.series.filter(isRecord) : [];
  const stackTops = new Map<string, number[]>();
  return list.flatMap((s, index) => {
    if (typeof s.dataKey !== "string") return [];
    const type = s.type === "line" || s.type === "area" ? s.type : "bar";
    const stack = type !== "line" && typeof s.stack === "string" ? s.stack : null;
    const tops = stack ? (stackTops.get(stack) ?? rows.map(() => 0)) : null;
    if (stack && tops) stackTops.set(stack, tops);
    const spans = rows.map((row, i): [number, number] => {
      const value = numberOf(row[s.dataKey as string]);
      const base = tops ? (tops[i] ?? 0) : 0;
      if (tops) tops[i] = base + value;
      return [base, base + value];
    });
    return [
      {
        type,
        label: typeof s.label === "string" ? s.label : s.dataKey,
        key: s.dataKey,
        stack,
        color: seriesColor(s.color, index),
        curve: typeof s.curveType === "string" ? s.curveType : "linear",
        spans,
      },
    ];
  });
}

function xAxisOf(c: WidgetComponent): {
  key: string;
  hide: boolean;
  labels: Record<string, unknown>;
} {
  if (typeof c.xAxis === "string") return { key: c.xAxis, hide: false, labels: {} };
  const axis = isRecord(c.xAxis) ? c.xAxis : {};
  return {
    key: typeof axis.dataKey === "string" ? axis.dataKey : "",
    hide: axis.hide === true,
    labels: isRecord(axis.labels) ? axis.labels : {},
  };
}

/** Points through which a line or an area's edge passes, as path data for its curve type. */
function linePath(points: Array<[number, number]>, curve: string): string {
  if (points.length === 0) return "";
  const [first, ...rest] = points;
  let d = `M${first?.[0]},${first?.[1]}`;
  rest.forEach(([x, y], i) => {
    const [px, py] = points[i] as [number, number];
    if (curve.startsWith("step")) {
      const mid = curve === "stepBefore" ? px : curve === "stepAfter" ? x : (px + x) / 2;
      d += `H${mid}V${y}H${x}`;
    } else if (curve === "linear" || curve === "linearClosed") {
      d += `L${x},${y}`;
    } else {
      // Smooth curves (monotone, natural, basis...) as one Catmull-Rom spline.
      const [ax, ay] = points[i - 1] ?? [px, py];
      const [bx, by] = points[i + 2] ?? [x, y];
      const c1 = [px + (x - ax) / 6, py + (y - ay) / 6];
      const c2 = [x - (bx - px) / 6, y - (by - py) / 6];
      d += `C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${x},${y}`;
    }
  });
  return d;
}

function seriesGroup(s: Series): SVGGElement {
  const g = svg("g", { class: `ckw-w-series ckw-w-series-${s.type}` });
  g.style.setProperty("--ckw-w-series-l", s.color[0]);
  g.style.setProperty("--ckw-w-series-d", s.color[1]);
  return g;
}

function tooltip(el: SVGElement, s: Series, category: string, index: number): void {
  const title = svg("title", {});
  const [from, to] = s.spans[index] ?? [0, 0];
  title.textContent = `${s.label}, ${category}: ${to - from}`;
  el.append(title);
}

function draw(plot: Plot, tooltips: boolean): SVGGElement {
  const { categories, series, min, max, left, top, width, height } = plot;
  const y = (v: number) => top + height - ((v - min) / (max - min || 1)) * height;
  const band = width / Math.max(1, categories.length);
  const center = (i: number) => left + band * (i + 0.5);
  const layer = svg("g", {});
  // Bars: one slot per stack (or unstacked series) in each category's band.
  const bars = series.filter((s) => s.type === "bar");
  const slots = [...new Set(bars.map((s, i) => s.stack ?? `#${i}`))];
  const slotWidth = (band * 0.7) / Math.max(1, slots.length);
  bars.forEach((s, i) => {
    const g = seriesGroup(s);
    const slot = slots.indexOf(s.stack ?? `#${i}`);
    s.spans.forEach(([from, to], c) => {
      const x = left + band * c + band * 0.15 + slot * slotWidth;
      const rect = svg("rect", {
        x: x + 1,
        y: Math.min(y(from), y(to)),
        width: Math.max(1, slotWidth - 2),
        height: Math.abs(y(to) - y(from)),
        rx: 2,
      });
      if (tooltips) tooltip(rect, s, categories[c] ?? "", c);
      g.append(rect);
    });
    layer.append(g);
  });
  for (const s of series.filter((s) => s.type !== "bar")) {
    const g = seriesGroup(s);
    const upper = s.spans.map(([, to], i): [number, number] => [center(i), y(to)]);
    if (s.type === "area") {
      const lower = s.spans.map(([from], i): [number, number] => [center(i), y(from)]).reverse();
      const back = linePath(lower, s.curve).replace(/^M/, "L");
      g.append(svg("path", { class: "ckw-w-area", d: `${linePath(upper, s.curve)}${back}Z` }));
    }
    g.append(svg("path", { class: "ckw-w-line", d: linePath(upper, s.curve) }));
    upper.forEach(([cx, cy], i) => {
      const dot = svg("circle", { cx, cy, r: 3, class: "ckw-w-dot" });
      if (tooltips) tooltip(dot, s, categories[i] ?? "", i);
      g.append(dot);
    });
    layer.append(g);
  }
  return layer;
}

function axes(plot: Plot, showY: boolean, showX: boolean, step: number): SVGGElement {
  const { categories, min, max, left, top, width, height } = plot;
  const g = svg("g", { class: "ckw-w-axes", "aria-hidden": "true" });
  const y = (v: number) => top + height - ((v - min) / (max - min || 1)) * height;
  for (let v = min; v <= max + step / 1e6; v += step) {
    g.append(svg("line", { x1: left, x2: left + width, y1: y(v), y2: y(v), class: "ckw-w-grid" }));
    if (showY) {
      const label = svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" });
      label.textContent = String(Number(v.toPrecision(6)));
      g.append(label);
    }
  }
  if (showX) {
    const band = width / Math.max(1, categories.length);
    // Every label when they fit, else every nth.
    const every = Math.max(1, Math.ceil((categories.length * 48) / width));
    categories.forEach((name, i) => {
      if (i % every !== 0) return;
      const label = svg("text", {
        x: left + band * (i + 0.5),
        y: top + height + 16,
        "text-anchor": "middle",
      });
      label.textContent = name.length > 14 ? `${name.slice(0, 13)}…` : name;
      g.append(label);
    });
  }
  return g;
}

/** The data as a table, for screen readers (the drawing itself is one image to them). */
function dataTable(categories: string[], series: Series[], xLabel: string): HTMLTableElement {
  const table = document.createElement("table");
  table.className = "ckw-visually-hidden";
  const head = table.createTHead().insertRow();
  for (const text of [xLabel, ...series.map((s) => s.label)]) {
    head.append(Object.assign(document.createElement("th"), { textContent: text }));
  }
  const body = table.createTBody();
  categories.forEach((category, i) => {
    const row = body.insertRow();
    row.append(Object.assign(document.createElement("th"), { textContent: category }));
    for (const s of series) {
      const [from, to] = s.spans[i] ?? [0, 0];
      row.insertCell().textContent = String(to - from);
    }
  });
  return table;
}

function legend(series: Series[]): HTMLUListElement {
  const list = document.createElement("ul");
  list.className = "ckw-w-legend";
  list.setAttribute("aria-hidden", "true");
  for (const s of series) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "ckw-w-swatch ckw-w-series";
    swatch.style.setProperty("--ckw-w-series-l", s.color[0]);
    swatch.style.setProperty("--ckw-w-series-d", s.color[1]);
    item.append(swatch, s.label);
    list.append(item);
  }
  return list;
}

/** The SVG's height: the chart's pixel `height` less its legend, else a default. */
function drawHeight(c: WidgetComponent, legendShown: boolean): number {
  const height = typeof c.height === "number" ? c.height : typeof c.size === "number" ? c.size : 0;
  if (!Number.isFinite(height) || height <= 0) return HEIGHT;
  return Math.max(80, height - (legendShown ? LEGEND_HEIGHT : 0));
}

/**
 * The chart's parts: the SVG, its legend, and its data table. The SVG is drawn `width` units
 * wide; drawn at its real pixel width, its text shows at its CSS size, not scaled.
 */
export function drawChart(c: WidgetComponent, width = WIDTH): Node[] {
  const rows = Array.isArray(c.data) ? c.data.filter(isRecord) : [];
  const axis = xAxisOf(c);
  const categories = rows.map((row) => {
    const raw = String(row[axis.key] ?? "");
    const label = axis.labels[raw];
    return typeof label === "string" ? label : raw;
  });
  const series = readSeries(c, rows);
  const values = series.flatMap((s) => s.spans.flat());
  const step = niceStep(Math.max(0, ...values) - Math.min(0, ...values));
  const min = Math.floor(Math.min(0, ...values) / step) * step;
  const max = Math.ceil(Math.max(0, ...values) / step) * step || step;
  const showY = c.showYAxis !== false;
  const showX = !axis.hide;
  const left = showY ? 44 : 8;
  const legendShown = c.showLegend !== false && series.length > 0;
  const drawW = Math.max(120, Math.round(width));
  const drawH = drawHeight(c, legendShown);
  const plot: Plot = {
    categories,
    series,
    min,
    max,
    left,
    top: 8,
    width: drawW - left - 8,
    height: drawH - 8 - (showX ? 24 : 8),
  };
  const names = series.map((s) => s.label).join(", ");
  const chart = svg("svg", {
    viewBox: `0 0 ${drawW} ${drawH}`,
    role: "img",
    class: "ckw-w-chart-svg",
  });
  chart.setAttribute(
    "aria-label",
    `Chart of ${names || "no series"}${axis.key ? ` by ${axis.key}` : ""}, ${categories.length} points`,
  );
  chart.append(axes(plot, showY, showX, step), draw(plot, c.showTooltip !== false));
  const parts: Node[] = [chart];
  if (legendShown) parts.push(legend(series));
  parts.push(dataTable(categories, series, axis.key || "Category"));
  return parts;
}

/** The width each chart was last drawn at. */
const drawnWidth = new WeakMap<HTMLElement, number>();

function redraw(el: HTMLElement, c: WidgetComponent): void {
  const measured = el.clientWidth;
  const width = measured > 0 ? measured : (drawnWidth.get(el) ?? WIDTH);
  drawnWidth.set(el, width);
  el.replaceChildren(...drawChart(c, width));
}

export const Chart: ComponentRenderer = {
  create(c, env) {
    const el = document.createElement("figure");
    Chart.patch(el, c, env);
    // Drawn again at its real width once placed, and whenever that width changes.
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        const current = latestOf(el);
        if (current && Math.abs(el.clientWidth - (drawnWidth.get(el) ?? 0)) > 1) {
          redraw(el, current);
        }
      }).observe(el);
    }
    return el;
  },
  patch(el, c) {
    remember(el, c);
    resetStyle(el, "ckw-w-chart");
    applySize(el, c);
    redraw(el, c);
    return true;
  },
};
