// Hand-written, the one tracked file here: library.js is the esbuild bundle of ../src/library.ts,
// so the sources are its types (they cannot drift, and a typecheck needs no build).
export * from "../src/library";
