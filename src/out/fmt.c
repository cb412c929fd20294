/* fmt.c: see fmt.h. */
#include "fmt.h"

#include "../base/ts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The decimal digits of v (< 65536) at p; returns the end. */
static char *put_dec(char *p, unsigned v)
{
	char t[5];
	int i = 0;
	do {
		t[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		*p++ = t[--i];
	return p;
}

const char *fmt_endpoint(const struct endpoint *ep, char *buf, size_t n)
{
	if (ep->addr.family == 4 && n >= sizeof "255.255.255.255:65535") {
		/* what inet_ntop and "%s:%u" write, without either: every bubble has one */
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			p = put_dec(p, ep->addr.a[i]);
			*p++ = i < 3 ? '.' : ':';
		}
		p = put_dec(p, ep->port);
		*p = '\0';
		return buf;
	}
	char a[64];
	ipaddr_str(&ep->addr, a, sizeof a);
	if (ep->addr.family == 6)
		snprintf(buf, n, "[%s]:%u", a, ep->port);
	else
		snprintf(buf, n, "%s:%u", a, ep->port);
	return buf;
}

static void split(int64_t ts_ns, int64_t *sec, int64_t *frac_ns)
{
	*sec = ts_ns / 1000000000;
	*frac_ns = ts_ns % 1000000000;
	if (*frac_ns < 0) {
		*frac_ns += 1000000000;
		(*sec)--;
	}
}

void fmt_epoch(struct strbuf *b, int64_t ts_ns)
{
	int64_t s, f;
	split(ts_ns, &s, &f);
	sb_printf(b, "%" PRId64 ".%06" PRId64, s, f / 1000);
}

static void frac(struct strbuf *b, int64_t f, int digits)
{
	/* (0 <= f < 10^9: split's, or a difference of two of them made positive) */
	sb_putc(b, '.');
	if (digits == 9)
		sb_putu_pad(b, (uint64_t)f, 9);
	else
		sb_putu_pad(b, (uint64_t)(f / 1000), 6);
}

/* Wall-clock time (local or UTC), with the date or without, then the fraction. */
static void fmt_wall(struct strbuf *b, int64_t ts_ns, int digits, int with_date, int utc)
{
	int64_t s, f;
	split(ts_ns, &s, &f);
	/* The same second as the last call (most packets): its words again, without
	 * localtime_r and strftime, a twentieth of a bubble. Per thread (the web server
	 * renders on several); a change of TZ within a second of capture is not seen. */
	static _Thread_local struct { int64_t s; int with_date, utc, set; char buf[64]; } last;
	if (!last.set || last.s != s || last.with_date != with_date || last.utc != utc) {
		time_t t = (time_t)s;
		struct tm tm;
		if (utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		if (with_date)
			strftime(last.buf, sizeof last.buf, "%Y-%m-%d %H:%M:%S", &tm);
		else
			strftime(last.buf, sizeof last.buf, "%H:%M:%S", &tm);
		last.s = s;
		last.with_date = with_date;
		last.utc = utc;
		last.set = 1;
	}
	sb_puts(b, last.buf);
	frac(b, f, digits);
}

void fmt_datetime(struct strbuf *b, int64_t ts_ns, int digits) { fmt_wall(b, ts_ns, digits, 1, 0); }

void fmt_clock(struct strbuf *b, int64_t ts_ns, int digits) { fmt_wall(b, ts_ns, digits, 0, 0); }

static const char *const time_words[FMT_T_COUNT_] = { "a", "ad", "u", "ud", "r", "d", "dd", "e" };

const char *fmt_time_word(int mode) { return mode >= 0 && mode < FMT_T_COUNT_ ? time_words[mode] : "?"; }

int fmt_time_parse(const char *word)
{
	for (int i = 0; word && i < FMT_T_COUNT_; i++)
		if (!strcmp(word, time_words[i]))
			return i;
	return -1;
}

void fmt_seconds_between(struct strbuf *b, int64_t ts_ns, int64_t base_ns, int digits)
{
	/* exact, whatever the two times: seconds and fractions apart (each fits), so a
	 * difference past int64's nanoseconds is still a number (JSON needs one) */
	int64_t s1, f1, s0, f0;
	split(ts_ns, &s1, &f1);
	split(base_ns, &s0, &f0);
	int64_t ds = s1 - s0, df = f1 - f0;
	if (ds > 0 && df < 0) {
		ds--;
		df += 1000000000;
	} else if (ds < 0 && df > 0) {
		ds++;
		df -= 1000000000;
	}
	if (ds < 0 || df < 0) {
		sb_putc(b, '-');
		ds = -ds;
		df = -df;
	}
	sb_putu(b, (uint64_t)ds);
	frac(b, df, digits);
}

void fmt_time(struct strbuf *b, int mode, int64_t ts_ns, int64_t base_ns, int digits)
{
	switch (mode) {
	case FMT_T_ABS_DATE: fmt_wall(b, ts_ns, digits, 1, 0); break;
	case FMT_T_UTC: fmt_wall(b, ts_ns, digits, 0, 1); break;
	case FMT_T_UTC_DATE: fmt_wall(b, ts_ns, digits, 1, 1); break;
	case FMT_T_REL:
	case FMT_T_DELTA:
	case FMT_T_DELTA_SHOWN: fmt_seconds_between(b, ts_ns, base_ns == INT64_MIN ? ts_ns : base_ns, digits); break;
	case FMT_T_EPOCH: {
		int64_t s, f;
		split(ts_ns, &s, &f);
		sb_printf(b, "%" PRId64, s);
		frac(b, f, digits);
		break;
	}
	default: fmt_wall(b, ts_ns, digits, 0, 0); break;
	}
}

void fmt_time_marked(struct strbuf *b, int mode, int64_t ts_ns, int64_t base_ns, int digits)
{
	if (mode == FMT_T_REL)
		sb_puts(b, "t=");
	else if ((mode == FMT_T_DELTA || mode == FMT_T_DELTA_SHOWN) && (base_ns == INT64_MIN || ts_sub(ts_ns, base_ns) >= 0))
		sb_putc(b, '+');
	fmt_time(b, mode, ts_ns, base_ns, digits);
}

void fmt_duration(struct strbuf *b, int64_t ns)
{
	const char *sat = ts_saturated_words(ns);
	if (sat) { /* a bound, not a measurement; and -INT64_MIN does not fit */
		sb_puts(b, sat);
		return;
	}
	if (ns < 0) {
		sb_putc(b, '-');
		ns = -ns;
	}
	if (ns < 1000)
		sb_printf(b, "%" PRId64 " ns", ns);
	else if (ns < 1000000)
		sb_printf(b, "%.0f us", ns / 1e3);
	else if (ns < 1000000000)
		sb_printf(b, "%.1f ms", ns / 1e6);
	else if (ns < 120 * (int64_t)1000000000)
		sb_printf(b, "%.3f s", ns / 1e9);
	else
		sb_printf(b, "%" PRId64 " min %" PRId64 " s", ns / 60000000000, (ns / 1000000000) % 60);
}

void fmt_bytes(struct strbuf *b, uint64_t n)
{
	if (n < 10000)
		sb_printf(b, "%" PRIu64 " B", n);
	else if (n < 10000000)
		sb_printf(b, "%.1f kB", n / 1e3);
	else if (n < 10000000000ull)
		sb_printf(b, "%.1f MB", n / 1e6);
	else
		sb_printf(b, "%.1f GB", n / 1e9);
}

static const struct {
	uint16_t bit;
	const char *name;
} flag_names[] = {
	{ TH_SYN, "SYN" }, { TH_FIN, "FIN" }, { TH_RST, "RST" }, { TH_PSH, "PSH" }, { TH_ACK, "ACK" },
	{ TH_URG, "URG" }, { TH_ECE, "ECE" }, { TH_CWR, "CWR" }, { TH_NS, "NS" },
};

void fmt_tcp_flags(struct strbuf *b, uint16_t flags, const char *sep)
{
	int first = 1;
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		if (!first)
			sb_puts(b, sep);
		sb_puts(b, flag_names[i].name);
		first = 0;
	}
	if (first)
		sb_puts(b, "none");
}

void fmt_tcp_flags_json(struct strbuf *b, uint16_t flags)
{
	sb_putc(b, '[');
	int first = 1;
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		if (!first)
			sb_putc(b, ',');
		sb_printf(b, "\"%s\"", flag_names[i].name);
		first = 0;
	}
	sb_putc(b, ']');
}

