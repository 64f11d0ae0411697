// For tests of the whole chat: the DOM (./dom), jsdom's MutationObserver as a global, and
// animation frames that run on the next macrotask (jsdom has none; the UI would fall back to
// a 250 ms timer).
import "./dom";

const globals = globalThis as Record<string, unknown>;
globals.MutationObserver = window.MutationObserver;
globals.requestAnimationFrame = (cb: () => void) => setTimeout(cb, 0);
globals.cancelAnimationFrame = (id: ReturnType<typeof setTimeout>) => clearTimeout(id);
