#!/usr/bin/env bash
# tests/update-golden.sh [NAME...]: rewrites golden outputs (all, or the named ones) from
# the current build. Read `git diff tests/golden` before committing: a golden file is a
# claim that the output is right.
set -eu
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
CHATTCP=${CHATTCP:-build/chattcp}
grep -v '^#' tests/golden/LIST | while IFS=$'\t' read -r name args; do
	[ -n "$name" ] || continue
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
	# shellcheck disable=SC2086
	"$CHATTCP" ${args//@C@/tests/captures} > "tests/golden/$name.out" || true
	echo "updated $name"
done
