/* redis.c: the Redis serialization protocol, RESP2 and RESP3
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/): commands (arrays of
 * bulk strings, or inline text lines) and replies, pipelined: any number per segment,
 * any value split over segments. RESP3 adds null, boolean, double, big number, bulk
 * error, verbatim string, map, set, attribute and push (out-of-band, e.g. pub/sub).
 *
 * Trust model: untrusted input. Every length is checked against the bytes present
 * before use; nesting depth, element counts and bulk lengths are capped; a type byte
 * that is not RESP is diagnosed with its offset and the rest of the direction is shown
 * as unparsed.
 *
 * The parser is resumable: each direction keeps its place in the value it is reading
 * (struct redis_dir: the aggregates open, with the items each still owes, and the
 * element being read: its line so far, or the bulk bytes still to come), so every
 * byte is read once and every byte fed is consumed. Nothing of a value is kept but
 * what its message shows: its rendering (capped by REDIS_SHOW_MAX) and its first
 * REDIS_RESP_KEEP bytes. A million-element array in a million segments costs a
 * million small steps, and a claimed count costs nothing until its elements come
 * (see tests/suite/redis-resume). */
#include "proto.h"

#include "../base/rd.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <string.h>

/* Nesting of arrays/maps: Redis replies nest a few levels (EXEC, XREAD, CLUSTER SLOTS);
 * 32 levels stop a stack-exhaustion attempt long before the C stack is at risk. Each
 * level open costs one struct redis_open in the direction's state (its stack is sized
 * by this). Deeper: "nested deeper than 32 levels", the rest of the direction is
 * unparsed. */
#define REDIS_MAX_DEPTH 32
/* Elements in one aggregate: Redis's own multibulk limit is 1024*1024 arguments. A
 * count is only a number kept in its struct redis_open (nothing is allocated for the
 * elements), so the cap is about what a real peer sends, not memory: a larger claim
 * (*2147483647) is "bad aggregate length" and the rest of the direction is unparsed. */
#define REDIS_MAX_ELEMS (1024 * 1024)
/* Bulk string length: Redis's proto-max-bulk-len default, 512 MB. The bytes are shown
 * (up to REDIS_SHOW_MAX) as they pass, never held, so the cap costs no memory; past it:
 * "bad bulk length", the rest of the direction is unparsed. */
#define REDIS_MAX_BULK ((int64_t)512 << 20)
/* A line (an inline command, or a type byte and what follows it up to CRLF): Redis's
 * PROTO_INLINE_MAX_SIZE is 64 kB. A longer one is framing lost ("a line longer than
 * 64 kB", or "an inline command line without an end"): the rest of the direction is
 * unparsed. */
#define REDIS_INLINE_MAX 65536
/* Characters of a value rendered in a summary line; "..." marks the cut. */
#define REDIS_SHOW_MAX 400
/* Bytes of a length or count line read as a number: a sign and 18 digits (below 2^63,
 * so the number cannot overflow before the caps above judge it). A longer line is a
 * bad length whatever it holds. */
#define REDIS_NUM_MAX 19
/* The first bytes of a value kept as its "resp" field (the wire form): a command's
 * name and first arguments, while a large value costs no more. */
#define REDIS_RESP_KEEP 512
/* The first bytes of a value whose framing broke, kept as the "bytes" field. */
#define REDIS_BAD_KEEP 256

/* An aggregate being read. */
struct redis_open {
	uint32_t left;   /* items still to come: a map counts keys and values, an attribute
			  * also the value it describes (at most 2 * REDIS_MAX_ELEMS + 1) */
	uint8_t type;    /* its type byte */
	uint8_t started; /* an item has begun: the next one is preceded by a separator */
};

enum redis_phase {
	PH_IDLE,     /* between values */
	PH_TYPE,     /* an element's type byte comes next */
	PH_LINE,     /* inside the line after a type byte */
	PH_BULK,     /* inside a bulk string's bytes */
	PH_BULK_END, /* the CRLF after a bulk string */
	PH_INLINE,   /* inside an inline command line */
};

