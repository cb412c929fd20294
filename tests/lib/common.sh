# tests/lib/common.sh: helpers for shell test groups. Source it; then call ok/fail/check.
# CHATTCP, CHATTCP_ROOT and SHARED come from tests/run.sh.
: "${CHATTCP:=build/chattcp}"
: "${CHATTCP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$CHATTCP_ROOT" || exit 1
CAP="$CHATTCP_ROOT/tests/captures"
TMPD=$(mktemp -d); trap 'rm -rf "$TMPD"' EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
# check NAME CMD...: ok when CMD succeeds
check() { local n=$1; shift; if "$@" > "$TMPD/check.out" 2>&1; then ok "$n"; else fail "$n" "$(head -c 600 "$TMPD/check.out")"; fi; }
# run_clean NAME EXPECTED_RC OUTFILE ARGS...: runs chattcp; fails on another exit code or
# on anything on stderr that is not expected (sanitizer reports fail tests)
run_chattcp() { local out=$1; shift; "$CHATTCP" "$@" > "$out" 2> "$out.err"; echo $? > "$out.rc"; }
