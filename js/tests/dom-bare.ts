// A bare DOM (no assets yet: see dom.ts): jsdom's window,
// installed as the globals the widget code uses. Import it before the code under test.
// (happy-dom and linkedom were tried first: DOMPurify cannot read happy-dom's node names, so it
// sanitizes wrongly there, and linkedom lacks what DOMPurify needs. jsdom is what DOMPurify's
// own tests run on.)
import { JSDOM } from "jsdom";

const { window } = new JSDOM("<!doctype html><html><head></head><body></body></html>");
const globals = globalThis as Record<string, unknown>;
globals.window = window;
globals.document = window.document;
