#!/bin/sh
# Screenshots of every view, for the docs and for looking at what we draw.
#
#   tools/screenshots.sh [BUILD_DIR]
#
# Runs the uninstalled app under Xvfb on a model with --model (the built-in ones for
# the views, the reference checkpoints for the teaching pages), fills
# in a text, runs it, waits, and saves data/screenshots/<name>.png with
# ImageMagick's `import`. SETTLE (seconds, default 6) is the wait per shot.
# Needs Xvfb, ImageMagick and, for the tall teaching shot, xdotool.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
app=$build/src/app/attention-lens
out=$src/data/screenshots
settle=${SETTLE:-6}
fixtures=$src/tests/fixtures

[ -x "$app" ] || { echo "no $app: build first (meson compile -C $build)" >&2; exit 1; }
mkdir -p "$out"

# shot NAME MODEL VIEW [attention-lens options...]
shot () {
  name=$1; model=$2; view=$3; shift 3
  echo "screenshot $name ($view, $(basename "$model"))"
  WINDOW="${WINDOW:-}" xvfb-run -a -s "-screen 0 ${SCREEN:-1280x800}x24" sh -c '
    out=$1; settle=$2; shift 2
    GSETTINGS_BACKEND=${GSETTINGS_BACKEND:-memory} NO_AT_BRIDGE=1 GTK_A11Y=none "$@" &
    pid=$!
    if [ -n "${WINDOW:-}" ]; then   # WINDOW=WxH resizes the window (needs xdotool)
      sleep 3
      xdotool search --sync --name "Attention Lens" windowsize ${WINDOW%x*} ${WINDOW#*x}
    fi
    sleep "$settle"
    import -window root "$out"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  ' sh "$out/$name.png" "$settle" "$app" --model "$model" --view "$view" "$@"
}

sentence="The animal didn't cross the street because it was too tired."

# ONLY=teach: just the teaching workbench's pages
teach_shots () {
  shot teach-steps-query "$fixtures/bert" steps:1 --text "$sentence" --run
  shot teach-steps-scores "$fixtures/bert" steps:3 --text "$sentence" --run
  shot teach-steps-mask "$fixtures/gpt2" steps:5 --text "Attention is all you need, and then some." --run
  shot teach-steps-softmax "$fixtures/gpt2" steps:6 --text "Attention is all you need, and then some." --run
  shot teach-steps-output "$fixtures/bert" steps:7 --text "$sentence" --run
  shot teach-scores "$fixtures/bert" scores --text "$sentence" --run
  SETTLE=${LEARN_SETTLE:-14} shot teach-learn "$fixtures/bert" learn:train
  # the built-in translators' row, at the foot of the page: a tall screen, then the row
  SCREEN=1280x2000 WINDOW=1280x1990 SETTLE=15 shot teach-translators "$src/models/de-en-transformer" scores \
    --text "Kann ich heute abend das Auto haben?" --run
  convert "$out/teach-translators.png" -crop 1280x330+0+960 +repage "$out/teach-translators.png"
}
if [ "${ONLY:-}" = teach ]; then
  teach_shots
  conf=$(mktemp -d)
  mkdir -p "$conf/glib-2.0/settings"
  printf '[org/attentionlens/AttentionLens]\npresentation-mode=true\n' > "$conf/glib-2.0/settings/keyfile"
  export XDG_CONFIG_HOME="$conf" GSETTINGS_BACKEND=keyfile
  shot teach-presentation-steps "$fixtures/gpt2" steps:6 --text "Attention is all you need." --run
  shot teach-presentation-scores "$fixtures/bert" scores --text "Attention is all you need." --run
  SETTLE=${LEARN_SETTLE:-14} shot teach-presentation-learn "$fixtures/bert" learn:train
  unset XDG_CONFIG_HOME GSETTINGS_BACKEND
  rm -rf "$conf"
  exit 0
fi

# the views on the built-in models (trained, so their attention has structure to show;
# the random reference checkpoints in tests/fixtures attend almost uniformly)
models=$src/models
lm_text="To install a new package, run apt install followed by the name of the package."
induction_text="Colourless green ideas sleep furiously beside the old lighthouse. Colourless green ideas sleep furiously beside the old"
de_text="Kann ich heute abend das Auto haben?"
speech_audio=$models/speech-whisper/sample-1.wav
# the grid on a repeated phrase: layer 2's induction heads draw the offset diagonal
shot grid "$models/english-gpt2" grid --text "$induction_text" --run
for view in head lines summary; do
  shot "$view" "$models/english-gpt2" "$view" --text "$lm_text" --run
done
shot gpt2-head "$models/english-gpt2" head --text "$lm_text" --run
shot marian-cross "$models/de-en-transformer" head --kind cross --text "$de_text" --run
shot whisper-grid "$models/speech-whisper" grid --kind cross --audio "$speech_audio" --run

# dark style and presentation mode, through a throw-away keyfile settings backend
conf=$(mktemp -d)
mkdir -p "$conf/glib-2.0/settings"
printf '[org/attentionlens/AttentionLens]\npresentation-mode=true\ncolour-map='"'"'magma'"'"'\n' \
  > "$conf/glib-2.0/settings/keyfile"
export XDG_CONFIG_HOME="$conf" GSETTINGS_BACKEND=keyfile ADW_DEBUG_COLOR_SCHEME=prefer-dark
shot presentation-dark "$models/english-gpt2" head --text "$lm_text" --run
shot teach-presentation-steps "$fixtures/gpt2" steps:6 --text "Attention is all you need." --run
unset XDG_CONFIG_HOME GSETTINGS_BACKEND ADW_DEBUG_COLOR_SCHEME
rm -rf "$conf"

# sentence pairs and audio: the Alignment and Speech pages
shot alignment "$models/de-en-transformer" alignment --text "$de_text" --pair "Can I have the car tonight?" --run
shot speech "$models/speech-whisper" speech --audio "$speech_audio" --run

# the window in German and in Simplified Chinese (the locales must exist:
# locale-gen de_DE.UTF-8 zh_CN.UTF-8; Chinese needs a CJK font, fonts-noto-cjk)
export LANGUAGE=de LANG=de_DE.UTF-8
shot window-de "$models/english-gpt2" grid --text "$lm_text" --run
export LANGUAGE=zh_CN LANG=zh_CN.UTF-8
shot window-zh_CN "$models/english-gpt2" grid --text "$lm_text" --run
unset LANGUAGE LANG

teach_shots
