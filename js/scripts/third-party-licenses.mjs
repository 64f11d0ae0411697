// The licences of the packages bundled into the UI core, for every place the core ships:
//   node scripts/third-party-licenses.mjs OUT.json
// writes (or completes) OUT.json in the format JupyterLab's builder uses
// (`{"packages": [{name, versionInfo, licenseId, extractedText}]}`). The lab extension needs
// it: its builder only sees the prebuilt library, not the packages inside it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const js = join(dirname(fileURLToPath(import.meta.url)), "..");
const [out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/third-party-licenses.mjs OUT.json");
  process.exit(2);
}

/** The packages the core bundles: its runtime dependencies (none of them has its own). */
function bundled() {
  const manifest = JSON.parse(readFileSync(join(js, "package.json"), "utf8"));
  return Object.keys(manifest.dependencies ?? {}).sort();
}

function entry(name) {
  const root = join(js, "node_modules", name);
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  // Every licence file: a dual-licensed package (DOMPurify) ships one per licence.
  const files = readdirSync(root)
    .filter((f) => /^licen[cs]e([-.][\w.-]+)?$/i.test(f))
    .sort();
  if (files.length === 0 || typeof manifest.license !== "string") {
    throw new Error(`${name} has no licence file or licence id to ship`);
  }
  return {
    name,
    versionInfo: manifest.version,
    licenseId: manifest.license,
    extractedText: files.map((f) => readFileSync(join(root, f), "utf8").trim()).join("\n\n"),
  };
}

const existing = existsSync(out) ? JSON.parse(readFileSync(out, "utf8")).packages : [];
const added = bundled().map(entry);
const names = new Set(added.map((p) => p.name));
const packages = [...existing.filter((p) => !names.has(p.name)), ...added];
writeFileSync(out, `${JSON.stringify({ packages }, null, 2)}\n`);
