// Fails on an import cycle anywhere in js/ (type-only imports count: a leaf must not import from
// an entry point), and on UI-core code that reaches into a host. Dependency-free on purpose.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g;
// Assets load when first needed (src/assets/registry.ts): only their loaders import them, the
// rest of the core names their types alone, or the bundle a chat's display sends grows again.
const ASSET_ENTRY = /^src\/assets\/(katex|highlight|widgets|history)\.ts$/;
const ASSET_LOADERS = ["src/assets/native.ts"];
const VALUE_IMPORT = /(?:^|\n)\s*import\s+(?!type\s)[^;]*?from\s+["']([^"']+)["']/g;
// Hosts adapt the UI core to one environment; the core must not know them.
const HOSTS = ["src/anywidget/", "lab/"];
const HOST_PACKAGES = /^@anywidget\/|^@jupyterlab\/|^@lumino\//;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null; // css, json, fonts: not code
}

const all = ["src", "tests", "lab/src"].flatMap((dir) => files(join(root, dir)));
const graph = new Map();
const problems = [];
for (const file of all) {
  const source = readFileSync(file, "utf8");
  const edges = [];
  for (const match of source.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    const rel = relative(root, file);
    const inCore = rel.startsWith("src/") && !HOSTS.some((host) => rel.startsWith(host));
    if (inCore && HOST_PACKAGES.test(spec)) problems.push(`${rel} (UI core) imports ${spec}`);
    if (!spec.startsWith(".")) continue;
    const target = resolveImport(file, spec);
    if (target === null) continue;
    const targetRel = relative(root, target);
    if (inCore && HOSTS.some((host) => targetRel.startsWith(host))) {
      problems.push(`${rel} (UI core) imports the host module ${targetRel}`);
    }
    edges.push(target);
  }
  graph.set(file, edges);
  const rel = relative(root, file);
  if (rel.startsWith("src/") && !ASSET_ENTRY.test(rel) && !ASSET_LOADERS.includes(rel)) {
    for (const match of source.matchAll(VALUE_IMPORT)) {
      const target = match[1].startsWith(".") ? resolveImport(file, match[1]) : null;
      if (target && ASSET_ENTRY.test(relative(root, target))) {
        problems.push(
          `${rel} imports the asset ${relative(root, target)} (import type, or load it)`,
        );
      }
    }
  }
}

// Tarjan's strongly connected components: each component of more than one file is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function visit(node) {
  meta.set(node, { index, low: index, onStack: true });
  index++;
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!meta.has(next)) {
      visit(next);
      meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).low);
    } else if (meta.get(next).onStack) {
      meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).index);
    }
  }
  if (meta.get(node).low === meta.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      meta.get(member).onStack = false;
      component.push(relative(root, member));
    } while (member !== node);
    const selfLoop = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfLoop) cycles.push(component.sort());
  }
}
for (const node of graph.keys()) if (!meta.has(node)) visit(node);

for (const cycle of cycles) problems.push(`import cycle: ${cycle.join(" <-> ")}`);
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(
  `imports: ${graph.size} modules, no cycles, the UI core imports no host and loads its assets`,
);
