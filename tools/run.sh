#!/usr/bin/env bash
# Installs what is missing, builds Attention Lens and starts it on a built-in model.
# Extra arguments go to attention-lens (e.g. --model DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
[ -d build ] || meson setup build
meson compile -C build
exec build/src/app/attention-lens "$@"
