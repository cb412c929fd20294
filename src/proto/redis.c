/* redis.c: the Redis serialization protocol, RESP2 and RESP3
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/): commands (arrays of
 * bulk strings, or inline text lines) and replies, pipelined: any number per segment,
 * any value split over segments. RESP3 adds null, boolean, double, big number, bulk
 * error, verbatim string, map, set, attribute and push (out-of-band, e.g. pub/sub).
 *
 * Trust model: untrusted input. Every length is checked against the bytes present
 * before use; nesting depth, element counts and bulk lengths are capped; a type byte
 * that is not RESP is diagnosed with its offset and the rest of the direction is shown
 * as unparsed. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/strbuf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Nesting of arrays/maps: Redis replies nest a few levels (EXEC, XREAD, CLUSTER SLOTS);
 * 32 levels stop a stack-exhaustion attempt long before the C stack is at risk. */
#define REDIS_MAX_DEPTH 32
/* Elements in one aggregate: Redis's own multibulk limit is 1024*1024 arguments. */
#define REDIS_MAX_ELEMS (1024 * 1024)
/* Bulk string length: Redis's proto-max-bulk-len default, 512 MB. */
#define REDIS_MAX_BULK ((int64_t)512 << 20)
/* An inline command line (Redis's PROTO_INLINE_MAX_SIZE is 64 kB). */
#define REDIS_INLINE_MAX 65536
/* Characters of a value rendered in a summary line. */
#define REDIS_SHOW_MAX 400

struct redis_state {
	int broken[2]; /* the direction lost framing: the rest is unparsed */
	uint64_t n[2];
};

enum { R_NEED = -1, R_BAD = -2 };

/* One pass over the bytes held: a value is parsed from the start each time more bytes
 * arrive, so on R_NEED the parse says how many bytes at least the value needs (a bulk
 * string's whole length; 3 bytes per element still to come in an aggregate), and the
 * driver does not call again before they are there: a million-element array arriving in
 * small segments is parsed a few dozen times, not once per segment. */
struct parse {
	struct rd r;        /* the bytes held (r.p, r.len); every read is bounded by it */
	size_t bad_at;
	const char *why;
	struct strbuf *out; /* rendering, or NULL */
	size_t n_items;
	size_t need;        /* R_NEED: the value needs at least this many bytes */
};

static void need_at_least(struct parse *x, size_t n)
{
	if (n > x->need)
		x->need = n;
}

/* Finds CRLF from i; returns the index of '\r' or R_NEED. */
static long line_end(struct parse *x, size_t i)
{
	struct rd r = x->r;
	rd_skip(&r, i);
	for (;;) {
		long k = rd_find(&r, '\r', rd_left(&r));
		if (k < 0)
			break;
		rd_skip(&r, (size_t)k);
		if (rd_peek(&r, 1) == '\n')
			return (long)r.off;
		if (rd_peek(&r, 1) < 0)
			break;
		rd_skip(&r, 1);
	}
	need_at_least(x, x->r.len + 1);
	return R_NEED;
}

static int parse_int(const uint8_t *s, size_t n, int64_t *v)
{
	int neg = 0;
	size_t i = 0;
	int64_t x = 0;
	if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n || n - i > 18)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = neg ? -x : x;
	return 0;
}

static void show(struct parse *x, const uint8_t *s, size_t n, int quote)
{
	if (!x->out || x->out->len > REDIS_SHOW_MAX)
		return;
	if (quote)
		sb_putc(x->out, '"');
	for (size_t i = 0; i < n && x->out->len < REDIS_SHOW_MAX; i++) {
		uint8_t c = s[i];
		if (c == '"' && quote)
			sb_puts(x->out, "\\\"");
		else if (c >= 0x20 && c < 0x7f)
			sb_putc(x->out, (char)c);
		else
			sb_printf(x->out, "\\x%02x", c);
	}
	if (quote)
		sb_putc(x->out, '"');
	if (x->out->len >= REDIS_SHOW_MAX)
		sb_puts(x->out, "...");
}

