#!/usr/bin/env bash
# Prepares a fresh Debian machine: system packages, the pinned pnpm, workspace dependencies and the native engine.
set -euo pipefail
cd "$(dirname "$0")/../.."

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
# libopenblas0-openmp: without it libtorch falls back to reference BLAS and training runs ~5x slower.
# bubblewrap + python3: the code sandbox of @crucible/grading (HumanEval, MBPP, code RL).
DEBIAN_PACKAGES=(libtorch-dev python3-torch libopenblas0-openmp chromium bubblewrap python3)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION"
  # Node 20's bundled corepack rejects current pnpm signatures; fall back to npm.
  COREPACK_INTEGRITY_KEYS=0 corepack prepare "pnpm@$PNPM_VERSION" --activate >/dev/null 2>&1 \
    && COREPACK_INTEGRITY_KEYS=0 corepack enable pnpm >/dev/null 2>&1 \
    && [ "$(COREPACK_INTEGRITY_KEYS=0 pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ] \
    || npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
export COREPACK_INTEGRITY_KEYS=0

pnpm install --frozen-lockfile --reporter=append-only | tail -n 5
pnpm --filter @crucible/tinker-local run --silent build:native
