#!/bin/sh
# train-english-gpt2.sh — rebuilds the built-in language model (models/english-gpt2):
# learns the BPE vocabulary on the training split, then trains the four recipes of
# models/recipes in order, each starting from the one before (`"init"`):
#   english-gpt2-base       the language model (3,600 steps)
#   english-gpt2-repeats    + half of the chunks repeating random spans (8,000 steps)
#   english-gpt2-induction  + every chunk repeating (2,073 steps): the induction head forms
#   english-gpt2            + a quarter repeating (half random spans, half the text's
#                             own), decaying learning rate (4,000 steps)
# and evaluates the result on the test split (perplexity and the induction-head probe).
#
#   tools/train-english-gpt2.sh [OUT_DIR]      (default: build/english-gpt2)
#
# Needs a built tree (meson setup build && ninja -C build). Training runs on one thread,
# niced; about two hours on one thread of this project's machine (MODEL_CARD.md).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:-build/english-gpt2}
cli="$root/build/src/cli/attn-cli"
recipes="$root/models/recipes"
[ -x "$cli" ] || { echo "build attn-cli first: meson setup build && ninja -C build" >&2; exit 1; }

"$cli" tokenizer --kind bpe --vocab-size 4096 --out "$recipes/tokenizer-english" \
  "$root/data/corpora/english/train.txt"
for stage in english-gpt2-base english-gpt2-repeats english-gpt2-induction; do
  ATTN_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 "$cli" train \
    --recipe "$recipes/$stage.json" --out "$recipes/$stage" --every 100
done
ATTN_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 "$cli" train \
  --recipe "$recipes/english-gpt2.json" --out "$out" --every 100
rm -f "$out/optimizer.safetensors"
"$cli" eval "$out" "$root/data/corpora/english/test.txt" --json "$out/eval-test.json"
echo "model in $out; test figures in $out/eval-test.json"
