#!/bin/sh
# Stands in for a validator that is not installed; meson counts exit 77 as a skip.
echo "$1 is not installed (tools/deps.sh installs it): skipped" >&2
exit 77
