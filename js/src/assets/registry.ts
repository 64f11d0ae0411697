// The code a reply may need but most chats never do (KaTeX and its fonts, highlight.js, the
// widget renderer, the conversation panel) is not in the UI core: it arrives as an asset the first time a reply needs
// it, once per page. The host says where assets come from (the kernel over the comm, or the
// lab extension's chunks); this registry keeps what arrived for every chat on the page.

import type { HighlightAsset } from "./highlight";
import type { HistoryAsset } from "./history";
import type { KatexAsset } from "./katex";
import type { WidgetsAsset } from "./widgets";

export interface Assets {
  katex: KatexAsset;
  highlight: HighlightAsset;
  widgets: WidgetsAsset;
  history: HistoryAsset;
}
export type AssetName = keyof Assets;
export const ASSET_NAMES: readonly AssetName[] = ["katex", "highlight", "widgets", "history"];

/** Fetches an asset's module; rejects when it cannot (then the next need asks again). */
export type AssetSource = (name: AssetName) => Promise<unknown>;

/** Set by the cell widget's build to a hash of its asset files (see scripts/build.mjs). */
declare const __CKW_ASSETS_ID__: string | undefined;
const ASSETS_ID = typeof __CKW_ASSETS_ID__ === "string" ? __CKW_ASSETS_ID__ : "library";

interface PageAssets {
  /** What arrived, by name (checked by nothing: the host's source is trusted). */
  modules: Partial<Record<AssetName, unknown>>;
  loading: Map<AssetName, Promise<void>>;
  waiting: Map<AssetName, Array<() => void>>;
  source: AssetSource | null;
}

/**
 * One registry per page and build: each cell widget evaluates the bundle anew (anywidget
 * imports it per model), so module state would not be shared; a build with other assets (a
 * kernel restarted on a rebuilt package) gets a registry of its own.
 */
function page(): PageAssets {
  const key = `chatkit-widget:assets:${ASSETS_ID}`;
  const scope = globalThis as unknown as Record<string, PageAssets | undefined>;
  let assets = scope[key];
  if (!assets) {
    assets = { modules: {}, loading: new Map(), waiting: new Map(), source: null };
    scope[key] = assets;
  }
  return assets;
}

/**
 * Where assets come from from now on (the last host to say wins: any can serve them, and a
 * newer cell's kernel is likelier alive than an older one's).
 */
export function useAssetSource(source: AssetSource): void {
  page().source = source;
}

/** The asset's module if it has arrived. */
export function loadedAsset<N extends AssetName>(name: N): Assets[N] | undefined {
  return page().modules[name] as Assets[N] | undefined;
}

/**
 * Calls `then` once the asset has arrived (at once if it has), asking for it if nobody has.
 * Every waiting call runs in the task the asset arrives in, so what waited for it renders in
 * the same frame.
 */
export function whenAsset(name: AssetName, then: () => void): void {
  const assets = page();
  if (assets.modules[name]) {
    then();
    return;
  }
  const waiting = assets.waiting.get(name) ?? [];
  waiting.push(then);
  assets.waiting.set(name, waiting);
  requestAsset(name);
}

/** Starts fetching the asset unless it has arrived or is on its way. */
export function requestAsset(name: AssetName): void {
  const assets = page();
  if (assets.modules[name] || assets.loading.has(name) || !assets.source) return;
  const loading = assets.source(name).then(
    (module) => {
      assets.modules[name] = module;
      assets.loading.delete(name);
      const waiting = assets.waiting.get(name) ?? [];
      assets.waiting.delete(name);
      for (const then of waiting) {
        try {
          then();
        } catch (error) {
          console.error("chatkit-widget: rendering with a new asset failed", error);
        }
      }
    },
    (error: unknown) => {
      // What waits keeps showing its fallback (source text); the next need asks again.
      assets.loading.delete(name);
      console.warn(`chatkit-widget: the ${name} asset did not load`, error);
    },
  );
  assets.loading.set(name, loading);
}

/** Fetches every asset now (tests, and hosts that prefer to pay up front). */
export async function loadAllAssets(): Promise<void> {
  for (const name of ASSET_NAMES) requestAsset(name);
  await Promise.all(page().loading.values());
}
