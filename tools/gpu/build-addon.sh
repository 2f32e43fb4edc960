#!/usr/bin/env bash
# Builds the engine addon with g++ directly (no node-gyp, no network: the GPU machine has neither) against the
# libtorch that scripts/libtorch.cjs finds there (python3's CUDA PyTorch), all translation units in parallel.
# Usage: build-addon.sh <native/src dir> <out .node>   (node, node-headers/ and node-addon-api/ beside this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$1
out=$2
lt=(node "$here/libtorch.cjs")
"${lt[@]}" --check
flags=($("${lt[@]}" --cflags) -O2 -fPIC -fexceptions -frtti -Wno-unused-parameter -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS)
for d in $("${lt[@]}" --defines); do flags+=("-D$d"); done
for i in $("${lt[@]}" --include) "$here/node-headers" "$here/node-addon-api"; do flags+=("-I$i"); done
objdir=$(mktemp -d)
pids=()
for f in "$src"/*.cc; do
  g++ "${flags[@]}" -c "$f" -o "$objdir/$(basename "$f" .cc).o" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
# device.cc reads libtorch's CUDA caching-allocator counters through c10/cuda headers; if those do not compile
# here, build it without them (device memory then counts the driver's free memory only).
if [ ! -f "$objdir/device.o" ]; then
  echo "build-addon: device.cc without the c10/cuda headers" >&2
  g++ "${flags[@]}" -UCRUCIBLE_CUDA_HEADERS -c "$src/device.cc" -o "$objdir/device.o"
fi
for f in "$src"/*.cc; do [ -f "$objdir/$(basename "$f" .cc).o" ] || { echo "build-addon: $f failed" >&2; exit 1; }; done
mkdir -p "$(dirname "$out")"
g++ -shared -o "$out" "$objdir"/*.o $("${lt[@]}" --ldflags) $("${lt[@]}" --libs) -ldl
rm -rf "$objdir"
echo "build-addon: built $out"
