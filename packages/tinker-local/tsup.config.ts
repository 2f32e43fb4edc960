import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    // import.meta.url in the CJS build (createRequire, file paths).
    shims: true,
    tsconfig: "tsconfig.build.json",
  },
  {
    // The CLI is ESM only; the bin points at dist/cli/main.js.
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    banner: { js: "#!/usr/bin/env node" },
    tsconfig: "tsconfig.build.json",
  },
]);
