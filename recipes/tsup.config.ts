import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli/main.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url in the CJS build (createRequire, file paths).
  shims: true,
  tsconfig: "tsconfig.build.json",
  // The dashboard page ships beside the bundle (staticDir() looks in dist/static).
  onSuccess: async () => {
    cpSync("src/dashboard/static", "dist/static", { recursive: true });
  },
});
