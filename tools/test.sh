#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite
# (widget tests on a virtual display). --sanitize builds and runs it under
# AddressSanitizer and UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh

dir=build
setup=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-sanitize
  setup=(-Db_sanitize=address,undefined -Db_lundef=false)
fi
[ -d "$dir" ] || meson setup "$dir" "${setup[@]}"
meson compile -C "$dir"

run_tests() {
  # widget tests need a display; xvfb-run gives them one
  if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1400x900x24" meson test -C "$dir" --print-errorlogs "$@"
  else
    meson test -C "$dir" --print-errorlogs "$@"
  fi
}

if [ "$dir" = build-sanitize ]; then
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # the engine must not leak; GTK's caches are not ours to judge
  ASAN_OPTIONS=detect_leaks=1 run_tests --suite engine
  # (read the whole list first: grep -q would close the pipe early, and pipefail
  # would then count meson's SIGPIPE as "no app suite")
  suites=$(meson test -C "$dir" --list 2>/dev/null || true)
  if grep -q ':app / ' <<<"$suites"; then
    ASAN_OPTIONS=detect_leaks=0 run_tests --suite app
  fi
else
  run_tests
fi