/* One direction's place in its stream. Nothing here points into the bytes fed. */
struct redis_dir {
	uint8_t phase;      /* enum redis_phase */
	uint8_t broken;     /* the direction lost framing: the rest is unparsed */
	uint8_t top;        /* the value's first byte: its type (a push?), or inline */
	uint8_t type;       /* the current element's type byte */
	uint8_t cr;         /* the line's last byte so far is a CR: the next byte says whether
			     * it ends the line or is part of it */
	uint8_t n_end;      /* bytes of the CRLF after a bulk string seen (0, 1) */
	uint8_t end0;       /* the first of them */
	uint8_t show_on;    /* a string is being rendered (show_begin .. show_end) */
	uint8_t show_quote; /* ... in quotes */
	uint8_t depth;      /* aggregates open (at most REDIS_MAX_DEPTH + 1) */
	uint64_t start;     /* own offset of the value's first byte */
	uint64_t elem;      /* own offset of the current element's type byte */
	uint64_t line_len;  /* bytes of the current line so far (inline: before its LF; else
			     * after the type byte, a CR counted once it is known to be content) */
	uint64_t bulk_left; /* bulk bytes still to come */
	uint64_t bulk_end;  /* own offset where the CRLF after the bulk string belongs */
	uint8_t num[REDIS_NUM_MAX]; /* the line's first bytes: a length, a count, a boolean */
	struct strbuf out;  /* the value rendered, capped near REDIS_SHOW_MAX */
	uint8_t *raw;       /* its first bytes (REDIS_RESP_KEEP), once it spans feeds */
	size_t raw_len;
	/* Where the value began, noted when it spans feeds: every byte fed is consumed, so
	 * the driver may forget the frames below the bytes it still holds. */
	uint64_t conn_off;
	uint32_t first_frame;
	int64_t first_ts;
	struct redis_open open[REDIS_MAX_DEPTH + 1];
};

struct redis_state {
	struct redis_dir d[2];
	uint64_t n[2];
};

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

/* --- the rendering: fixed text, and strings shown as their bytes arrive --- */

static void put(struct redis_dir *d, const char *s)
{
	if (d->out.len <= REDIS_SHOW_MAX)
		sb_puts(&d->out, s);
}

/* A string starts; it is shown only if the rendering has room at its start. */
static void show_begin(struct redis_dir *d, int quote)
{
	d->show_on = d->out.len <= REDIS_SHOW_MAX;
	d->show_quote = (uint8_t)quote;
	if (d->show_on && quote)
		sb_putc(&d->out, '"');
}

static void show_add(struct redis_dir *d, const uint8_t *s, size_t n)
{
	if (!d->show_on)
		return;
	for (size_t i = 0; i < n && d->out.len < REDIS_SHOW_MAX; i++) {
		uint8_t c = s[i];
		if (c == '"' && d->show_quote)
			sb_puts(&d->out, "\\\"");
		else if (c >= 0x20 && c < 0x7f)
			sb_putc(&d->out, (char)c);
		else
			sb_printf(&d->out, "\\x%02x", c);
	}
}

static void show_end(struct redis_dir *d)
{
	if (!d->show_on)
		return;
	if (d->show_quote)
		sb_putc(&d->out, '"');
	if (d->out.len >= REDIS_SHOW_MAX)
		sb_puts(&d->out, "...");
	d->show_on = 0;
}

/* --- the value in progress --- */

static void value_reset(struct redis_dir *d)
{
	d->phase = PH_IDLE;
	d->depth = 0;
	d->show_on = 0;
	sb_fini(&d->out);
	xfree(d->raw);
	d->raw = NULL;
	d->raw_len = 0;
}

static void raw_add(struct redis_dir *d, const uint8_t *s, size_t n)
{
	if (!n || d->raw_len >= REDIS_RESP_KEEP)
		return;
	if (!d->raw)
		d->raw = xmalloc(REDIS_RESP_KEEP);
	size_t k = n < REDIS_RESP_KEEP - d->raw_len ? n : REDIS_RESP_KEEP - d->raw_len;
	memcpy(d->raw + d->raw_len, s, k);
	d->raw_len += k;
}

/* The separator before an item of the innermost aggregate. */
static void separator(struct redis_dir *d)
{
	struct redis_open *f = &d->open[d->depth - 1];
	if (f->type == '|' && f->left == 1) {
		/* the attribute's map is done; the value it describes follows */
		put(d, "}");
		put(d, " ");
	} else if (f->started) {
		/* in a map, an odd item is a value: key: value, key: value */
		int odd = f->type == '%' ? (f->left & 1) : f->type == '|' ? !(f->left & 1) : 0;
		put(d, odd ? ": " : ", ");
	}
	f->started = 1;
}