static const char *const tag_names[TAG_COUNT_] = {
	"3-way incomplete", "4-way incomplete", "RST", "retransmissions", "mid-stream", "refused",
	"zero window", "dup ACKs", "keep-alive", "truncated", "simultaneous close", "reused ports",
	"lost segments", "out of order",
};

const char *conn_tag_name(int bit_index)
{
	return bit_index >= 0 && bit_index < TAG_COUNT_ ? tag_names[bit_index] : "?";
}

void fmt_tags(struct strbuf *b, uint32_t tags, const char *sep, int json)
{
	int first = 1;
	for (int i = 0; i < TAG_COUNT_; i++) {
		if (!(tags & (1u << i)))
			continue;
		if (!first)
			sb_puts(b, sep);
		if (json)
			sb_printf(b, "\"%s\"", tag_names[i]);
		else
			sb_puts(b, tag_names[i]);
		first = 0;
	}
}

const char *hs_name(int hs)
{
	return hs == HS_COMPLETE ? "complete" : hs == HS_INCOMPLETE ? "incomplete" : "none";
}

const char *close_name(int close)
{
	return close == CLOSE_FIN ? "fin" : close == CLOSE_RST ? "rst" : close == CLOSE_HALF ? "half" : "none";
}

const char *fmt_conn_id(const struct conn *c, char *buf, size_t n)
{
	if (n >= 12) {
		char *p = buf, t[10];
		if (c->proto != 6)
			*p++ = 'u';
		uint32_t v = c->id;
		int i = 0;
		do {
			t[i++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (i)
			*p++ = t[--i];
		*p = '\0';
		return buf;
	}
	snprintf(buf, n, "%s%u", c->proto == 6 ? "" : "u", (unsigned)c->id);
	return buf;
}
