#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Attention Lens needs to build, run and test,
# skipping those already installed. Uses sudo when not run as root.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config gettext
  # engine
  libglib2.0-dev libjson-glib-dev libopenblas-dev libsndfile1-dev libsamplerate0-dev
  # application
  libgtk-4-dev libadwaita-1-dev
  # tests: a virtual display, validators
  xvfb xauth desktop-file-utils appstream-util appstream libglib2.0-bin
  # tests: the locale sources the install test builds de_DE / zh_CN from when missing
  locales
  # tests: the install check reads meson's introspection JSON with python3
  python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