/* The type byte of an element was read: the types whose line is their value start
 * showing it. */
static void line_begin(struct redis_dir *d)
{
	switch (d->type) {
	case '-': /* error */
		put(d, "(error) ");
		break;
	case ':': /* integer */
	case '(': /* RESP3 big number */
		put(d, "(integer) ");
		break;
	case ',': /* RESP3 double */
		put(d, "(double) ");
		break;
	}
	if (strchr("+-:(,", d->type))
		show_begin(d, 0);
}

/* Content bytes of the current line; -1 when it grows past REDIS_INLINE_MAX. */
static int line_add(struct redis_dir *d, const uint8_t *s, size_t n)
{
	if (n > REDIS_INLINE_MAX - 1 - d->line_len)
		return -1;
	if (d->line_len < REDIS_NUM_MAX) {
		size_t k = n < REDIS_NUM_MAX - d->line_len ? n : REDIS_NUM_MAX - (size_t)d->line_len;
		memcpy(d->num + d->line_len, s, k);
	}
	show_add(d, s, n);
	d->line_len += n;
	return 0;
}

/* Reads the current line; returns 1 after its CRLF, 0 when the bytes ran out first,
 * -1 when it passed REDIS_INLINE_MAX. */
static int line_read(struct redis_dir *d, struct rd *r)
{
	while (rd_left(r)) {
		if (d->cr) {
			d->cr = 0;
			if (rd_peek(r, 0) == '\n') {
				rd_skip(r, 1);
				return 1;
			}
			if (line_add(d, (const uint8_t *)"\r", 1) < 0)
				return -1;
			continue;
		}
		long k = rd_find(r, '\r', rd_left(r));
		size_t take = k < 0 ? rd_left(r) : (size_t)k;
		if (line_add(d, rd_bytes(r, take), take) < 0)
			return -1;
		if (k >= 0) {
			rd_skip(r, 1);
			d->cr = 1;
		}
	}
	return 0;
}

/* Reads an inline command line; returns 1 after its LF, 0 when the bytes ran out
 * first, -1 when it passed REDIS_INLINE_MAX. A CR right before the LF is not part of
 * the command. */
static int inline_read(struct redis_dir *d, struct rd *r)
{
	long k = rd_find(r, '\n', rd_left(r));
	size_t take = k < 0 ? rd_left(r) : (size_t)k;
	if (take > REDIS_INLINE_MAX - d->line_len)
		return -1;
	d->line_len += take;
	const uint8_t *s = rd_bytes(r, take);
	if (take) {
		if (d->cr)
			show_add(d, (const uint8_t *)"\r", 1);
		d->cr = s[take - 1] == '\r';
		show_add(d, s, take - d->cr);
	}
	if (k < 0)
		return 0;
	rd_skip(r, 1);
	d->cr = 0;
	show_end(d);
	return 1;
}

/* An element is complete: the aggregates it completes close. Returns 1 when that
 * completes the value. */
static int element_done(struct redis_dir *d)
{
	while (d->depth) {
		struct redis_open *f = &d->open[d->depth - 1];
		if (--f->left) {
			d->phase = PH_TYPE;
			return 0;
		}
		if (f->type != '|') /* an attribute's "}" came before the value it describes */
			put(d, f->type == '%' ? "}" : "]");
		d->depth--;
	}
	return 1;
}

enum { LINE_ELEM, LINE_MORE, LINE_BAD };

/* The current line ended (its CRLF is read; the next byte is at own offset next).
 * Returns LINE_ELEM when it was the whole element, LINE_MORE when the element goes on
 * (a bulk string's bytes, an aggregate's items), LINE_BAD (*why). */
