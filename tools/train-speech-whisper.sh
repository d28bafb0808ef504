#!/bin/sh
# train-speech-whisper.sh — rebuilds the built-in speech recognizer from scratch:
# synthesises the speech corpus (tools/corpus-speech.py), learns the BPE vocabulary
# with Whisper's special tokens, trains models/recipes/speech-whisper-base.json (stage 1),
# speech-whisper-stage2.json from it (stage 2), speech-whisper-stage3.json from that
# (stage 3, with the first 14,000 phrase clips), speech-whisper-stage4.json from that
# (stage 4, with all 28,545), speech-whisper-stage5.json from that (stage 5: the model
# grown from 2 + 2 to 4 + 4 layers), speech-whisper-stage6.json from that (stage 6: grown
# to 6 + 6), speech-whisper-stage7.json from that (stage 7), speech-whisper-stage8.json
# from that (stage 8) and speech-whisper.json from that (stage 9, with 8,000 clips of more
# espeak-ng voice variants, data/corpora/speech-variants), evaluates
# on the held-out voices and writes the folder (float16 weights, as the built-in copy).
#
#   tools/train-speech-whisper.sh [OUT_DIR] [--train N] [--steps N] [--jobs J]
#
# Defaults: OUT_DIR build/speech-whisper, the corpus of the built-in model (20000 training
# clips, 28545 phrase clips, 300 dev, 300 dev-voices, 500 test, 8000 variant clips); --train and --steps (stage 9) make a
# longer run (a larger --train needs more --steps). Needs a built tree (meson setup
# build && ninja -C build) and espeak-ng, flite, sox, python3. Training runs on one thread, niced.
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
  --phrases 28545 --dev-voices 300 --max-words 8 --max-seconds 4 --jobs "$jobs"
# stage 3 read the first 14,000 phrase clips (utterance i does not depend on the count)
head -n 14000 "$corpus/phrases.tsv" > "$corpus/phrases-first-14000.tsv"
# stage 9's voices: training sentences by espeak-ng variants no split uses, in their own
# folder; its second training list is the phrase clips followed by these
variants="$root/data/corpora/speech-variants"
python3 "$here/corpus-speech.py" "$variants" --train 0 --dev 0 --test 0 --variants 8000 \
  --max-words 8 --max-seconds 4 --jobs "$jobs"
{ awk -F'\t' -v OFS='\t' '{ $1 = "../speech/" $1; print }' "$corpus/phrases.tsv"
  cat "$variants/variants.tsv"; } > "$variants/phrases-and-variants.tsv"

# 2. the vocabulary: byte-level BPE on the transcripts of the first 6,040 training clips
#    (the corpus stage 1 was trained on) + Whisper's special tokens
head -n 6040 "$corpus/train.tsv" > "$corpus/train-first-6040.tsv"
"$cli" tokenizer --kind bpe --vocab-size 1000 --column 1 \
  --special '<|startoftranscript|>' --special '<|en|>' --special '<|transcribe|>' \
  --special '<|notimestamps|>' --out "$root/models/recipes/tokenizer-speech" "$corpus/train-first-6040.tsv"

# 3. training in nine stages, one thread each, niced: stage 1 on the first 6,040 clips
#    (speech-whisper-base.json), stage 2 from its weights on every sentence clip with
#    SpecAugment (speech-whisper-stage2.json), stage 3 from that with 14,000 phrase clips
#    too (speech-whisper-stage3.json), stage 4 with all 28,545 (speech-whisper-stage4.json),
#    stage 5 grown to 4 + 4 layers (speech-whisper-stage5.json), stage 6 grown to 6 + 6
#    (speech-whisper-stage6.json), stage 7 from that (speech-whisper-stage7.json), stage 8
#    from that (speech-whisper-stage8.json), stage 9 from that with the variant clips
#    (speech-whisper.json; --steps lengthens stage 9)
if [ -n "$steps" ]; then
  tmp_recipe="$root/models/recipes/speech-whisper-$steps.json"
  sed "s/\"steps\": [0-9]*/\"steps\": $steps/" "$recipe" > "$tmp_recipe"
  recipe=$tmp_recipe
fi
train () {   # train RECIPE OUT: one stage, one thread, niced
  ATTN_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 "$cli" train --recipe "$1" --out "$2" --every 50
}
for stage in base stage2 stage3 stage4 stage5 stage6 stage7 stage8; do
  train "$root/models/recipes/speech-whisper-$stage.json" "$root/models/recipes/speech-whisper-$stage"
done
train "$recipe" "$out.f32"

# 4. float16 weights, then the figures on the held-out voices (test), on dev and on the
#    recorded human voice of data/corpora/speech-human
"$cli" convert "$out.f32" --out "$out" --dtype f16
"$cli" eval "$out" "$corpus/test.tsv" --json "$out/eval-test.json" --predictions "$out/test-predictions.txt"
"$cli" eval "$out" "$corpus/dev.tsv" --json "$out/eval-dev.json"
"$cli" eval "$out" "$corpus/dev-voices.tsv" --json "$out/eval-dev-voices.json"
"$cli" eval "$out" "$root/data/corpora/speech-human/test.tsv" --json "$out/eval-human.json" \
  --predictions "$out/human-predictions.txt"
echo "model in $out; held-out figures in $out/eval-test.json"
