import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url in the CJS build (createRequire, file paths).
  shims: true,
  tsconfig: "tsconfig.build.json",
});
