#!/usr/bin/env bash
# tests/check.sh: what `make check` and CI run: the whole suite on the normal build and
# again on the ASan+UBSan build, then a short fuzz smoke run when clang is there.
# Ends with one line "N passed, N failed" that sums everything.
set -u
cd "$(dirname "$0")/.."
total_p=0; total_f=0
tally() { # tally LOGFILE: adds the log's closing "N passed, N failed" to the totals
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
	if [ -z "$line" ]; then total_f=$((total_f + 1)); return; fi
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
	total_p=$((total_p + p)); total_f=$((total_f + f))
}
log=$(mktemp); trap 'rm -f "$log"' EXIT

echo "== build (gcc, -Werror)"
if ! make -s -j2 all; then echo "0 passed, 1 failed"; exit 1; fi
echo "== tests on build/chattcp"
tests/run.sh | tee "$log"; tally "$log"

echo "== build with AddressSanitizer + UndefinedBehaviorSanitizer"
if make -s -j2 asan; then
	echo "== tests on build-asan/chattcp"
	CHATTCP=build-asan/chattcp tests/run.sh | tee "$log"; tally "$log"
else
	echo "FAIL asan build"; total_f=$((total_f + 1))
fi

if [ -f fuzz/Makefile ] && command -v clang > /dev/null 2>&1 && [ -x fuzz/run.sh ]; then
	echo "== fuzz smoke run (${FUZZ_SECONDS:-15} s per target, two at a time)"
	if make -s fuzz > "$log" 2>&1 && FUZZ_JOBS=2 fuzz/run.sh "${FUZZ_SECONDS:-15}" > "$log" 2>&1; then
		echo "ok fuzz smoke"; total_p=$((total_p + 1))
	else
		tail -30 "$log"; echo "FAIL fuzz smoke"; total_f=$((total_f + 1))
	fi
fi
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
