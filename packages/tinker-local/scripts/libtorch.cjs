#!/usr/bin/env node
// Finds the libtorch the native addon builds against, in this order:
//   1. LIBTORCH=<dir>       an unpacked libtorch (include/, lib/) from pytorch.org, or any PyTorch's torch/ folder;
//   2. an installed PyTorch (`$PYTHON` or `python3`: `import torch`), CPU or CUDA, with its C++ ABI flag;
//   3. the system libtorch (Debian/Ubuntu `libtorch-dev`): headers on the compiler's standard include path,
//      libraries where the dynamic loader finds them (`ldconfig -p`).
// Dependency-free on purpose: binding.gyp runs it (`node ../scripts/libtorch.cjs --include` …), the install script
// and tools/gpu/build-addon.sh call it too, with no node_modules.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const HINT =
  "install the Debian/Ubuntu package (sudo apt-get install libtorch-dev), or point LIBTORCH at an unpacked libtorch " +
  "(https://pytorch.org/get-started/locally/, C++/LibTorch) or at an installed PyTorch (LIBTORCH=$(python3 -c " +
  "'import torch, os; print(os.path.dirname(torch.__file__))'))";

function hasHeaders(inc) {
  return fs.existsSync(path.join(inc, "ATen", "ATen.h"));
}

function readVersion(inc) {
  // torch/version.h, or (2.9+) the torch/headeronly/version.h it includes
  const txt = [
    path.join(inc, "torch", "csrc", "api", "include", "torch", "version.h"),
    path.join(inc, "torch", "headeronly", "version.h"),
  ]
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, "utf8"))
    .join("\n");
  const m = (k) => Number((txt.match(new RegExp(`#define TORCH_VERSION_${k} (\\d+)`)) || [])[1] || 0);
  return { major: m("MAJOR"), minor: m("MINOR") };
}

// Pre-C++11-ABI builds (old pytorch.org "pre-cxx11" zips) have no std::__cxx11 names in their symbols.
function detectAbi(libDir) {
  if (process.env.LIBTORCH_CXX11_ABI === "0" || process.env.LIBTORCH_CXX11_ABI === "1") {
    return Number(process.env.LIBTORCH_CXX11_ABI);
  }
  const lib = path.join(libDir, "libc10.so");
  if (!fs.existsSync(lib)) return 1;
  return fs.readFileSync(lib).includes("St7__cxx11") ? 1 : 0;
}

function fromDir(dir, how) {
  const inc = path.join(dir, "include");
  const lib = path.join(dir, "lib");
  if (!hasHeaders(inc) || !fs.existsSync(path.join(lib, "libc10.so"))) return null;
  return { how, include: inc, lib, abi: detectAbi(lib), rpath: true };
}

function fromPython() {
  const py = process.env.PYTHON || "python3";
  const code =
    "import json, os, torch; d = os.path.dirname(torch.__file__); " +
    "print(json.dumps({'dir': d, 'abi': int(torch._C._GLIBCXX_USE_CXX11_ABI), 'version': torch.__version__, " +
    "'cuda': torch.version.cuda}))";
  let info;
  try {
    const out = execFileSync(py, ["-c", code], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 60_000,
    });
    info = JSON.parse(out.trim().split("\n").pop());
  } catch {
    return null;
  }
  const found = fromDir(info.dir, `PyTorch ${info.version} (${py})`);
  if (!found) return null;
  // Debian's python3-torch links its include/lib folders to the system libtorch: no rpath needed there.
  found.rpath = !fs.realpathSync(path.join(info.dir, "lib", "libc10.so")).startsWith("/usr/lib/");
  found.abi = info.abi;
  return found;
}

function fromSystem() {
  const incs = ["/usr/include", "/usr/local/include"].filter(hasHeaders);
  if (incs.length === 0) return null;
  let lib = null;
  try {
    const out = execFileSync("ldconfig", ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const m = out.match(/\slibtorch_cpu\.so \([^)]*\) => (\S+)/);
    if (m) lib = path.dirname(m[1]);
  } catch {
    // no ldconfig: leave it to the linker's default search path
  }
  return { how: "system libtorch", include: incs[0], lib, abi: lib ? detectAbi(lib) : 1, rpath: false };
}