static int line_done(struct redis_dir *d, uint64_t next, const char **why)
{
	size_t n = d->line_len > REDIS_NUM_MAX ? REDIS_NUM_MAX + 1 : (size_t)d->line_len;
	int64_t v = 0;
	switch (d->type) {
	case '+': /* simple string */
	case '-':
	case ':':
	case '(':
	case ',':
		show_end(d);
		return LINE_ELEM;
	case '#': /* RESP3 boolean */
		put(d, d->line_len == 1 && d->num[0] == 't' ? "(true)" : "(false)");
		return LINE_ELEM;
	case '_': /* RESP3 null */
		put(d, "(nil)");
		return LINE_ELEM;
	case '$': /* bulk string */
	case '!': /* RESP3 bulk error */
	case '=': /* RESP3 verbatim string: "txt:" + text */
		if (n > REDIS_NUM_MAX || parse_int(d->num, n, &v) < 0 || v < -1 || v > REDIS_MAX_BULK) {
			*why = "bad bulk length";
			return LINE_BAD;
		}
		if (v == -1) {
			put(d, "(nil)");
			return LINE_ELEM;
		}
		if (d->type == '!')
			put(d, "(error) ");
		show_begin(d, d->type != '!');
		d->bulk_left = (uint64_t)v;
		d->bulk_end = next + (uint64_t)v;
		d->n_end = 0;
		d->phase = v ? PH_BULK : PH_BULK_END;
		return LINE_MORE;
	case '*': /* array */
	case '~': /* RESP3 set */
	case '>': /* RESP3 push */
	case '%': /* RESP3 map: count pairs */
	case '|': /* RESP3 attribute: a map, then the value it describes */
	{
		if (n > REDIS_NUM_MAX || parse_int(d->num, n, &v) < 0 || v < -1 || v > REDIS_MAX_ELEMS) {
			*why = "bad aggregate length";
			return LINE_BAD;
		}
		if (v == -1) {
			put(d, "(nil)");
			return LINE_ELEM;
		}
		uint8_t t = d->type;
		put(d, t == '%' ? "{" : t == '~' ? "set[" : t == '>' ? "push[" : t == '|' ? "attr{" : "[");
		uint32_t items = (uint32_t)(t == '%' ? 2 * v : t == '|' ? 2 * v + 1 : v);
		if (!items) {
			put(d, t == '%' ? "}" : "]");
			return LINE_ELEM;
		}
		/* depth <= REDIS_MAX_DEPTH here (checked at the type byte): room for one more */
		d->open[d->depth++] = (struct redis_open){ items, t, 0 };
		d->phase = PH_TYPE;
		return LINE_MORE;
	}
	default:
		*why = "not a RESP type byte";
		return LINE_BAD;
	}
}

enum { SCAN_MORE, SCAN_VALUE, SCAN_BAD, SCAN_BAD_INLINE };

/* Reads on from r (p[0] at own offset base) until a value completes (SCAN_VALUE, r
 * after it), the bytes run out (SCAN_MORE: all read, the place kept), or framing
 * breaks (SCAN_BAD: *bad_at, *why; SCAN_BAD_INLINE). */
