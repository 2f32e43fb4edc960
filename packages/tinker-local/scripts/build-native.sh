#!/usr/bin/env bash
# Builds the libtorch N-API addon (native/build/Release/crucible_engine.node): `build:native [--force]`.
# Kept for the workspace scripts; the work is done by scripts/install.cjs (also the package's install script).
set -euo pipefail
exec node "$(dirname "$0")/install.cjs" --required "$@"
