#!/bin/sh
# corpus-speech-human.sh — rebuild data/corpora/speech-human/: the only recorded human
# speech found in Debian's packages so far, the eight spoken channel names that
# alsa-utils ships for `speaker-test -t wav` ("Front Left", …; GPL-2), as 16 kHz mono
# WAVs with their transcripts, to test the speech recognizer on a real voice.
# (Noise.wav in the same folder is noise, not speech, and is left out.)
#
# Needs: apt (apt-get download), dpkg-deb, sox, sha256sum.
# Network: Debian's archive only (apt-get download).
#
# Usage: tools/corpus-speech-human.sh [OUT_DIR]   (default: data/corpora/speech-human)
# Deterministic: the same package and sox versions give byte-identical files.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:-$root/data/corpora/speech-human}
pkg=alsa-utils

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || {
  echo "corpus-speech-human: apt-get download $pkg failed (apt-get update?)" >&2
  exit 1
}
deb=$(ls "$tmp"/${pkg}_*.deb)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$tmp/x"
sounds="$tmp/x/usr/share/sounds/alsa"

mkdir -p "$out"
: > "$out/test.tsv"
: > "$tmp/sums"
for name in Front_Center Front_Left Front_Right Rear_Center Rear_Left Rear_Right Side_Left Side_Right; do
  [ -f "$sounds/$name.wav" ] || { echo "corpus-speech-human: $name.wav not in $pkg" >&2; exit 1; }
  file=$(echo "$name" | tr 'A-Z_' 'a-z-').wav
  sox "$sounds/$name.wav" -r 16000 -c 1 -b 16 "$out/$file"
  printf '%s\t%s\t%s\n' "$file" "$(echo "$name" | tr '_' ' ')" "alsa-utils" >> "$out/test.tsv"
  echo "$name.wav $(sha256sum "$sounds/$name.wav" | cut -d' ' -f1)" >> "$tmp/sums"
done
cp "$tmp/x/usr/share/doc/$pkg/copyright" "$out/COPYING.Debian"

{
  echo "package: $pkg $version ($(sha256sum "$deb" | cut -d' ' -f1))"
  echo "converted with: $(sox --version 2>&1 | head -n 1 | sed 's/^sox: *//') (-r 16000 -c 1 -b 16)"
  echo "originals (usr/share/sounds/alsa/, 48 kHz):"
  sed 's/^/  /' "$tmp/sums"
  echo "test.tsv: $(wc -l < "$out/test.tsv") lines, $(sha256sum "$out/test.tsv" | cut -d' ' -f1)"
} > "$out/SOURCE"
cat "$out/SOURCE"