// The CUDA runtime headers, for libtorch's c10/cuda headers (optional: the addon reads the caching allocator's
// counters with them). A CUDA toolkit, or the nvidia-* wheels beside a pip PyTorch.
function cudaInclude(torchLib) {
  const dirs = [process.env.CUDA_HOME, process.env.CUDA_PATH, "/usr/local/cuda"]
    .filter(Boolean)
    .map((d) => path.join(d, "include"));
  if (torchLib) {
    const nvidia = path.join(torchLib, "..", "..", "nvidia");
    if (fs.existsSync(nvidia)) {
      for (const d of fs.readdirSync(nvidia)) dirs.push(path.join(nvidia, d, "include"));
    }
  }
  return dirs.find((d) => fs.existsSync(path.join(d, "cuda_runtime_api.h"))) || null;
}

function find() {
  let t = null;
  if (process.env.LIBTORCH) {
    t = fromDir(path.resolve(process.env.LIBTORCH), `LIBTORCH=${process.env.LIBTORCH}`);
    if (!t) {
      throw new Error(
        `LIBTORCH=${process.env.LIBTORCH} has no include/ATen/ATen.h and lib/libc10.so; ${HINT}`,
      );
    }
  }
  t = t || fromPython() || fromSystem();
  if (!t) throw new Error(`libtorch not found; ${HINT}`);
  const v = readVersion(t.include);
  const has = (name) => t.lib !== null && fs.existsSync(path.join(t.lib, name));
  // libtorch_cuda registers the CUDA backend when loaded; nothing in the addon references it directly, so it is
  // linked with --no-as-needed or the linker would drop it.
  const cuda = has("libtorch_cuda.so");
  const libs = ["-ltorch", "-ltorch_cpu", "-lc10"];
  const ldflags = [];
  if (t.lib) ldflags.push(`-L${t.lib}`);
  if (t.lib && t.rpath) ldflags.push(`-Wl,-rpath,${t.lib}`);
  if (cuda) ldflags.push("-Wl,--no-as-needed", "-ltorch_cuda", "-Wl,--as-needed");
  const cudaInc = cuda ? cudaInclude(t.lib) : null;
  const defines = [`_GLIBCXX_USE_CXX11_ABI=${t.abi}`];
  if (cudaInc) {
    defines.push("CRUCIBLE_CUDA_HEADERS=1");
    libs.push("-lc10_cuda");
  }
  return {
    how: t.how,
    version: `${v.major}.${v.minor}`,
    cuda,
    // the compiler's own include folders are left out (-I/usr/include would reorder libstdc++'s #include_next)
    include: [
      t.include,
      path.join(t.include, "torch", "csrc", "api", "include"),
      ...(cudaInc ? [cudaInc] : []),
    ].filter((d) => d !== "/usr/include" && d !== "/usr/local/include"),
    lib: t.lib,
    defines,
    // ATen's headers require C++20 from 2.12 on (and C++17 before)
    cflags: [v.major > 2 || (v.major === 2 && v.minor >= 12) ? "-std=c++20" : "-std=c++17"],
    libs,
    ldflags,
    hint: HINT,
  };
}

module.exports = { find, HINT };

if (require.main === module) {
  const arg = process.argv[2] || "--json";
  let t;
  try {
    t = find();
  } catch (e) {
    if (arg === "--check") {
      console.error(`libtorch: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const out = {
    "--include": t.include,
    "--defines": t.defines,
    "--cflags": t.cflags,
    "--libs": t.libs,
    "--ldflags": t.ldflags,
  }[arg];
  if (out) console.log(out.join(" "));
  else console.log(JSON.stringify(t, null, arg === "--check" ? undefined : 2));
}
