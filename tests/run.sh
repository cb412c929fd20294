#!/usr/bin/env bash
# tests/run.sh: runs every test group in tests/suite/ and ends with "N passed, N failed".
#
# A test group is an executable file in tests/suite/ (shell or python3). It prints one
# line per check: "ok NAME" or "FAIL NAME: why" (anything else is shown as context).
# A group that exits non-zero without printing FAIL counts as one failure.
#
#   CHATTCP=build-asan/chattcp tests/run.sh      # the same suite on another build
#   tests/run.sh oracle                          # only groups whose name contains "oracle"
#   TEST_JOBS=1 tests/run.sh                     # one group at a time
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
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$CHATTCP_ROOT/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

if [ ! -x "$CHATTCP" ]; then
	echo "tests: $CHATTCP is not built (run make)"; echo "0 passed, 1 failed"; exit 1
fi
pass=0; fail=0
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
# Groups run TEST_JOBS at a time (default: the number of CPUs, at most 2). A group whose
# header has the line "# run.sh: alone" measures time or timing (growth ratios, pieces
# of a live capture) and runs after the others, by itself, so no other group's load
# bends what it measures.
jobs=${TEST_JOBS:-$(nproc 2> /dev/null || echo 1)}
[ "$jobs" -gt 2 ] && jobs=2
run_group() { # run_group PATH: runs one group into $out/NAME.log, its status and seconds beside it
	local name start rc
	name=$(basename "$1"); start=$(date +%s)
	"$1" > "$out/$name.log" 2>&1; rc=$?
	echo "$rc $(( $(date +%s) - start ))" > "$out/$name.rc"
}
report_group() { # report_group NAME: adds the group's counts to the totals and prints its line
	local name=$1 rc secs p f
	read -r rc secs < "$out/$name.rc"
	p=$(grep -c '^ok ' "$out/$name.log"); f=$(grep -c '^FAIL ' "$out/$name.log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $name: exited $rc" >> "$out/$name.log"; fi
	pass=$((pass + p)); fail=$((fail + f))
	printf '%-28s %4d ok %4d failed  (%ss)\n' "$name" "$p" "$f" "$secs"
	if [ "$f" -gt 0 ]; then grep -v '^ok ' "$out/$name.log" | head -40 | sed 's/^/    /'; fi
}
shared=(); alone=()
for t in tests/suite/*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if [ $# -gt 0 ] && [[ "$name" != *"$1"* ]]; then continue; fi
	if grep -q '^# run.sh: alone' "$t"; then alone+=("$t"); else shared+=("$t"); fi
done
running=0
for t in "${shared[@]}"; do
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
	run_group "$t" & running=$((running + 1))
done
wait
for t in "${shared[@]}"; do report_group "$(basename "$t")"; done
for t in "${alone[@]}"; do run_group "$t"; report_group "$(basename "$t")"; done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
