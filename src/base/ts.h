/* ts.h: arithmetic on nanosecond timestamps and durations that cannot overflow.
 *
 * A capture's timestamps are its author's word. The reader clamps them to
 * +-CAP_TS_MAX_NS (2^62 ns, capture/capfile.h), so two of them differ by up to 2^63:
 * one past INT64_MAX. Sums of durations, their multiples and their averages go further
 * still. Signed overflow is undefined behaviour in C, and where it wraps it turns the
 * longest wait into a negative one and a shrinking gap into a growing one. So every
 * subtraction, addition and multiplication of timestamps or durations in chattcp goes
 * through this header:
 *
 *   ts_sub, ts_add, ts_mul  the result, or INT64_MIN / INT64_MAX where it does not fit
 *                           (saturated: a bound, not a measurement);
 *   ts_elapsed              now - then for a measured wait: saturated, and 0 when the
 *                           clock went backwards;
 *   ts_cmp_scaled           compares a * ka with b * kb exactly, forming neither product
 *                           ("this gap is at least 1.5 x that one": 2a >= 3b);
 *   ts_abs, ts_within       |d| (saturated) and "a is within c / k of c";
 *   ts_total                a sum of durations with room for 2^64 of them (128 bits),
 *                           so an average is exact however long the capture is;
 *   ts_saturated_words      what to show instead of a saturated duration's number.
 *
 * INT64_MAX ns is 292.47 years, and no exact difference of two clamped timestamps is
 * larger, so a saturated duration is shown as ">292 years" (or "<-292 years"): true
 * both for the exact 2^63 - 1 and for anything a saturated sum stands for. */
#ifndef CHATTCP_TS_H
#define CHATTCP_TS_H

#include <stdint.h>

#define TS_NS_PER_US ((int64_t)1000)
#define TS_NS_PER_MS ((int64_t)1000000)
#define TS_NS_PER_SEC ((int64_t)1000000000)

/* a - b; INT64_MAX or INT64_MIN when it does not fit. */
static inline int64_t ts_sub(int64_t a, int64_t b)
{
	int64_t d;
	if (__builtin_sub_overflow(a, b, &d))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return d;
}

/* The time from then to now, saturated; 0 when the capture's clock went backwards
 * (packets are kept in file order: a negative wait is not a measurement). */
static inline int64_t ts_elapsed(int64_t now, int64_t then)
{
	int64_t d = ts_sub(now, then);
	return d < 0 ? 0 : d;
}

/* a + b, saturated. */
static inline int64_t ts_add(int64_t a, int64_t b)
{
	int64_t s;
	if (__builtin_add_overflow(a, b, &s))
		return a > 0 ? INT64_MAX : INT64_MIN;
	return s;
}

/* d * k, saturated. */
static inline int64_t ts_mul(int64_t d, int64_t k)
{
	int64_t p;
	if (__builtin_mul_overflow(d, k, &p))
		return (d < 0) != (k < 0) ? INT64_MIN : INT64_MAX;
	return p;
}

/* The sign of a * ka - b * kb (-1, 0 or 1), exact: the products are formed in 128 bits,
 * where two 64-bit values always fit. */
static inline int ts_cmp_scaled(int64_t a, int64_t ka, int64_t b, int64_t kb)
{
	__extension__ __int128 x = (__int128)a * ka, y = (__int128)b * kb;
	return x < y ? -1 : x > y;
}

/* |d|; INT64_MIN (whose negation does not fit) gives INT64_MAX. */
static inline int64_t ts_abs(int64_t d) { return d < 0 ? (d == INT64_MIN ? INT64_MAX : -d) : d; }

/* 1 when a is within c / k of c (|a - c| <= c / k), for c >= 0 and k >= 2; the
 * difference saturates, so a value far from c is never taken for a close one. */
static inline int ts_within(int64_t a, int64_t c, int64_t k) { return ts_abs(ts_sub(a, c)) <= c / k; }

/* 1 when d is a bound rather than a measurement. */
static inline int ts_saturated(int64_t d) { return d == INT64_MAX || d == INT64_MIN; }

/* The words to show for a saturated duration, NULL for one that is a measurement. */
static inline const char *ts_saturated_words(int64_t d)
{
	return d == INT64_MAX ? ">292 years" : d == INT64_MIN ? "<-292 years" : (const char *)0;
}

/* Conversions for output: a double takes any int64_t (to ~15 significant digits) and
 * the division cannot overflow. */
static inline double ts_to_ms(int64_t ns) { return (double)ns / (double)TS_NS_PER_MS; }
static inline double ts_to_sec(int64_t ns) { return (double)ns / (double)TS_NS_PER_SEC; }
/* s seconds in ns, saturated. */
static inline int64_t ts_from_sec(int64_t s) { return ts_mul(s, TS_NS_PER_SEC); }

/* A sum of durations. Each term is an int64_t, so 2^64 terms fit in 128 bits: it
 * cannot overflow. Read it with ts_total_ns (saturated) or ts_total_mean (exact). */
__extension__ typedef __int128 ts_total;

static inline void ts_total_add(ts_total *t, int64_t d) { *t += d; }

static inline int64_t ts_total_clamp(ts_total v)
{
	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* The sum, saturated. */
static inline int64_t ts_total_ns(ts_total t) { return ts_total_clamp(t); }

/* The average of n terms (0 for none), rounded toward zero; it lies between the
 * smallest and the largest term, so it fits. */
static inline int64_t ts_total_mean(ts_total t, uint64_t n) { return n ? ts_total_clamp(t / (ts_total)n) : 0; }

#endif
