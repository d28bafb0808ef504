#!/bin/sh
# corpus-de-en.sh — rebuild data/corpora/de-en/ from Debian's trans-de-en (the Ding
# German–English dictionary, GPL-2+).
#
# Needs: apt (apt-get download), dpkg-deb, python3 (standard library only), sha256sum.
# Network: Debian's archive only (apt-get download).
#
# Usage: tools/corpus-de-en.sh [OUT_DIR]      (default: data/corpora/de-en)
# Deterministic: the same package version gives byte-identical files.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:-$root/data/corpora/de-en}
pkg=trans-de-en

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || {
  echo "corpus-de-en: apt-get download $pkg failed (apt-get update?)" >&2
  exit 1
}
deb=$(ls "$tmp"/${pkg}_*.deb)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$tmp/x"
ding="$tmp/x/usr/share/trans/de-en"
[ -f "$ding" ] || { echo "corpus-de-en: $ding not in the package" >&2; exit 1; }

mkdir -p "$out"
python3 "$here/ding-extract.py" "$ding" "$out" --test 1000 --dev 1000 2>"$tmp/log"
cat "$tmp/log" >&2
cp "$tmp/x/usr/share/doc/$pkg/copyright" "$out/COPYING.Debian"
cp /usr/share/common-licenses/GPL-2 "$out/COPYING"

{
  echo "package: $pkg $version ($(sha256sum "$deb" | cut -d' ' -f1))"
  echo "ding: $(sed -n 's/^# Version :: //p' "$ding" | head -n 1)"
  for f in train dev test phrases; do
    echo "$f.tsv: $(wc -l < "$out/$f.tsv") lines, $(sha256sum "$out/$f.tsv" | cut -d' ' -f1)"
  done
} > "$out/SOURCE"
cat "$out/SOURCE"
