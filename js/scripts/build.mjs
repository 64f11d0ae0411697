// Builds the UI core for its two hosts, and the assets it loads on demand (src/assets/):
//   node scripts/build.mjs widget   the cell widget: static/index.js + static/assets/NAME.js
//                                   (--watch: rebuild index.js on change)
//   node scripts/build.mjs lib      the library the lab extension bundles (lib/), split so
//                                   that webpack serves each asset as a chunk of its own
// Stylesheets are minified into the code as text. The assets' hash names the page's registry
// (assets/registry.ts), so a rebuilt package never mixes with an older one's assets.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, context, transform } from "esbuild";

const js = join(dirname(fileURLToPath(import.meta.url)), "..");
const STATIC = join(js, "..", "src", "chatkit_widget", "static");
const ASSETS = ["katex", "highlight", "widgets", "history"];

/** Our stylesheets, minified, as strings (third-party ones come minified already). */
const cssText = {
  name: "css-text",
  setup(builder) {
    builder.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (args.path.includes("node_modules")) return { contents: source, loader: "text" };
      const { code } = await transform(source, { loader: "css", minify: true });
      return { contents: code, loader: "text" };
    });
  },
};

const common = {
  bundle: true,
  format: "esm",
  minify: true,
  plugins: [cssText],
  loader: { ".woff2": "dataurl" },
  logLevel: "warning",
};

async function assets() {
  const entryPoints = Object.fromEntries(ASSETS.map((name) => [name, `src/assets/${name}.ts`]));
  await build({ ...common, entryPoints, outdir: join(STATIC, "assets") });
  const hash = createHash("sha256");
  for (const name of ASSETS) hash.update(readFileSync(join(STATIC, "assets", `${name}.js`)));
  return { id: hash.digest("hex").slice(0, 12) };
}

const target = process.argv[2];
process.chdir(js);
if (target === "widget") {
  const { id } = await assets();
  const options = {
    ...common,
    entryPoints: ["src/anywidget/index.ts"],
    outdir: STATIC,
    define: { __CKW_ASSETS_ID__: JSON.stringify(id) },
  };
  if (process.argv.includes("--watch")) await (await context(options)).watch();
  else await build(options);
} else if (target === "lib") {
  // Not minified: webpack minifies what the lab extension ships.
  await build({
    ...common,
    minify: false,
    splitting: true,
    entryPoints: ["src/library.ts"],
    outdir: "lib",
    chunkNames: "[name]-[hash]",
  });
} else {
  console.error("usage: node scripts/build.mjs widget|lib");
  process.exit(2);
}
