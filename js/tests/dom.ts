// A DOM for tests that need one (the sanitizer, MarkdownView, the composer), with every asset
// (KaTeX, highlight.js, the widget renderer) already loaded, as on a page that has shown them
// once. Import it before the code under test. tests/assets.test.ts covers the time before.
import "./dom-bare";
import { nativeAssetSource } from "../src/assets/native";
import { loadAllAssets, useAssetSource } from "../src/assets/registry";

useAssetSource(nativeAssetSource);
await loadAllAssets();
