#!/usr/bin/env node
// Puts the native addon in place (native/build/Release/crucible_engine.node) for the libtorch that
// scripts/libtorch.cjs finds: the prebuilt shipped for this platform when it fits (scripts/prebuilt.cjs checks the
// sources, the libtorch version/CUDA/ABI, and that it loads), else a node-gyp build from source. Runs as the
// package's install script (npm/pnpm install) and as `build:native`.
//
//   node scripts/install.cjs [--force] [--required] [--build-from-source] [--check-prebuilt]
//
// --build-from-source (or `npm install --build-from-source`, or CRUCIBLE_BUILD_FROM_SOURCE=1) skips the prebuilt;
// so does --force. --check-prebuilt says whether the prebuilt would be used (exit 0) or why not (exit 1), no build.
//
// As an install script a missing libtorch or compiler only warns (the package installs; createEngine() later says
// what to install); with --required (build:native) it fails. CRUCIBLE_SKIP_NATIVE_BUILD=1 skips the build.
// Skipped when the addon is newer than its sources and was built against the same libtorch.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { find } = require("./libtorch.cjs");
const { fromSourceRequested, installPrebuilt, prebuiltMismatch, recordSources } = require("./prebuilt.cjs");

const args = process.argv.slice(2);
const force = args.includes("--force");
const required = args.includes("--required");
const checkOnly = args.includes("--check-prebuilt");
const pkgRoot = path.join(__dirname, "..");
const nativeDir = path.join(pkgRoot, "native");
const addon = path.join(nativeDir, "build", "Release", "crucible_engine.node");
const stamp = path.join(nativeDir, "build", "libtorch.json");

function fail(msg) {
  if (required) {
    console.error(`build-native: ${msg}`);
    process.exit(1);
  }
  console.warn(`@crucible/tinker-local: the native engine was not built: ${msg}`);
  console.warn(
    "@crucible/tinker-local: everything but the local engine works; rebuild later with: npm rebuild @crucible/tinker-local",
  );
  process.exit(0);
}

function newestSource() {
  let newest = fs.statSync(path.join(nativeDir, "binding.gyp")).mtimeMs;
  for (const f of fs.readdirSync(path.join(nativeDir, "src"))) {
    newest = Math.max(newest, fs.statSync(path.join(nativeDir, "src", f)).mtimeMs);
  }
  return newest;
}

// node-gyp wants the headers of the running Node: its own install prefix has them for distribution builds
// (/usr for Debian/NodeSource, ~/.nvm/versions/node/vX for nvm); otherwise node-gyp downloads them.
function nodeDir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : null;
}

if (process.env.CRUCIBLE_SKIP_NATIVE_BUILD === "1") {
  console.warn("@crucible/tinker-local: CRUCIBLE_SKIP_NATIVE_BUILD=1, native engine not built");
  process.exit(0);
}

let torch;
try {
  torch = find();
} catch (e) {
  fail(e.message);
}
const key = JSON.stringify({
  how: torch.how,
  version: torch.version,
  cuda: torch.cuda,
  include: torch.include,
  lib: torch.lib,
});
const prev = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8") : "";
if (checkOnly) {
  const why = fromSourceRequested(args)
    ? "a from-source build was asked for"
    : prebuiltMismatch(pkgRoot, torch);
  console.log(why === null ? "prebuilt: usable here" : `prebuilt: not used: ${why}`);
  process.exit(why === null ? 0 : 1);
}
if (!force && fs.existsSync(addon) && fs.statSync(addon).mtimeMs >= newestSource() && prev === key)
  process.exit(0);

if (!fromSourceRequested(args)) {
  const why = prebuiltMismatch(pkgRoot, torch);
  if (why === null) {
    installPrebuilt(pkgRoot, addon, stamp, key);
    console.log(
      `build-native: using the prebuilt addon for ${process.platform}-${process.arch} (${torch.how} ${torch.version})`,
    );
    process.exit(0);
  }
  if (!why.startsWith("no prebuilt")) console.log(`build-native: building from source: ${why}`);
}

let gyp;
try {
  gyp = require.resolve("node-gyp/bin/node-gyp.js");
} catch {
  fail("node-gyp is not installed (it is a dependency of @crucible/tinker-local; reinstall the package)");
}
const gypArgs = [gyp, "rebuild", `-j`, String(Math.max(1, Math.min(os.availableParallelism(), 8)))];
const nd = nodeDir();
if (nd) gypArgs.push(`--nodedir=${nd}`);
console.log(
  `build-native: building against ${torch.how} (libtorch ${torch.version}${torch.cuda ? ", CUDA" : ", CPU"})`,
);
const r = spawnSync(process.execPath, gypArgs, { cwd: nativeDir, encoding: "utf8", env: process.env });
if (r.status !== 0) {
  process.stderr.write(r.stdout || "");
  process.stderr.write(r.stderr || "");
  fail(
    `node-gyp failed (status ${r.status}); a C++17 compiler and make are needed (Debian: sudo apt-get install g++ make)`,
  );
}
fs.writeFileSync(stamp, key);
recordSources(nativeDir);
console.log(`build-native: built ${addon}`);
