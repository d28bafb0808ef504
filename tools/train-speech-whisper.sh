#!/bin/sh
# train-speech-whisper.sh — rebuilds the built-in speech recognizer from scratch:
# synthesises the speech corpus (tools/corpus-speech.py), learns the BPE vocabulary
# with Whisper's special tokens, trains models/recipes/speech-whisper.json, evaluates
# on the held-out voices and writes the folder (float16 weights, as the built-in copy).
#
#   tools/train-speech-whisper.sh [OUT_DIR] [--train N] [--steps N] [--jobs J]
#
# Defaults: OUT_DIR build/speech-whisper, the corpus of the built-in model (20000 training
# clips, 300 dev, 500 test); --train and --steps make a longer run (a larger --train
# needs more --steps). Needs a built tree (meson setup build && ninja -C build) and
# espeak-ng, flite, sox, python3. Training runs on one thread, niced.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=build/speech-whisper
train=20000
steps=
jobs=2
while [ $# -gt 0 ]; do
  case "$1" in
    --train) train=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done

cli="$root/build/src/cli/attn-cli"
corpus="$root/data/corpora/speech"
recipe="$root/models/recipes/speech-whisper.json"
[ -x "$cli" ] || { echo "build attn-cli first: meson setup build && ninja -C build" >&2; exit 1; }

# 1. the corpus: the committed TSVs list exactly what this writes (same package versions)
python3 "$here/corpus-speech.py" "$corpus" --train "$train" --dev 300 --test 500 \
  --max-words 8 --max-seconds 4 --jobs "$jobs"

# 2. the vocabulary: byte-level BPE on the training transcripts + Whisper's special tokens
"$cli" tokenizer --kind bpe --vocab-size 1000 --column 1 \
  --special '<|startoftranscript|>' --special '<|en|>' --special '<|transcribe|>' \
  --special '<|notimestamps|>' --out "$root/models/recipes/tokenizer-speech" "$corpus/train.tsv"

# 3. training (a longer run: a copy of the recipe with more steps)
if [ -n "$steps" ]; then
  tmp_recipe="$root/models/recipes/speech-whisper-$steps.json"
  sed "s/\"steps\": [0-9]*/\"steps\": $steps/" "$recipe" > "$tmp_recipe"
  recipe=$tmp_recipe
fi
ATTN_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 "$cli" train --recipe "$recipe" \
  --out "$out.f32" --every 50

# 4. float16 weights, then the figures on the held-out voices (test) and on dev
"$cli" convert "$out.f32" --out "$out" --dtype f16
"$cli" eval "$out" "$corpus/test.tsv" --json "$out/eval-test.json" --predictions "$out/test-predictions.txt"
"$cli" eval "$out" "$corpus/dev.tsv" --json "$out/eval-dev.json"
echo "model in $out; held-out figures in $out/eval-test.json"
