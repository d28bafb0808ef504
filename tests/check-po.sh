#!/bin/sh
# Translation checks, TAP output.
#
#   check-po.sh complete SRCDIR   every language in po/LINGUAS: no fuzzy and no
#                                 untranslated entries (msgfmt --statistics)
#   check-po.sh current SRCDIR    the same against a template made now from the
#                                 sources: strings added since the .po files were
#                                 last updated count as untranslated
#   check-po.sh potfiles SRCDIR   every source file with marked strings (app, engine) is listed
#                                 in po/POTFILES.in, and every listed file exists
#
# A failure names what to do: po/README.md tells how to update and translate.
set -u
mode=$1
src=$2
po=$src/po
n=0
failed=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
skip_all () { echo "1..0 # SKIP $1"; exit 0; }

languages () { sed -e 's/#.*//' "$po/LINGUAS" | tr -s ' \t' '\n\n' | grep -v '^$'; }

# statistics LANG PO_FILE: one TAP line from msgfmt --statistics
statistics () {
  stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$2" 2>&1)
  case $stats in
    *fuzzy*|*untranslated*|*rror*)
      not_ok "$1: $stats"
      # the entries that need work, for the log
      msgattrib --only-fuzzy --no-obsolete "$2" 2>/dev/null | grep '^msgid' | sed 's/^/# fuzzy: /'
      msgattrib --untranslated --no-obsolete "$2" 2>/dev/null | grep '^msgid' | sed -n '2,$s/^/# untranslated: /p' ;;
    *) ok "$1: $stats" ;;
  esac
}

case $mode in
  complete)
    command -v msgfmt >/dev/null || skip_all "msgfmt is not installed"
    for lang in $(languages); do
      statistics "$lang" "$po/$lang.po"
    done ;;

  current)
    command -v xgettext >/dev/null && command -v msgmerge >/dev/null || skip_all "gettext is not installed"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # the keywords of meson's glib preset that carry strings
    if ! (cd "$src" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
            --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
            -f po/POTFILES.in -o "$tmp/current.pot" 2>"$tmp/xgettext.log"); then
      sed 's/^/# /' "$tmp/xgettext.log"
      not_ok "xgettext could not read the files in po/POTFILES.in"
    else
      for lang in $(languages); do
        msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$po/$lang.po" "$tmp/current.pot" 2>/dev/null
        statistics "$lang against the sources (run attention-lens-update-po, then translate)" "$tmp/$lang.po"
      done
    fi ;;

  potfiles)
    listed=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$po/POTFILES.in")
    for f in $listed; do
      [ -f "$src/$f" ] || not_ok "$f is in po/POTFILES.in but does not exist"
    done
    # C with _() N_() C_() NC_() or ngettext; GtkBuilder with translatable="yes"
    marked=$(cd "$src" && {
      grep -lE '(^|[^A-Za-z0-9_])(N?C?_|g_dngettext) ?\(' src/app/*.c src/engine/*.c 2>/dev/null
      grep -l 'translatable="yes"' ui/*.ui 2>/dev/null
    } | sort -u)
    for f in $marked; do
      if printf '%s\n' "$listed" | grep -qx "$f"; then
        ok "$f is listed"
      else
        not_ok "$f has translatable strings: add it to po/POTFILES.in"
      fi
    done ;;

  *)
    echo "usage: $0 complete|current|potfiles SRCDIR" >&2
    exit 2 ;;
esac
echo "1..$n"
exit $failed
