/* test_ts.c: unit tests for the time arithmetic that cannot overflow (src/base/ts.h).
 * Every helper is checked over every pair of a grid of edge values (INT64_MIN/MAX and
 * their neighbours, +-2^62 = CAP_TS_MAX_NS and its neighbours, 0, +-1, ordinary
 * durations and the 2^32 s of a pcap clock) against the exact result computed in 128
 * bits, so a wrong saturation direction or a product formed in 64 bits shows; the
 * sanitizer build (unit-proto on build-asan) also catches any signed overflow inside.
 * Then fmt_duration at the same values: no "--", saturated values in words.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "base/ts.h"
#include "harness.h"
#include "out/fmt.h"

#include <inttypes.h>

__extension__ typedef __int128 i128;

#define P62 ((int64_t)1 << 62)

static const int64_t grid[] = {
	INT64_MIN, INT64_MIN + 1, -P62 - 1, -P62, -P62 + 1, -(int64_t)4294967295 * 1000000000, -15000000000,
	-1000000, -1, 0, 1, 999, 1000000, 15000000000, (int64_t)4294967280 * 1000000000,
	(int64_t)4294967295 * 1000000000, P62 - 1, P62, P62 + 1, INT64_MAX - 1, INT64_MAX,
};
#define NG (sizeof grid / sizeof grid[0])

static const int64_t factors[] = { INT64_MIN, -1000000000, -3, -2, -1, 0, 1, 2, 3, 20, 1000000000, INT64_MAX };
#define NF (sizeof factors / sizeof factors[0])

static int64_t clamp(i128 v) { return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v; }

static char why[512];

/* Records the first mismatch of a family of checks. */
static int bad(const char *op, int64_t a, int64_t b, int64_t got, int64_t want)
{
	if (!why[0])
		snprintf(why, sizeof why, "%s(%" PRId64 ", %" PRId64 ") = %" PRId64 ", want %" PRId64, op, a, b, got, want);
	return 1;
}

static void done(const char *name, int errors)
{
	check(errors == 0, name, why);
	why[0] = 0;
}

static void test_sub_add_mul(void)
{
	int e = 0;
	for (size_t i = 0; i < NG; i++)
		for (size_t j = 0; j < NG; j++) {
			int64_t a = grid[i], b = grid[j];
			int64_t want = clamp((i128)a - b), got = ts_sub(a, b);
			if (got != want)
				e += bad("ts_sub", a, b, got, want);
		}
	done("ts_sub: exact where it fits, INT64_MAX/MIN where it does not (+2^62 - -2^62 = INT64_MAX)", e);
	check(ts_sub(P62, -P62) == INT64_MAX && ts_sub(-P62, P62) == INT64_MIN, "ts_sub: the two clamped ends", "");

	e = 0;
	for (size_t i = 0; i < NG; i++)
		for (size_t j = 0; j < NG; j++) {
			int64_t a = grid[i], b = grid[j];
			int64_t want = clamp((i128)a + b), got = ts_add(a, b);
			if (got != want)
				e += bad("ts_add", a, b, got, want);
		}
	done("ts_add: exact or saturated", e);

	e = 0;
	for (size_t i = 0; i < NG; i++)
		for (size_t j = 0; j < NF; j++) {
			int64_t a = grid[i], k = factors[j];
			int64_t want = clamp((i128)a * k), got = ts_mul(a, k);
			if (got != want)
				e += bad("ts_mul", a, k, got, want);
		}
	done("ts_mul: exact or saturated, the sign of the product kept", e);

	e = 0;
	for (size_t i = 0; i < NG; i++)
		for (size_t j = 0; j < NG; j++) {
			int64_t a = grid[i], b = grid[j];
			i128 d = (i128)a - b;
			int64_t want = d < 0 ? 0 : clamp(d), got = ts_elapsed(a, b);
			if (got != want)
				e += bad("ts_elapsed", a, b, got, want);
		}
	done("ts_elapsed: now - then, saturated, 0 when the clock went backwards", e);

	e = 0;
	for (size_t i = 0; i < NG; i++) {
		int64_t a = grid[i];
		int64_t want = clamp(a < 0 ? -(i128)a : a), got = ts_abs(a);
		if (got != want)
			e += bad("ts_abs", a, 0, got, want);
	}
	done("ts_abs: |INT64_MIN| is INT64_MAX", e);
	check(ts_from_sec(4294967295) == (int64_t)4294967295 * 1000000000 && ts_from_sec(INT64_MAX / 1000) == INT64_MAX &&
		      ts_from_sec(-(INT64_MAX / 1000)) == INT64_MIN,
	      "ts_from_sec: seconds to ns, saturated", "");
}

