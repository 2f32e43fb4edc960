#!/usr/bin/env node
// The prebuilt addon shipped in the package (prebuilds/<platform>-<arch>/): made at pack time from the workspace's
// build, used at install time only when it provably fits the user's machine, else install.cjs builds from source.
//
//   node scripts/prebuilt.cjs --pack     (prepack) copy native/build's addon into prebuilds/, or ship none
//
// A prebuilt is only made from an addon linked against a system libtorch (no rpath into the publisher's
// filesystem), built from the very sources that ship (sha256 over native/binding.gyp and native/src).
// At install it is used when: the shipped sources hash the same, the libtorch found is a system libtorch of the
// same version, CUDA flag and C++ ABI, and the addon loads (dlopen RTLD_NOW: every libtorch symbol resolves) and
// reports the libtorch version it was compiled against.
"use strict";
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ADDON_NAME = "crucible_engine.node";
const SYSTEM = "system libtorch";
/** Beside the build stamp: the sources hash of the addon in native/build (written by install.cjs). */
const SOURCES_FILE = "sources.sha256";

/** sha256 over the addon's sources (binding.gyp and every file in native/src, by name). */
function sourcesHash(nativeDir) {
  const h = crypto.createHash("sha256");
  const files = [
    "binding.gyp",
    ...fs
      .readdirSync(path.join(nativeDir, "src"))
      .sort()
      .map((f) => path.join("src", f)),
  ];
  for (const f of files) {
    h.update(`${f}\0`);
    h.update(fs.readFileSync(path.join(nativeDir, f)));
    h.update("\0");
  }
  return h.digest("hex");
}

function prebuiltDir(pkgRoot, platform = process.platform, arch = process.arch) {
  return path.join(pkgRoot, "prebuilds", `${platform}-${arch}`);
}

/** What a prebuilt must agree with in the libtorch that libtorch.cjs finds. */
function torchKey(torch) {
  return { how: torch.how, version: torch.version, cuda: torch.cuda, defines: torch.defines };
}

/** Whether the user asked for a from-source build (`npm install --build-from-source` sets npm_config_…). */
function fromSourceRequested(args = [], env = process.env) {
  return (
    args.includes("--build-from-source") ||
    args.includes("--force") ||
    env.CRUCIBLE_BUILD_FROM_SOURCE === "1" ||
    env.npm_config_build_from_source === "true"
  );
}

/**
 * Loads an addon in a fresh process with every symbol bound now (a lazily bound addon could load and fail at its
 * first call) and returns the libtorch version it was compiled against, or throws with the loader's message.
 */
function loadedTorchVersion(file) {
  const code =
    "const os = require('node:os'); const m = { exports: {} };" +
    "process.dlopen(m, process.argv[1], os.constants.dlopen.RTLD_NOW);" +
    "process.stdout.write(String(m.exports.deviceInfo().torchVersion));";
  const r = spawnSync(process.execPath, ["-e", code, file], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `status ${r.status}`).trim().split("\n");
    throw new Error(why.find((l) => /Error|error:/.test(l)) || why.pop() || "unknown error");
  }
  return r.stdout.trim();
}

/**
 * Why the shipped prebuilt cannot be used here (a sentence), or null when it can: `torch` is libtorch.cjs's find().
 */
function prebuiltMismatch(pkgRoot, torch) {
  const dir = prebuiltDir(pkgRoot);
  const metaFile = path.join(dir, "prebuilt.json");
  if (!fs.existsSync(metaFile) || !fs.existsSync(path.join(dir, ADDON_NAME))) {
    return `no prebuilt addon for ${process.platform}-${process.arch} in this package`;
  }
  const meta = JSON.parse(fs.readFileSync(metaFile, "utf8"));
  if (meta.sources !== sourcesHash(path.join(pkgRoot, "native"))) {
    return "the prebuilt addon was built from other sources than native/ holds";
  }
  const want = JSON.stringify(meta.libtorch);
  const have = JSON.stringify(torchKey(torch));
  if (want !== have) return `the prebuilt addon is for ${want}; found ${have}`;
  let version;
  try {
    version = loadedTorchVersion(path.join(dir, ADDON_NAME));
  } catch (e) {
    return `the prebuilt addon does not load here: ${e.message}`;
  }
  if (!version.startsWith(`${torch.version}.`) && version !== torch.version) {
    return `the prebuilt addon was compiled against libtorch ${version}; found ${torch.version}`;
  }
  return null;
}

