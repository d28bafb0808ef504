#!/bin/sh
# corpus-speech-human.sh — rebuild data/corpora/speech-human/: the recorded human
# speech found in Debian's packages so far, as 16 kHz mono WAVs with their transcripts,
# to test the speech recognizer on real voices:
#   - the eight spoken channel names that alsa-utils ships for `speaker-test -t wav`
#     ("Front Left", …; GPL-2); Noise.wav in the same folder is noise and is left out;
#   - the 72 English words that ktuberling-data ships for the game's objects
#     (sounds/en/*.ogg: "ball", "palm tree", "pineapple", …; GPL-2+), in ktuberling/;
#     the transcript is the sound's name without its theme prefix, with the four
#     names that are not spelled as spoken mended (the `case` below).
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
kt_pkg=ktuberling-data

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && apt-get download "$pkg" "$kt_pkg" >/dev/null 2>&1) || {
  echo "corpus-speech-human: apt-get download $pkg $kt_pkg failed (apt-get update?)" >&2
  exit 1
}
deb=$(ls "$tmp"/${pkg}_*.deb)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$tmp/x"
sounds="$tmp/x/usr/share/sounds/alsa"

# add_clip ORIGINAL FILE TRANSCRIPT SOURCE SUMS: converts ORIGINAL to OUT/FILE (16 kHz mono
# 16-bit, no dither), lists it in test.tsv and records the original's SHA-256 in SUMS
add_clip () {
  sox -D -R "$1" -r 16000 -c 1 -b 16 "$out/$2"
  printf '%s\t%s\t%s\n' "$2" "$3" "$4" >> "$out/test.tsv"
  echo "$(basename "$1") $(sha256sum "$1" | cut -d' ' -f1)" >> "$5"
}

mkdir -p "$out"
: > "$out/test.tsv"
: > "$tmp/sums"
for name in Front_Center Front_Left Front_Right Rear_Center Rear_Left Rear_Right Side_Left Side_Right; do
  [ -f "$sounds/$name.wav" ] || { echo "corpus-speech-human: $name.wav not in $pkg" >&2; exit 1; }
  file=$(echo "$name" | tr 'A-Z_' 'a-z-').wav
  add_clip "$sounds/$name.wav" "$file" "$(echo "$name" | tr '_' ' ')" "$pkg" "$tmp/sums"
done
cp "$tmp/x/usr/share/doc/$pkg/copyright" "$out/COPYING.Debian"

# ktuberling-data: one word (or two) a clip, 44.1 kHz stereo Ogg Vorbis
kt_deb=$(ls "$tmp"/${kt_pkg}_*.deb)
kt_version=$(dpkg-deb -f "$kt_deb" Version)
dpkg-deb -x "$kt_deb" "$tmp/kt"
kt_sounds="$tmp/kt/usr/share/ktuberling/sounds/en"
mkdir -p "$out/ktuberling"
: > "$tmp/kt-sums"
n_kt=0
for ogg in "$kt_sounds"/*.ogg; do
  name=$(basename "$ogg" .ogg)
  word=${name#*_}
  case "$word" in
    palmtree) word="palm tree" ;;
    fallingstar) word="falling star" ;;
    sphynx) word="sphinx" ;;
    broccolli) word="broccoli" ;;
  esac
  add_clip "$ogg" "ktuberling/$name.wav" "$word" "$kt_pkg" "$tmp/kt-sums"
  n_kt=$((n_kt + 1))
done
[ "$n_kt" -eq 72 ] || { echo "corpus-speech-human: $kt_pkg has $n_kt English sounds, expected 72" >&2; exit 1; }
cp "$tmp/kt/usr/share/doc/$kt_pkg/copyright" "$out/ktuberling/COPYING.Debian"

{
  echo "package: $pkg $version ($(sha256sum "$deb" | cut -d' ' -f1))"
  echo "converted with: $(sox --version 2>&1 | head -n 1 | sed 's/^sox: *//') (-D -R: no dither, repeatable; -r 16000 -c 1 -b 16)"
  echo "originals (usr/share/sounds/alsa/, 48 kHz):"
  sed 's/^/  /' "$tmp/sums"
  echo "package: $kt_pkg $kt_version ($(sha256sum "$kt_deb" | cut -d' ' -f1))"
  echo "originals (usr/share/ktuberling/sounds/en/, 44.1 kHz stereo Ogg Vorbis, mixed to mono):"
  sed 's/^/  /' "$tmp/kt-sums"
  echo "test.tsv: $(wc -l < "$out/test.tsv") lines, $(sha256sum "$out/test.tsv" | cut -d' ' -f1)"
} > "$out/SOURCE"
cat "$out/SOURCE"
