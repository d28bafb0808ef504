#!/bin/sh
# corpus-english.sh — rebuild data/corpora/english/ (English prose for the built-in
# language model) from three Debian packages:
#   debian-handbook      The Debian Administrator's Handbook (GPL-2+ or CC-BY-SA-3.0)
#   debian-reference-en  Debian Reference, English original (GPL-2+)
#   bible-kjv-text       King James Version text (public domain), read with the
#   bible-kjv            `bible` program of that package (run from the extracted .deb)
#
# Needs: apt (apt-get download), dpkg-deb, python3 (standard library only), sha256sum,
# and the libraries bible-kjv links (libreadline8, as on any Debian system).
# Network: Debian's archive only.
#
# Usage: tools/corpus-english.sh [OUT_DIR]     (default: data/corpora/english)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:-$root/data/corpora/english}
pkgs="debian-handbook debian-reference-en bible-kjv-text bible-kjv"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && apt-get download $pkgs >/dev/null 2>&1) || {
  echo "corpus-english: apt-get download $pkgs failed (apt-get update?)" >&2
  exit 1
}
for p in $pkgs; do
  dpkg-deb -x "$tmp/${p}"_*.deb "$tmp/$p"
done

"$tmp/bible-kjv/usr/bin/bible" -p "$tmp/bible-kjv-text/usr/lib" -f 'gen1:1-rev22:21' > "$tmp/kjv.txt"

mkdir -p "$out"
python3 "$here/html-prose.py" "$out" \
  --book "handbook:$tmp/debian-handbook/usr/share/doc/debian-handbook/html/en-US:*.html" \
  --book "reference:$tmp/debian-reference-en/usr/share/debian-reference:*.en.html" \
  --kjv "$tmp/kjv.txt" --dev 0.1 --test 0.1 2>"$tmp/log"
cat "$tmp/log" >&2

mkdir -p "$out/licenses"
cp "$tmp/debian-handbook/usr/share/doc/debian-handbook/copyright" "$out/licenses/debian-handbook.copyright"
cp "$tmp/debian-reference-en/usr/share/doc/debian-reference-en/copyright" "$out/licenses/debian-reference-en.copyright"
cp "$tmp/bible-kjv-text/usr/share/doc/bible-kjv-text/copyright" "$out/licenses/bible-kjv-text.copyright"
cp /usr/share/common-licenses/GPL-2 "$out/licenses/GPL-2"

{
  for p in $pkgs; do
    deb=$(ls "$tmp/${p}"_*.deb)
    echo "package: $p $(dpkg-deb -f "$deb" Version) ($(sha256sum "$deb" | cut -d' ' -f1))"
  done
  cat "$tmp/log"
  for f in train dev test; do
    echo "$f.txt: $(wc -c < "$out/$f.txt") bytes, $(sha256sum "$out/$f.txt" | cut -d' ' -f1)"
  done
} > "$out/SOURCE"
cat "$out/SOURCE"