static void test_compare(void)
{
	int e = 0;
	for (size_t i = 0; i < NG; i++)
		for (size_t j = 0; j < NG; j++)
			for (size_t ka = 0; ka < NF; ka++)
				for (size_t kb = 0; kb < NF; kb++) {
					int64_t a = grid[i], b = grid[j];
					i128 x = (i128)a * factors[ka], y = (i128)b * factors[kb];
					int want = x < y ? -1 : x > y, got = ts_cmp_scaled(a, factors[ka], b, factors[kb]);
					if (got != want)
						e += bad("ts_cmp_scaled", a, b, got, want);
				}
	done("ts_cmp_scaled: the sign of a*ka - b*kb, exact for every pair and factor", e);
	/* The backoff rule's question, "is 15 s at least 1.5 x (2^32 - 16) s?": no. */
	int64_t g0 = (int64_t)4294967280 * 1000000000, g1 = 15000000000;
	check(ts_cmp_scaled(g1, 2, g0, 3) < 0, "ts_cmp_scaled: 2 x 15 s < 3 x (2^32 - 16) s (3 x g0 does not fit in 64 bits)", "");

	e = 0;
	const int64_t centres[] = { 0, 1000000000, 15000000000, 7200000000000, P62, INT64_MAX };
	for (size_t i = 0; i < NG; i++)
		for (size_t c = 0; c < sizeof centres / sizeof centres[0]; c++) {
			int64_t a = grid[i], m = centres[c];
			i128 d = (i128)a - m;
			if (d < 0)
				d = -d;
			int want = d <= m / 20, got = ts_within(a, m, 20);
			if (got != want)
				e += bad("ts_within", a, m, got, want);
		}
	done("ts_within: |a - c| <= c / 20, never true for a value far away", e);
}

static void test_total(void)
{
	ts_total t = 0;
	for (int i = 0; i < 1000; i++)
		ts_total_add(&t, INT64_MAX);
	check(ts_total_ns(t) == INT64_MAX, "ts_total: 1000 x INT64_MAX saturates when read as one value", "");
	check(ts_total_mean(t, 1000) == INT64_MAX, "ts_total: the mean of 1000 x INT64_MAX is INT64_MAX (exact)", "");
	ts_total u = 0;
	for (int i = 0; i < 1000; i++)
		ts_total_add(&u, INT64_MIN);
	check(ts_total_mean(u, 1000) == INT64_MIN && ts_total_ns(u) == INT64_MIN, "ts_total: and of 1000 x INT64_MIN", "");
	ts_total v = 0;
	ts_total_add(&v, INT64_MAX);
	ts_total_add(&v, INT64_MAX);
	ts_total_add(&v, 1);
	check(ts_total_mean(v, 3) == (int64_t)(((i128)INT64_MAX * 2 + 1) / 3), "ts_total: a mean past 64 bits, exact", "");
	check(ts_total_mean(v, 0) == 0, "ts_total: the mean of nothing is 0", "");
}

static void test_words(void)
{
	check(ts_saturated(INT64_MAX) && ts_saturated(INT64_MIN) && !ts_saturated(P62) && !ts_saturated(-P62) &&
		      !ts_saturated(0),
	      "ts_saturated: only INT64_MIN and INT64_MAX", "");
	check(ts_saturated_words(INT64_MAX) && strstr(ts_saturated_words(INT64_MAX), "292 years") &&
		      ts_saturated_words(INT64_MIN) && strstr(ts_saturated_words(INT64_MIN), "292 years") &&
		      !ts_saturated_words(INT64_MAX - 1) && !ts_saturated_words(INT64_MIN + 1),
	      "ts_saturated_words: words for the bounds, NULL for a measurement", "");

	struct strbuf b;
	sb_init(&b);
	int e = 0;
	for (size_t i = 0; i < NG; i++) {
		sb_reset(&b);
		fmt_duration(&b, grid[i]);
		int sat = ts_saturated(grid[i]);
		if (strstr(b.s, "--") || (sat != (strstr(b.s, "292 years") != NULL)) || (grid[i] < 0) != (b.s[0] == '-' || b.s[0] == '<')) {
			if (!why[0])
				snprintf(why, sizeof why, "fmt_duration(%" PRId64 ") = '%s'", grid[i], b.s);
			e++;
		}
	}
	done("fmt_duration: every edge value has one sign and no '--'; INT64_MIN/MAX in words", e);
	sb_reset(&b);
	fmt_duration(&b, INT64_MIN);
	has(&b, "<-292 years", "fmt_duration(INT64_MIN) says <-292 years");
	sb_reset(&b);
	fmt_duration(&b, INT64_MAX);
	has(&b, ">292 years", "fmt_duration(INT64_MAX) says >292 years");
	sb_reset(&b);
	fmt_duration(&b, INT64_MIN + 1);
	lacks(&b, "--", "fmt_duration(INT64_MIN + 1) is a plain negative number");
	sb_fini(&b);
}

int main(void)
{
	test_sub_add_mul();
	test_compare();
	test_total();
	test_words();
	return fails ? 1 : 0;
}
