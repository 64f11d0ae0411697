// Assets as the bundler's own chunks: for hosts whose bundler splits code (the lab extension's
// webpack serves each from its static files) and for tests.
import type { AssetSource } from "./registry";

export const nativeAssetSource: AssetSource = async (name) => {
  switch (name) {
    case "katex":
      return (await import("./katex")).default;
    case "highlight":
      return (await import("./highlight")).default;
    case "widgets":
      return (await import("./widgets")).default;
    case "history":
      return (await import("./history")).default;
  }
};
