#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...]: runs each fuzz target (default: every build-fuzz/fuzz_*)
# for SECONDS with libFuzzer.
#
#   corpus     the seeds fuzz/corpus/TARGET/ are read, never written; what libFuzzer finds
#              goes to a working corpus outside the tree, $FUZZ_WORK/TARGET (default
#              ${TMPDIR:-/tmp}/chattcp-fuzz), kept between runs so coverage accumulates
#   findings   crashes, leaks, timeouts (an input slower than $FUZZ_TIMEOUT s, default 10)
#              and out-of-memory inputs are saved to fuzz/regress/TARGET/; the target is
#              restarted for the time left (at most 10 restarts), so one bug does not end
#              the run. tests/suite/fuzz-regress replays them on every test run.
#   options    fuzz/TARGET.options: extra libFuzzer flags on one line (e.g. -max_len=16384);
#              fuzz/TARGET.dict: a dictionary, passed with -dict=
#   FUZZ_JOBS  targets run at once (default 1)
#
# Exit status: 0 when no target found anything, 1 when one did (the inputs are listed),
# 2 when a target is not built (run `make fuzz`).
# CI runs a smoke test: `make fuzz && fuzz/run.sh 30`.
set -u
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
	echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2
	exit 2
fi
secs=$1; shift
build=${FUZZ_BUILD:-build-fuzz}
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/chattcp-fuzz}
jobs=${FUZZ_JOBS:-1}
timeout_s=${FUZZ_TIMEOUT:-10}
if [ $# -gt 0 ]; then targets=("$@"); else
	targets=()
	for s in fuzz/fuzz_*.c; do t=$(basename "$s" .c); targets+=("$t"); done
fi
for t in "${targets[@]}"; do
	if [ ! -x "$build/$t" ]; then echo "fuzz: $build/$t is not built (run make fuzz)" >&2; exit 2; fi
done
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
# Sanitizer reports must name the input: libFuzzer prints the artifact path itself.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# run_one TARGET: fuzz until SECONDS have passed; prints one summary line.
run_one() {
	local t=$1 start end left n=0 execs=0 found=0 rc opts=() before after
	mkdir -p "$work/$t" "fuzz/regress/$t"
	[ -f "fuzz/$t.options" ] && read -r -a opts < "fuzz/$t.options"
	[ -f "fuzz/$t.dict" ] && opts+=("-dict=fuzz/$t.dict")
	[ -d "fuzz/corpus/$t" ] || mkdir -p "fuzz/corpus/$t"
	before=$(ls "fuzz/regress/$t" | wc -l)
	start=$(date +%s); end=$((start + secs))
	while :; do
		left=$((end - $(date +%s)))
		[ "$left" -gt 0 ] || break
		"$build/$t" "${opts[@]}" -max_total_time="$left" -timeout="$timeout_s" -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="fuzz/regress/$t/" "$work/$t" "fuzz/corpus/$t" \
			> "$logs/$t.$n.log" 2>&1
		rc=$?
		execs=$((execs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.$n.log" | tail -1 | grep . || echo 0)))
		if [ $rc -ne 0 ]; then
			found=1
			# A bug's signature: the summary and the first frame in our code.
			sum="$(grep -m1 '^SUMMARY' "$logs/$t.$n.log") $(grep -m1 -E '^ +#[0-9]+ .* in .*(/src/|/fuzz/)' "$logs/$t.$n.log" | sed 's/.* in //')"
			art=$(sed -n 's/.*Test unit written to //p' "$logs/$t.$n.log" | tail -1)
			if [ -n "$sum" ] && grep -qxF "$sum" "$logs/$t.sums" 2>/dev/null; then
				# The same bug again: one input for it is enough; stop restarting.
				# (libFuzzer names inputs by content: the same input is the same file.)
				[ -n "$art" ] && ! grep -qxF "$art" "$logs/$t.kept" 2>/dev/null && rm -f "$art"
				echo "fuzz: $t: found the same bug again ($sum); stopping this target"
				break
			fi
			echo "$sum" >> "$logs/$t.sums"
			echo "$art" >> "$logs/$t.kept"
			echo "fuzz: $t stopped (exit $rc): $art"
			{ grep -E '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$logs/$t.$n.log" | head -3
			  grep -E '^ +#[0-9]+ .* in .*(/src/|/fuzz/)' "$logs/$t.$n.log" | head -5; } | sed 's/^ */    /'
		fi
		n=$((n + 1))
		[ $rc -eq 0 ] && break
		[ $n -ge 10 ] && { echo "fuzz: $t: 10 restarts, giving up"; break; }
	done
	after=$(ls "fuzz/regress/$t" | wc -l)
	printf 'fuzz: %-20s %5ss %10s execs  %s\n' "$t" "$(( $(date +%s) - start ))" "$execs" \
		"$([ $found -eq 0 ] && echo 'nothing found' || echo "FOUND $((after - before)) new input(s) in fuzz/regress/$t/")"
	[ $found -eq 0 ]
}

export -f run_one 2>/dev/null
status=0
if [ "$jobs" -gt 1 ]; then
	pids=()
	i=0
	for t in "${targets[@]}"; do
		run_one "$t" > "$logs/summary.$t" 2>&1 &
		pids+=($!)
		i=$((i + 1))
		if [ $((i % jobs)) -eq 0 ]; then
			for p in "${pids[@]}"; do wait "$p" || status=1; done
			pids=()
		fi
	done
	for p in "${pids[@]}"; do wait "$p" || status=1; done
	for t in "${targets[@]}"; do cat "$logs/summary.$t"; done
else
	for t in "${targets[@]}"; do run_one "$t" || status=1; done
fi
exit $status
