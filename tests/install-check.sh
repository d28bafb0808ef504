#!/bin/sh
# What `meson install` puts where, and whether the installed program runs from
# there. TAP output.
#
#   tests/install-check.sh BUILD_DIR            check the prefix BUILD_DIR installed to
#                                               (after meson install -C BUILD_DIR)
#   tests/install-check.sh --destdir BUILD_DIR  install BUILD_DIR into a temporary
#                                               DESTDIR and check that (meson test does)
#
# The installed attention-lens finds its data beside its executable, so a staged
# copy runs as the installed one would. When models/ holds no model yet, the
# BERT test fixture stands in for one while the check runs. The window is started
# only when there is a display (xvfb-run gives one).
set -u
destdir=no
if [ "${1:-}" = "--destdir" ]; then
  destdir=yes
  shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--destdir] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
meson=${MESON:-meson}
app_id=org.attentionlens.AttentionLens
n=0
failed=0
tmp=$(mktemp -d)
planted=
app_pid=

cleanup () {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$planted" ] && rm -rf "$planted"
  rm -rf "$tmp"
}
trap cleanup EXIT

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $1"; }
check () { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
bail () { echo "Bail out! $1"; exit 1; }

# the configured folders
"$meson" introspect "$build" --buildoptions > "$tmp/options.json" || bail "meson introspect failed"
option () { python3 -c "import json,sys; print({o['name']: o['value'] for o in json.load(open(sys.argv[1]))}[sys.argv[2]])" "$tmp/options.json" "$1"; }
prefix=$(option prefix)
version=$("$meson" introspect "$build" --projectinfo | python3 -c "import json,sys; print(json.load(sys.stdin)['version'])")
under_prefix () { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
bindir=$(under_prefix "$(option bindir)")
datadir=$(under_prefix "$(option datadir)")
localedir=$(under_prefix "$(option localedir)")

if [ $destdir = yes ]; then
  "$meson" install -C "$build" --no-rebuild --quiet --destdir "$tmp/dest" > "$tmp/install.log" 2>&1 \
    || { sed 's/^/# /' "$tmp/install.log"; bail "meson install --destdir failed"; }
  root=$tmp/dest
else
  root=
fi
bin=$root$bindir
share=$root$datadir
models=$share/attention-lens/models

# the files
check "attention-lens is installed in $bindir" test -x "$bin/attention-lens"
check "attn-cli is installed in $bindir" test -x "$bin/attn-cli"
check "the desktop file is installed" test -f "$share/applications/$app_id.desktop"
check "the AppStream metainfo is installed" test -f "$share/metainfo/$app_id.metainfo.xml"
check "the GSettings schema is installed" test -f "$share/glib-2.0/schemas/$app_id.gschema.xml"
check "the application icon is installed" test -f "$share/icons/hicolor/scalable/apps/$app_id.svg"
check "the symbolic icon is installed" test -f "$share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
for lang in $(sed -e 's/#.*//' "$src/po/LINGUAS"); do
  check "the $lang translation is installed" test -f "$root$localedir/$lang/LC_MESSAGES/attention-lens.mo"
done
check "the models folder is installed" test -d "$models"
for dir in "$src"/models/*/; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir")
  missing=$(cd "$dir" && find . -type f | while read -r f; do [ -f "$models/$name/$f" ] || echo "$f"; done)
  check "the model $name is installed whole${missing:+ (missing: $missing)}" test -z "$missing"
done

# the schema compiled (a DESTDIR install leaves that to the packager)
if [ $destdir = yes ] && command -v glib-compile-schemas >/dev/null; then
  glib-compile-schemas "$share/glib-2.0/schemas"
fi
check "the GSettings schemas are compiled" test -f "$share/glib-2.0/schemas/gschemas.compiled"

# the programs run from there
out=$("$bin/attention-lens" --version 2>&1)
check "attention-lens --version prints “attention-lens $version” (got “$out”)" test "$out" = "attention-lens $version"
quietly () { "$@" >/dev/null 2>&1; }
check "attn-cli --help runs" quietly "$bin/attn-cli" --help

# a translation, through the installed .mo; the locale made here when the
# system lacks it (localedef and the locales package's sources), found then
# through LOCPATH
mkdir -p "$tmp/locale"
for pair in "de de_DE.UTF-8 ORDNER" "zh_CN zh_CN.UTF-8 目录"; do
  set -- $pair
  want=$(echo "$2" | tr 'A-Z' 'a-z' | sed 's/-//g')
  if locale -a 2>/dev/null | tr 'A-Z' 'a-z' | sed 's/-//g' | grep -qx "$want"; then
    locpath=
  elif command -v localedef >/dev/null && localedef -i "${2%%.*}" -f UTF-8 "$tmp/locale/$2" >/dev/null 2>&1; then
    locpath=$tmp/locale
  else
    skip "no $2 locale to show the $1 translation in"
    continue
  fi
  help=$(env ${locpath:+LOCPATH=$locpath} LANGUAGE=$1 LC_ALL=$2 "$bin/attention-lens" --help 2>&1)
  case $help in
    *"--model=$3"*) ok "attention-lens --help speaks $1" ;;
    *) not_ok "attention-lens --help speaks $1"; echo "$help" | sed 's/^/# /' ;;
  esac
done

# the built-in models, found in the prefix
if ! ls "$models"/*/config.json >/dev/null 2>&1; then
  planted=$models/fixture-bert
  cp -r "$src/tests/fixtures/bert" "$planted"
fi
list=$(env -u ATTN_MODELS_DIR "$bin/attention-lens" --list-models 2>&1)
first=$(echo "$list" | head -n 1 | cut -f 3)
case $first in
  "$models"/*) ok "attention-lens --list-models finds the models in $models" ;;
  *) not_ok "attention-lens --list-models finds the models in $models"; echo "$list" | sed 's/^/# /' ;;
esac

# the window starts with the schema from the prefix and loads a built-in model
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  skip "no display to start the window on (run under xvfb-run)"
else
  env -u GSETTINGS_SCHEMA_DIR -u ATTN_MODELS_DIR GSETTINGS_BACKEND=memory \
      XDG_DATA_DIRS="$share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" G_MESSAGES_DEBUG=lens \
      "$bin/attention-lens" > "$tmp/app.log" 2>&1 &
  app_pid=$!
  loaded=no
  for i in $(seq 1 150); do
    if grep -q "Loaded the model in $models/" "$tmp/app.log"; then loaded=yes; break; fi
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.2
  done
  sleep 0.5
  if [ $loaded = yes ] && kill -0 "$app_pid" 2>/dev/null; then
    ok "the installed window starts and loads a model from $models"
  else
    not_ok "the installed window starts and loads a model from $models"
    sed 's/^/# /' "$tmp/app.log"
  fi
  kill "$app_pid" 2>/dev/null
  wait "$app_pid" 2>/dev/null
  app_pid=
fi

echo "1..$n"
exit $failed
