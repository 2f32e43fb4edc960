// scripts/prebuilt.cjs + install.cjs: the prebuilt addon shipped for linux-x64 is made at pack time only from a
// fresh, portable build, and used at install time only when it fits (sources, libtorch, loads); otherwise the
// install says why and builds from source. Runs the scripts in a copy of the package, as npm would.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const pkg = join(__dirname, "..");
const ADDON = "native/build/Release/crucible_engine.node";
const PREBUILT = `prebuilds/${process.platform}-${process.arch}`;
const tmp = mkdtempSync(join(os.tmpdir(), "crucible-prebuilt-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs node asynchronously (the checks load libtorch in a child; a blocked test worker fails the vitest run). */
function node(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, ...env }, encoding: "utf8" },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

/** A copy of the package's native sources and scripts; with `built`, also the workspace's addon and its stamp. */
function packageCopy(name: string, built: boolean): string {
  const dir = join(tmp, name);
  for (const f of ["scripts", "native/src", "native/binding.gyp"])
    cpSync(join(pkg, f), join(dir, f), { recursive: true });
  if (built) {
    cpSync(join(pkg, ADDON), join(dir, ADDON));
    cpSync(join(pkg, "native/build/libtorch.json"), join(dir, "native/build/libtorch.json"));
  }
  return dir;
}

/** A packed package: prebuilds/ made by `prebuilt.cjs --pack` from a fresh build, then native/build removed. */
let packed: string;
beforeAll(async () => {
  const src = packageCopy("packed", true);
  // The copied addon is newer than the copied sources (copied after them): fresh by file times.
  const r = await node(src, ["scripts/prebuilt.cjs", "--pack"]);
  expect(r.out).toContain(`shipping ${PREBUILT}`);
  rmSync(join(src, "native/build"), { recursive: true });
  packed = src;
}, 60_000);

function installedCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(packed, dir, { recursive: true });
  return dir;
}

describe("prebuilt addon (scripts/prebuilt.cjs)", () => {
  it("install uses a fitting prebuilt: same bytes in native/build, nothing compiled, it loads libtorch", async () => {
    const dir = installedCopy("fits");
    const r = await node(dir, ["scripts/install.cjs"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`using the prebuilt addon for ${process.platform}-${process.arch}`);
    expect(readFileSync(join(dir, ADDON))).toEqual(readFileSync(join(dir, PREBUILT, "crucible_engine.node")));
    expect(existsSync(join(dir, "native/build/Release/obj.target"))).toBe(false);
    const info = await node(dir, ["-e", `console.log(require("./${ADDON}").deviceInfo().torchVersion)`]);
    expect(info.out.trim()).toMatch(/^\d+\.\d+/);
    // A second install finds the addon in place and leaves it.
    const again = await node(dir, ["scripts/install.cjs"]);
    expect(again.out).not.toContain("prebuilt");
  }, 60_000);

  it("install refuses a prebuilt built from other sources than the package holds", async () => {
    const dir = installedCopy("other-sources");
    writeFileSync(
      join(dir, "native/src/addon.cc"),
      `${readFileSync(join(dir, "native/src/addon.cc"), "utf8")}\n// edit\n`,
    );
    const r = await node(dir, ["scripts/install.cjs", "--check-prebuilt"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("built from other sources than native/ holds");
  });

  it("install refuses a prebuilt for another libtorch", async () => {
    const dir = installedCopy("other-torch");
    const metaFile = join(dir, PREBUILT, "prebuilt.json");
    const meta = JSON.parse(readFileSync(metaFile, "utf8"));
    writeFileSync(metaFile, JSON.stringify({ ...meta, libtorch: { ...meta.libtorch, version: "9.9" } }));
    const r = await node(dir, ["scripts/install.cjs", "--check-prebuilt"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/prebuilt addon is for .*"version":"9\.9".*; found .*"version":"\d+\.\d+"/);
  });

  it("install refuses a prebuilt that does not load (dlopen RTLD_NOW)", async () => {
    const dir = installedCopy("broken");
    writeFileSync(join(dir, PREBUILT, "crucible_engine.node"), "not an ELF file");
    const r = await node(dir, ["scripts/install.cjs", "--check-prebuilt"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("the prebuilt addon does not load here");
  });

  it("--build-from-source, npm's build_from_source and a missing prebuilt skip it", async () => {
    const dir = installedCopy("from-source");
    const flag = await node(dir, ["scripts/install.cjs", "--check-prebuilt", "--build-from-source"]);
    expect(flag.out).toContain("a from-source build was asked for");
    const npm = await node(dir, ["scripts/install.cjs", "--check-prebuilt"], {
      npm_config_build_from_source: "true",
    });
    expect(npm.out).toContain("a from-source build was asked for");
    rmSync(join(dir, "prebuilds"), { recursive: true });
    const none = await node(dir, ["scripts/install.cjs", "--check-prebuilt"]);
    expect(none.out).toContain(`no prebuilt addon for ${process.platform}-${process.arch}`);
  });

  it("pack ships no prebuilt from a build of other sources, nor a stale one", async () => {
    const dir = packageCopy("stale", true);
    writeFileSync(join(dir, "native/build/sources.sha256"), "0".repeat(64));
    const other = await node(dir, ["scripts/prebuilt.cjs", "--pack"]);
    expect(other.out).toContain("no prebuilt addon shipped (the built addon is from other sources");
    expect(existsSync(join(dir, "prebuilds"))).toBe(false);
    rmSync(join(dir, "native/build/sources.sha256"));
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, "native/src/addon.cc"), future, future);
    const stale = await node(dir, ["scripts/prebuilt.cjs", "--pack"]);
    expect(stale.out).toContain("the built addon is older than native/src");
  });
});
