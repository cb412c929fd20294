#!/usr/bin/env bash
# tests/run.sh: runs every test group in tests/suite/ and ends with "N passed, N failed".
#
# A test group is an executable file in tests/suite/ (shell or python3). It prints one
# line per check: "ok NAME" or "FAIL NAME: why" (anything else is shown as context).
# A group that exits non-zero without printing FAIL counts as one failure.
#
#   CHATTCP=build-asan/chattcp tests/run.sh      # the same suite on another build
#   tests/run.sh oracle                          # only groups whose name contains "oracle"
set -u
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
export CHATTCP="${CHATTCP:-build/chattcp}"
export CHATTCP_ROOT="$PWD"
# The shared corpus sits beside the clone in CI and beside the work tree here.
for d in "${SHARED:-}" ../shared ../../shared /work/shared; do
	if [ -n "$d" ] && [ -d "$d/corpus" ]; then export SHARED="$(cd "$d" && pwd)"; break; fi
done
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

if [ ! -x "$CHATTCP" ]; then
	echo "tests: $CHATTCP is not built (run make)"; echo "0 passed, 1 failed"; exit 1
fi
pass=0; fail=0
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
for t in tests/suite/*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if [ $# -gt 0 ] && [[ "$name" != *"$1"* ]]; then continue; fi
	start=$(date +%s)
	"$t" > "$out/$name.log" 2>&1; rc=$?
	p=$(grep -c '^ok ' "$out/$name.log"); f=$(grep -c '^FAIL ' "$out/$name.log")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $name: exited $rc" >> "$out/$name.log"; fi
	pass=$((pass + p)); fail=$((fail + f))
	printf '%-28s %4d ok %4d failed  (%ss)\n' "$name" "$p" "$f" "$(( $(date +%s) - start ))"
	if [ "$f" -gt 0 ]; then grep -v '^ok ' "$out/$name.log" | head -40 | sed 's/^/    /'; fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
