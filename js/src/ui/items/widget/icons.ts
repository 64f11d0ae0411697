// ChatKit's icon names (chatkit/icons.py) drawn as this widget's own 16x16 stroked glyphs.
// Names without a glyph here (and vendor:/lucide: names) get a neutral dot, never nothing.
import { type Glyph, strokeIcon } from "../../icons";

const CIRCLE = "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z";
const GLYPHS: Record<string, Glyph> = {
  atom: [
    "M1.5 8a6.5 2.5 0 1 0 13 0a6.5 2.5 0 1 0-13 0z",
    "M4.75 2.37A6.5 2.5 60 1 0 11.25 13.63A6.5 2.5 60 1 0 4.75 2.37z",
    "M4.75 13.63A6.5 2.5 -60 1 0 11.25 2.37A6.5 2.5 -60 1 0 4.75 13.63z",
  ],
  batch: ["M8 2l6 3-6 3-6-3z", "M2 8l6 3 6-3", "M2 11l6 3 6-3"],
  "book-closed": [
    "M3 13V3a1.5 1.5 0 0 1 1.5-1.5H13v10H4.5A1.5 1.5 0 0 0 3 13a1.5 1.5 0 0 0 1.5 1.5H13",
  ],
  "book-clock": [
    "M3 13V3a1.5 1.5 0 0 1 1.5-1.5H13v5",
    "M3 13a1.5 1.5 0 0 0 1.5 1.5H7",
    "M11.5 8.5a3 3 0 1 0 0 6a3 3 0 1 0 0-6z",
    "M11.5 10v1.5l1 .7",
  ],
  bug: [
    "M8 5a3 3 0 0 0-3 3v2.5a3 3 0 0 0 6 0V8a3 3 0 0 0-3-3z",
    "M6 4.8L5 2.5",
    "M10 4.8l1-2.3",
    "M2.5 8.5H5",
    "M11 8.5h2.5",
    "M3 13l2-1.2",
    "M13 13l-2-1.2",
    "M8 8v5.5",
  ],
  compass: [CIRCLE, "M10.5 5.5L9 9l-3.5 1.5L7 7z"],
  confetti: ["M2.5 13.5l3-8 5 5z", "M9 2v1.5", "M12.5 3.5l-1.2 1.2", "M14 7h-1.5"],
  cube: ["M8 1.5l5.5 3v7L8 14.5l-5.5-3v-7z", "M2.5 4.5L8 7.5l5.5-3", "M8 7.5v7"],
  desktop: ["M2 2.5h12V11H2z", "M5.5 14h5", "M8 11v3"],
  dot: ["M8 6.5a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z"],
  images: ["M4.5 4.5h9.5v8.5H4.5z", "M2 10.5V2h9.5", "M4.5 11.5l3-3 2.5 2.5 1.5-1.5 2.5 2.5"],
  keys: [
    "M5.5 7a3 3 0 1 0 0 6a3 3 0 1 0 0-6z",
    "M7.6 7.9L13 2.5",
    "M11 4.5l1.5 1.5",
    "M9.3 6.2l1.2 1.2",
  ],
  lab: [
    "M5.5 1.5h5",
    "M6.5 1.5V6l-3.7 6.6A1.3 1.3 0 0 0 4 14.5h8a1.3 1.3 0 0 0 1.2-1.9L9.5 6V1.5",
    "M4.5 10.5h7",
  ],
  lifesaver: [
    CIRCLE,
    "M8 5a3 3 0 1 0 0 6a3 3 0 1 0 0-6z",
    "M3.4 3.4l2.5 2.5",
    "M10.1 10.1l2.5 2.5",
    "M12.6 3.4l-2.5 2.5",
    "M5.9 10.1l-2.5 2.5",
  ],
  maps: ["M1.5 3.5l4-1.5 5 1.5 4-1.5v10.5l-4 1.5-5-1.5-4 1.5z", "M5.5 2v10.5", "M10.5 3.5V14"],
  mobile: ["M5 1.5h6v13H5z", "M7.5 12.5h1"],
  name: [
    "M1.5 3.5h13v9h-13z",
    "M5.5 5.7a1.3 1.3 0 1 0 0 2.6a1.3 1.3 0 1 0 0-2.6z",
    "M3.5 10.5c.4-1 1.1-1.5 2-1.5s1.6.5 2 1.5",
    "M9.5 6.5h3",
    "M9.5 9h3",
  ],
  notebook: ["M3.5 1.5h9v13h-9z", "M6 1.5v13", "M8.5 5h2", "M8.5 7.5h2"],
  "notebook-pencil": [
    "M11 5.5V1.5H3.5v13H11",
    "M6 1.5v13",
    "M14 6.5l-4.5 4.5-1.7.5.5-1.7L12.8 5.3z",
  ],
  "page-blank": ["M4 1.5h5l3 3v10H4z", "M9 1.5v3h3"],
  "profile-card": [
    "M1.5 3.5h13v9h-13z",
    "M5.5 5.7a1.3 1.3 0 1 0 0 2.6a1.3 1.3 0 1 0 0-2.6z",
    "M3.5 10.5c.4-1 1.1-1.5 2-1.5s1.6.5 2 1.5",
    "M9.5 6.5h3",
    "M9.5 9h3",
  ],
  "settings-slider": [
    "M2 4.5h3",
    "M8 4.5h6",
    "M6.5 3a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z",
    "M2 11.5h6",
    "M11 11.5h3",
    "M9.5 10a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z",
  ],
  "sparkle-double": [
    "M6.5 3l1.2 3.8 3.8 1.2-3.8 1.2-1.2 3.8-1.2-3.8L1.5 8l3.8-1.2z",
    "M12.5 1.5l.6 1.4 1.4.6-1.4.6-.6 1.4-.6-1.4-1.4-.6 1.4-.6z",
  ],
  "square-code": ["M2.5 2.5h11v11h-11z", "M6.5 6L4.5 8l2 2", "M9.5 6l2 2-2 2"],
  "square-image": ["M2.5 2.5h11v11h-11z", "M2.5 11l3.5-3.5 3 3 1.5-1.5 3 3", "M10.5 5.5h.01"],
  "square-text": ["M2.5 2.5h11v11h-11z", "M5 5.5h6", "M5 8h6", "M5 10.5h4"],
  suitcase: ["M2 5h12v8.5H2z", "M5.5 5V3h5v2", "M2 9h12"],
  wreath: [
    "M5.5 13.5C2.5 11.5 1.8 7.5 3.5 3",
    "M10.5 13.5c3-2 3.7-6 2-10.5",
    "M2.8 6.5l-1.3-.8",
    "M2.9 9.8l-1.4.2",
    "M13.2 6.5l1.3-.8",
    "M13.1 9.8l1.4.2",
  ],
  "write-alt": ["M9.5 3L12 5.5 5.5 12l-3 .5.5-3z", "M8.5 14h5"],
  "write-alt2": ["M13 9v4.5H2.5V3H7", "M11.5 1.8l2.7 2.7-5.7 5.7-3 .3.3-3z"],
  agent: ["M8 2.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z", "M3 13.5c.8-2.6 2.7-4 5-4s4.2 1.4 5 4"],
  analytics: ["M2.5 13.5h11", "M4.5 11V8", "M8 11V4.5", "M11.5 11V6.5"],
  bolt: ["M9 1.5L3.5 9H8l-1 5.5L12.5 7H8z"],
  "book-open": [
    "M8 4c-1.5-1-3.5-1.5-5.5-1.5v10c2 0 4 .5 5.5 1.5c1.5-1 3.5-1.5 5.5-1.5v-10C11.5 2.5 9.5 3 8 4z",
    "M8 4v10",
  ],
  calendar: ["M2.5 4h11v9.5h-11z", "M2.5 7h11", "M5.5 2.5v3", "M10.5 2.5v3"],
  chart: ["M2.5 13.5h11", "M4.5 11V8", "M8 11V4.5", "M11.5 11V6.5"],
  check: ["M3.5 8.5l3 3 6-7"],
  "check-circle": [CIRCLE, "M5.5 8.2l1.8 1.8 3.4-4"],
  "check-circle-filled": [CIRCLE, "M5.5 8.2l1.8 1.8 3.4-4"],
  "chevron-left": ["M10 3.5L5.5 8l4.5 4.5"],
  "chevron-right": ["M6 3.5L10.5 8 6 12.5"],
  "circle-question": [CIRCLE, "M6.2 6.3a1.9 1.9 0 0 1 3.7.5c0 1.2-1.9 1.5-1.9 2.7", "M8 11.6v.1"],
  clock: [CIRCLE, "M8 4.5V8l2.5 1.5"],
  document: ["M4 1.5h5l3 3v10H4z", "M9 1.5v3h3", "M6 8h4", "M6 10.5h4"],
  "dots-horizontal": ["M3.5 8h.01", "M8 8h.01", "M12.5 8h.01"],
  "dots-vertical": ["M8 3.5v.01", "M8 8v.01", "M8 12.5v.01"],
  "empty-circle": [CIRCLE],
  "external-link": ["M9.5 2.5h4v4", "M13.5 2.5L7.5 8.5", "M11.5 9.5v4h-9v-9h4"],
  globe: [CIRCLE, "M1.5 8h13", "M8 1.5c2 2 2 11 0 13c-2-2-2-11 0-13z"],
  info: [CIRCLE, "M8 7.2v4", "M8 4.8v.1"],
  lightbulb: [
    "M6 12.5h4",
    "M6.5 14.5h3",
    "M8 1.5a4.5 4.5 0 0 0-2.5 8.2V11h5V9.7A4.5 4.5 0 0 0 8 1.5z",
  ],
  mail: ["M2 3.5h12v9H2z", "M2 4l6 5 6-5"],
  "map-pin": [
    "M8 14.5s-4.5-4.2-4.5-7.5a4.5 4.5 0 0 1 9 0c0 3.3-4.5 7.5-4.5 7.5z",
    "M8 5.5a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z",
  ],
  phone: ["M5.5 1.5h5v13h-5z", "M7.5 12.5h1"],
  play: ["M5 3l8 5-8 5z"],
  plus: ["M8 3v10", "M3 8h10"],
  profile: ["M8 2.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z", "M3 13.5c.8-2.6 2.7-4 5-4s4.2 1.4 5 4"],
  reload: ["M13 8a5 5 0 1 1-1.5-3.6", "M12 2v3h-3"],
  search: ["M7 2.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9z", "M10.3 10.3l3.2 3.2"],
  settings: [CIRCLE, "M8 5.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z"],
  sparkle: ["M8 1.5l1.6 4.9 4.9 1.6-4.9 1.6L8 14.5l-1.6-4.9L1.5 8l4.9-1.6z"],
  star: ["M8 1.8l1.9 4 4.3.5-3.2 3 .9 4.3L8 11.4l-3.9 2.2.9-4.3-3.2-3 4.3-.5z"],
  "star-filled": ["M8 1.8l1.9 4 4.3.5-3.2 3 .9 4.3L8 11.4l-3.9 2.2.9-4.3-3.2-3 4.3-.5z"],
  user: ["M8 2.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z", "M3 13.5c.8-2.6 2.7-4 5-4s4.2 1.4 5 4"],
  write: ["M10.5 3l2.5 2.5L6.5 12l-3 .5.5-3z"],
  x: ["M4.5 4.5l7 7", "M11.5 4.5l-7 7"],
};
const FALLBACK: Glyph = ["M8 6.5a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z"];

/** A decorative icon (hidden from assistive tech: the text beside it says what it means). */
export function widgetIcon(name: string): SVGSVGElement {
  const svg = strokeIcon(GLYPHS[name] ?? FALLBACK);
  svg.classList.add("ckw-w-icon");
  svg.dataset.icon = name;
  if (name.endsWith("-filled")) svg.classList.add("ckw-w-icon-filled");
  return svg;
}

/** An icon name read as words, for a button that shows only the icon. */
export function iconWords(name: string): string {
  return name.replace(/^[a-z]+:/, "").replace(/-/g, " ");
}
