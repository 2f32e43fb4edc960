// Bundles the GPU check's Node entry points into single ESM files (no node_modules needed where they run).
// Usage: node tools/gpu/bundle.mjs <out dir>
import { resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "../..");
const out = process.argv[2] ?? resolve(root, ".gpu");
const pkg = (p) => resolve(root, "packages", p, "src/index.ts");
await build({
  entryPoints: {
    "gpu-check": resolve(import.meta.dirname, "gpu-check.mts"),
    "engine-tests": resolve(import.meta.dirname, "engine-tests.mts"),
  },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // CJS dependencies inside an ESM bundle call require() for Node built-ins
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  alias: {
    vitest: resolve(import.meta.dirname, "vitest-shim.ts"),
    "@crucible/hub": pkg("hub"),
    "@crucible/tinker-client": pkg("tinker-client"),
    "@crucible/renderers": pkg("renderers"),
    "@crucible/tinker-local": pkg("tinker-local"),
  },
  logLevel: "warning",
});
console.log(`bundled gpu-check.mjs and engine-tests.mjs into ${out}`);