static int scan(struct redis_dir *d, struct rd *r, uint64_t base, int dir, uint64_t *bad_at, const char **why)
{
	while (rd_left(r)) {
		switch (d->phase) {
		case PH_IDLE:
			d->start = base + r->off;
			d->top = (uint8_t)rd_peek(r, 0);
			d->depth = 0;
			d->line_len = 0;
			d->cr = 0;
			if (dir == 0 && d->top != '*') {
				/* Inline command: one text line, arguments split by spaces. */
				d->phase = PH_INLINE;
				show_begin(d, 0);
			} else {
				d->phase = PH_TYPE;
			}
			break;
		case PH_TYPE:
			if (d->depth > REDIS_MAX_DEPTH) {
				*bad_at = base + r->off;
				*why = "nested deeper than 32 levels";
				return SCAN_BAD;
			}
			if (d->depth)
				separator(d);
			d->elem = base + r->off;
			d->type = rd_u8(r);
			d->line_len = 0;
			d->cr = 0;
			d->phase = PH_LINE;
			line_begin(d);
			break;
		case PH_LINE: {
			int e = line_read(d, r);
			if (e < 0) {
				*bad_at = d->elem;
				*why = "a line longer than 64 kB";
				return SCAN_BAD;
			}
			if (!e)
				break;
			int k = line_done(d, base + r->off, why);
			if (k == LINE_BAD) {
				*bad_at = d->elem;
				return SCAN_BAD;
			}
			if (k == LINE_ELEM && element_done(d))
				return SCAN_VALUE;
			break;
		}
		case PH_BULK: {
			size_t k = rd_left(r) < d->bulk_left ? rd_left(r) : (size_t)d->bulk_left;
			show_add(d, rd_bytes(r, k), k);
			d->bulk_left -= k;
			if (!d->bulk_left)
				d->phase = PH_BULK_END;
			break;
		}
		case PH_BULK_END: {
			uint8_t c = rd_u8(r);
			if (!d->n_end++) {
				d->end0 = c;
				break;
			}
			if (d->end0 != '\r' || c != '\n') {
				*bad_at = d->bulk_end;
				*why = "bulk string not followed by CRLF (length wrong)";
				return SCAN_BAD;
			}
			show_end(d);
			if (element_done(d))
				return SCAN_VALUE;
			break;
		}
		case PH_INLINE: {
			int e = inline_read(d, r);
			if (e < 0)
				return SCAN_BAD_INLINE;
			if (e)
				return SCAN_VALUE;
			break;
		}
		}
	}
	return SCAN_MORE;
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

/* Begins a message for the value in progress, from its first byte. */
static struct appmsg *value_msg(struct layer *L, struct redis_dir *d, int dir, const char *kind, int spans)
{
	struct appmsg *m = app_msg_begin(L, dir, kind, d->start);
	if (spans) {
		/* where it began was noted while its bytes were still held (value_keep) */
		m->off = d->conn_off;
		m->first_frame = m->last_frame = d->first_frame;
		m->first_ts = m->last_ts = d->first_ts;
	}
	return m;
}

/* A command array of bulk strings becomes "SET key value"; anything else keeps the
 * RESP rendering. */
static void set_summary(struct appmsg *m, const struct strbuf *b, int command)
{
	if (!command || b->len < 2 || b->s[0] != '[') {
		appmsg_set_summary(m, b->s ? b->s : "", b->len);
		return;
	}
	/* ["SET", "k", "v"] -> SET "k" "v" */
	struct strbuf c;
	sb_init(&c);
	size_t i = 1;
	int first = 1;
	while (i < b->len && b->s[i] != ']') {
		if (b->s[i] == '"') {
			size_t j = i + 1;
			while (j < b->len && !(b->s[j] == '"' && b->s[j - 1] != '\\'))
				j++;
			if (first)
				sb_add(&c, b->s + i + 1, j - i - 1);
			else {
				sb_putc(&c, ' ');
				sb_add(&c, b->s + i, j - i + 1);
			}
			first = 0;
			i = j + 1;
		} else
			i++;
	}
	appmsg_set_summary(m, c.s ? c.s : "", c.len);
	sb_fini(&c);
}

/* The value ends before own offset end; its first bytes are raw[0..n). */
static void value_out(struct redis_state *st, struct layer *L, int dir, const uint8_t *raw, size_t n, uint64_t end,
		      int spans)
{
	struct redis_dir *d = &st->d[dir];
	int inl = d->phase == PH_INLINE;
	const char *kind = dir ? (d->top == '>' ? "push" : "reply") : "command";
	struct appmsg *m = value_msg(L, d, dir, kind, spans);
	app_msg_end(L, m, end);
	set_summary(m, &d->out, dir == 0 && !inl);
	if (inl)
		appmsg_note(m, EV(INLINE), d->start, "inline command (plain text, as typed in telnet), not a RESP array");
	appmsg_kv(m, "resp", (const char *)raw, n < REDIS_RESP_KEEP ? n : REDIS_RESP_KEEP);
	app_msg_done(L, m);
	st->n[dir]++;
	value_reset(d);
}

/* Framing broke in the value in progress (at own offset bad_at, or in an inline line
 * when why is NULL): it and the rest of the bytes, up to own offset end, become one
 * unparsed message; later bytes of this direction are not parsed. */
static void value_bad(struct layer *L, struct redis_dir *d, int dir, const uint8_t *raw, size_t n, uint64_t end,
		      int spans, uint64_t bad_at, const char *why)
{
	struct appmsg *m = value_msg(L, d, dir, "unparsed", spans);
	app_msg_end(L, m, end);
	if (why) {
		appmsg_note(m, EV(BAD), bad_at, "RESP framing broken at byte %" PRIu64 ": %s", bad_at, why);
		appmsg_kv(m, "bytes", (const char *)raw, n < REDIS_BAD_KEEP ? n : REDIS_BAD_KEEP);
		appmsg_set_summary(m, "not RESP", 8);
	} else {
		appmsg_note(m, EV(BAD_INLINE), d->start, "inline command line without an end");
	}
	app_msg_done(L, m);
	d->broken = 1;
	value_reset(d);
}

/* The feed ends inside a value: note where it began while the driver still holds
 * those frames, and keep its first bytes (from p[from]) for its message. */
static void value_keep(struct layer *L, struct redis_dir *d, int dir, const uint8_t *p, size_t from, size_t n,
		       int began_here)
{
	if (began_here) {
		d->conn_off = app_conn_off(L, dir, d->start);
		d->first_frame = app_frame_at(L, dir, d->start, &d->first_ts);
	}
	if (n > from)
		raw_add(d, p + from, n - from);
}

static struct feed_res redis_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				  int flags)
{
	struct redis_state *st = vst;
	struct redis_dir *d = &st->d[dir];
	if (d->broken) {
		if (!n)
			return feed_took(0);
		struct appmsg *m = app_msg_begin(L, dir, "unparsed", off);
		app_msg_end(L, m, off + n);
		appmsg_kv(m, "bytes", (const char *)p, n < REDIS_BAD_KEEP ? n : REDIS_BAD_KEEP);
		appmsg_set_summary(m, "bytes after a framing error", 27);
		app_msg_done(L, m);
		return feed_took(n);
	}
	struct rd r = rd_make(p, n);
	/* The value in progress began in an earlier feed (its first bytes are in d->raw)
	 * or here, at p[vstart]. */
	int here = d->phase == PH_IDLE;
	size_t vstart = 0;
	while (rd_left(&r)) {
		if (d->phase == PH_IDLE) {
			here = 1;
			vstart = r.off;
		}
		uint64_t bad_at = 0;
		const char *why = NULL;
		int s = scan(d, &r, off, dir, &bad_at, &why);
		if (s == SCAN_MORE)
			break;
		/* The value's first bytes: here, or kept from earlier feeds plus these. */
		size_t upto = s == SCAN_VALUE ? r.off : n;
		if (!here)
			raw_add(d, p, upto);
		const uint8_t *raw = here ? p + vstart : d->raw;
		size_t raw_n = here ? upto - vstart : d->raw_len;
		if (s == SCAN_VALUE) {
			value_out(st, L, dir, raw, raw_n, off + upto, !here);
			continue;
		}
		value_bad(L, d, dir, raw, raw_n, off + n, !here, bad_at, s == SCAN_BAD ? why : NULL);
		return feed_took(n);
	}
	if (d->phase == PH_IDLE)
		return feed_took(n);
	value_keep(L, d, dir, p, here ? vstart : 0, n, here);
	if (flags & (FEED_EOF | FEED_GAP)) {
		if (d->phase == PH_INLINE) {
			value_bad(L, d, dir, NULL, 0, off + n, 1, 0, NULL);
		} else {
			struct appmsg *m = value_msg(L, d, dir, dir ? "reply" : "command", 1);
			app_msg_end(L, m, off + n);
			m->flags |= AM_INCOMPLETE;
			appmsg_set_summary(m, "(cut short)", 11);
			appmsg_note(m, EV(TRUNCATED), off + n, "the stream ends inside this value (%" PRIu64 " bytes of it seen)",
				    off + n - d->start);
			app_msg_done(L, m);
			value_reset(d);
		}
	}
	return feed_took(n);
}

static void redis_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct redis_state *st = vst;
	(void)L, (void)off, (void)len;
	/* RESP has no resync marker: after a hole, values are read from the next byte on;
	 * if that is mid-value the framing breaks and says so. (The value in progress was
	 * cut short by the FEED_GAP feed before this.) */
	value_reset(&st->d[dir]);
	st->d[dir].broken = 0;
}

static void redis_fini(void *vst)
{
	struct redis_state *st = vst;
	value_reset(&st->d[0]);
	value_reset(&st->d[1]);
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
	.fini = redis_fini,
};