static void put(struct parse *x, const char *s)
{
	if (x->out && x->out->len <= REDIS_SHOW_MAX)
		sb_puts(x->out, s);
}

/* Parses one value at i; returns the index after it, R_NEED or R_BAD (x->bad_at). */
static long value(struct parse *x, size_t i, int depth)
{
	if (i >= x->r.len) {
		need_at_least(x, i + 1);
		return R_NEED;
	}
	if (depth > REDIS_MAX_DEPTH) {
		x->bad_at = i;
		x->why = "nested deeper than 32 levels";
		return R_BAD;
	}
	/* A reader at the value: its type byte, then its line. */
	struct rd at = x->r;
	rd_skip(&at, i);
	uint8_t t = rd_u8(&at);
	long le = line_end(x, i + 1);
	if (le == R_NEED) {
		if (x->r.len - i > REDIS_INLINE_MAX) {
			x->bad_at = i;
			x->why = "a line longer than 64 kB";
			return R_BAD;
		}
		return R_NEED;
	}
	size_t sl = (size_t)le - i - 1;
	const uint8_t *s = rd_bytes(&at, sl);
	rd_skip(&at, 2); /* CRLF: line_end found it */
	size_t next = at.off;
	int64_t v;
	switch (t) {
	case '+': /* simple string */
		show(x, s, sl, 0);
		return (long)next;
	case '-': /* error */
		put(x, "(error) ");
		show(x, s, sl, 0);
		return (long)next;
	case ':': /* integer */
	case '(': /* RESP3 big number */
		put(x, "(integer) ");
		show(x, s, sl, 0);
		return (long)next;
	case ',': /* RESP3 double */
		put(x, "(double) ");
		show(x, s, sl, 0);
		return (long)next;
	case '#': /* RESP3 boolean */
		put(x, sl == 1 && s[0] == 't' ? "(true)" : "(false)");
		return (long)next;
	case '_': /* RESP3 null */
		put(x, "(nil)");
		return (long)next;
	case '$': /* bulk string */
	case '!': /* RESP3 bulk error */
	case '=': /* RESP3 verbatim string: "txt:" + text */
		if (parse_int(s, sl, &v) < 0 || v < -1 || v > REDIS_MAX_BULK) {
			x->bad_at = i;
			x->why = "bad bulk length";
			return R_BAD;
		}
		if (v == -1) {
			put(x, "(nil)");
			return (long)next;
		}
		const uint8_t *bulk = rd_bytes(&at, (size_t)v);
		const uint8_t *crlf = rd_bytes(&at, 2);
		if (!crlf) {
			need_at_least(x, next + (size_t)v + 2);
			return R_NEED;
		}
		if (crlf[0] != '\r' || crlf[1] != '\n') {
			x->bad_at = next + (size_t)v;
			x->why = "bulk string not followed by CRLF (length wrong)";
			return R_BAD;
		}
		if (t == '!')
			put(x, "(error) ");
		show(x, bulk, (size_t)v, t != '!');
		return (long)at.off;
	case '*': /* array */
	case '~': /* RESP3 set */
	case '>': /* RESP3 push */
	case '%': /* RESP3 map: count pairs */
	case '|': /* RESP3 attribute: a map, then the value it describes */
	{
		if (parse_int(s, sl, &v) < 0 || v < -1 || v > REDIS_MAX_ELEMS) {
			x->bad_at = i;
			x->why = "bad aggregate length";
			return R_BAD;
		}
		if (v == -1) {
			put(x, "(nil)");
			return (long)next;
		}
		int64_t items = (t == '%' || t == '|') ? 2 * v : v;
		put(x, t == '%' ? "{" : t == '~' ? "set[" : t == '>' ? "push[" : t == '|' ? "attr{" : "[");
		size_t k = next;
		for (int64_t e = 0; e < items; e++) {
			if (e)
				put(x, (t == '%' || t == '|') && (e & 1) ? ": " : ", ");
			long r = value(x, k, depth + 1);
			if (r == R_NEED) {
				/* every element still to come takes at least 3 bytes ("+\r\n") */
				uint64_t rest = (uint64_t)(items - e - 1) * 3;
				need_at_least(x, x->need + (rest > RD_NO_CLAIM / 2 ? RD_NO_CLAIM / 2 : (size_t)rest));
			}
			if (r < 0)
				return r;
			k = (size_t)r;
			x->n_items++;
		}
		put(x, t == '%' || t == '|' ? "}" : "]");
		if (t == '|') {
			put(x, " ");
			return value(x, k, depth + 1);
		}
		return (long)k;
	}
	default:
		x->bad_at = i;
		x->why = "not a RESP type byte";
		return R_BAD;
	}
}