/** Copies the prebuilt into native/build/Release (where the engine loads it) and writes the build stamp. */
function installPrebuilt(pkgRoot, addon, stamp, stampText) {
  fs.mkdirSync(path.dirname(addon), { recursive: true });
  const tmp = `${addon}.${process.pid}.tmp`;
  fs.copyFileSync(path.join(prebuiltDir(pkgRoot), ADDON_NAME), tmp);
  fs.renameSync(tmp, addon);
  fs.writeFileSync(stamp, stampText);
  recordSources(path.join(pkgRoot, "native"));
}

/** Records which sources the addon in native/build was built from (pack() ships it only if they still match). */
function recordSources(nativeDir) {
  fs.writeFileSync(path.join(nativeDir, "build", SOURCES_FILE), `${sourcesHash(nativeDir)}\n`);
}

/** prepack: ship the workspace's addon as this platform's prebuilt when it is fresh and portable, else none. */
function pack(pkgRoot) {
  const nativeDir = path.join(pkgRoot, "native");
  const addon = path.join(nativeDir, "build", "Release", ADDON_NAME);
  const stamp = path.join(nativeDir, "build", "libtorch.json");
  fs.rmSync(path.join(pkgRoot, "prebuilds"), { recursive: true, force: true });
  const none = (why) => {
    console.warn(`prebuilt: no prebuilt addon shipped (${why}); installs build it from source`);
    return null;
  };
  if (!fs.existsSync(addon) || !fs.existsSync(stamp)) return none("native/build has no addon");
  // The sources the addon was built from: recorded by install.cjs (sources.sha256), else judged by file times.
  const recorded = path.join(nativeDir, "build", SOURCES_FILE);
  if (fs.existsSync(recorded)) {
    if (fs.readFileSync(recorded, "utf8").trim() !== sourcesHash(nativeDir)) {
      return none("the built addon is from other sources than native/ holds");
    }
  } else {
    const newest = Math.max(
      ...["binding.gyp", ...fs.readdirSync(path.join(nativeDir, "src")).map((f) => path.join("src", f))].map(
        (f) => fs.statSync(path.join(nativeDir, f)).mtimeMs,
      ),
    );
    if (fs.statSync(addon).mtimeMs < newest) return none("the built addon is older than native/src");
  }
  const { find } = require("./libtorch.cjs");
  const torch = find();
  const built = JSON.parse(fs.readFileSync(stamp, "utf8"));
  if (built.how !== SYSTEM || torch.how !== SYSTEM) {
    return none(`built against ${built.how}, whose path is specific to this machine`);
  }
  if (built.version !== torch.version || built.cuda !== torch.cuda) {
    return none(`built against libtorch ${built.version}, but ${torch.version} is installed now`);
  }
  const dir = prebuiltDir(pkgRoot);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(addon, path.join(dir, ADDON_NAME));
  const meta = { sources: sourcesHash(nativeDir), libtorch: torchKey(torch) };
  fs.writeFileSync(path.join(dir, "prebuilt.json"), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`prebuilt: shipping ${path.relative(pkgRoot, dir)} (${SYSTEM} ${torch.version})`);
  return dir;
}

module.exports = {
  ADDON_NAME,
  sourcesHash,
  prebuiltDir,
  fromSourceRequested,
  prebuiltMismatch,
  installPrebuilt,
  recordSources,
  pack,
};

if (require.main === module) {
  if (process.argv[2] !== "--pack") {
    console.error("usage: node scripts/prebuilt.cjs --pack");
    process.exit(2);
  }
  pack(path.join(__dirname, ".."));
}