static int redis_probe(const uint8_t *p, size_t n, int dir)
{
	if (n < 2)
		return PROBE_MAYBE;
	if (dir == 0)
		return p[0] == '*' && p[1] >= '0' && p[1] <= '9' ? PROBE_YES : PROBE_NO;
	/* "+OK" is also POP3: replies alone only suggest Redis (port 6379 decides). */
	return strchr("+-:$*_%>#,(!=~|", p[0]) ? PROBE_MAYBE : PROBE_NO;
}

enum { RE_BAD, RE_BAD_INLINE, RE_INLINE, RE_TRUNCATED, RE_COUNT };

static const struct app_event redis_events[RE_COUNT + 1] = {
	[RE_BAD] = { "redis.bad", SEV_ERROR, "RESP framing broken: the rest of the direction is not parsed" },
	[RE_BAD_INLINE] = { "redis.bad_inline", SEV_ERROR, "an inline command line without an end (over 64 kB)" },
	[RE_INLINE] = { "redis.inline", SEV_CHAT, "an inline command (plain text, as typed in telnet), not a RESP array" },
	[RE_TRUNCATED] = { "redis.truncated", SEV_NOTE, "the stream ends inside a value" },
	[RE_COUNT] = { NULL, 0, NULL },
};

#define EV(x) (&redis_events[RE_##x])

static struct appmsg *one(struct layer *L, int dir, const char *kind, uint64_t off, uint64_t end)
{
	struct appmsg *m = app_msg_begin(L, dir, kind, off);
	app_msg_end(L, m, end);
	return m;
}

/* A command array of bulk strings becomes "SET key value"; anything else keeps the
 * RESP rendering. */
static struct feed_res redis_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				  int flags)
{
	struct redis_state *st = vst;
	if (!n)
		return feed_took(0);
	if (st->broken[dir]) {
		struct appmsg *m = one(L, dir, "unparsed", off, off + n);
		appmsg_kv(m, "bytes", (const char *)p, n < 256 ? n : 256);
		appmsg_set_summary(m, "bytes after a framing error", 27);
		app_msg_done(L, m);
		return feed_took(n);
	}
	struct strbuf b;
	sb_init(&b);
	struct parse x = { rd_make(p, n), 0, NULL, &b, 0, 0 };
	long r;
	int inl = 0;
	if (dir == 0 && p[0] != '*') {
		/* Inline command: one text line, arguments split by spaces. */
		long le = line_end(&x, 0);
		const uint8_t *lf = memchr(p, '\n', n < REDIS_INLINE_MAX ? n : REDIS_INLINE_MAX);
		if (le == R_NEED && !lf) {
			sb_fini(&b);
			if (n > REDIS_INLINE_MAX || (flags & (FEED_EOF | FEED_GAP)))
				goto bad_inline;
			return feed_took(0);
		}
		size_t e = le >= 0 ? (size_t)le : (size_t)(lf - p);
		if (lf && (size_t)(lf - p) < e)
			e = (size_t)(lf - p);
		show(&x, p, e, 0);
		r = (long)(e + (e < n && p[e] == '\r' ? 2 : 1));
		if ((size_t)r > n)
			r = (long)n;
		inl = 1;
	} else {
		r = value(&x, 0, 0);
	}
	if (r == R_NEED) {
		sb_fini(&b);
		if (flags & (FEED_EOF | FEED_GAP)) {
			struct appmsg *m = one(L, dir, dir ? "reply" : "command", off, off + n);
			m->flags |= AM_INCOMPLETE;
			appmsg_set_summary(m, "(cut short)", 11);
			appmsg_note(m, EV(TRUNCATED), off + n, "the stream ends inside this value (%zu bytes of it seen)", n);
			app_msg_done(L, m);
			return feed_took(n);
		}
		return feed_need(0, x.need);
	}
	if (r == R_BAD) {
		struct appmsg *m = one(L, dir, "unparsed", off, off + n);
		appmsg_note(m, EV(BAD), off + x.bad_at, "RESP framing broken at byte %" PRIu64 ": %s", off + x.bad_at, x.why);
		appmsg_kv(m, "bytes", (const char *)p, n < 256 ? n : 256);
		appmsg_set_summary(m, "not RESP", 8);
		app_msg_done(L, m);
		st->broken[dir] = 1;
		sb_fini(&b);
		return feed_took(n);
	}
	const char *kind = dir ? (p[0] == '>' ? "push" : "reply") : "command";
	struct appmsg *m = one(L, dir, kind, off, off + (uint64_t)r);
	if (dir == 0 && !inl && b.len >= 2 && b.s[0] == '[') {
		/* ["SET", "k", "v"] -> SET "k" "v" */
		struct strbuf c;
		sb_init(&c);
		size_t i = 1;
		int first = 1;
		while (i < b.len && b.s[i] != ']') {
			if (b.s[i] == '"') {
				size_t j = i + 1;
				while (j < b.len && !(b.s[j] == '"' && b.s[j - 1] != '\\'))
					j++;
				if (first)
					sb_add(&c, b.s + i + 1, j - i - 1);
				else {
					sb_putc(&c, ' ');
					sb_add(&c, b.s + i, j - i + 1);
				}
				first = 0;
				i = j + 1;
			} else
				i++;
		}
		appmsg_set_summary(m, c.s ? c.s : "", c.len);
		sb_fini(&c);
	} else {
		appmsg_set_summary(m, b.s ? b.s : "", b.len);
	}
	if (inl)
		appmsg_note(m, EV(INLINE), off, "inline command (plain text, as typed in telnet), not a RESP array");
	appmsg_kv(m, "resp", (const char *)p, (size_t)r < 512 ? (size_t)r : 512);
	app_msg_done(L, m);
	st->n[dir]++;
	sb_fini(&b);
	return feed_took((size_t)r);
bad_inline:;
	struct appmsg *bm = one(L, dir, "unparsed", off, off + n);
	appmsg_note(bm, EV(BAD_INLINE), off, "inline command line without an end");
	app_msg_done(L, bm);
	st->broken[dir] = 1;
	return feed_took(n);
}

static void redis_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct redis_state *st = vst;
	(void)L, (void)off, (void)len;
	/* RESP has no resync marker: after a hole, values are read from the next byte on;
	 * if that is mid-value the framing breaks and says so. */
	st->broken[dir] = 0;
}

const struct proto_desc proto_redis = {
	.name = "redis",
	.what = "Redis RESP2/RESP3 commands and replies, pipelined",
	.role = PROTO_STREAM,
	.transport = 6,
	.ports = { 6379, 6380, 26379, 0 },
	.events = redis_events,
	.probe = redis_probe,
	.state_size = sizeof(struct redis_state),
	.feed = redis_feed,
	.gap = redis_gap,
};
