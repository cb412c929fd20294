/* http.c: HTTP/1.0 and HTTP/1.1 messages (RFC 9112 message syntax, RFC 9110 semantics)
 * over one TCP connection: request and status lines, header fields, bodies framed by
 * Content-Length, chunked transfer coding (chunked.c) or the end of the connection,
 * several exchanges per connection (keep-alive, pipelining), 1xx interim responses,
 * HEAD / 204 / 304 without body, CONNECT and Upgrade (WebSocket goes on in
 * websocket.c), Content-Encoding undone (contenc.c), text/event-stream bodies split
 * into events (sse.c).
 *
 * Trust model: every byte is untrusted. Lines are found with explicit length checks
 * inside [p, p+n); header count, header block size and kept body size are capped.
 * Malformed input is diagnosed, not rejected: each deviation becomes a note naming
 * the byte offset in the sender's stream (see cases/http-bare-lf: a bare LF at byte
 * 51 of the request), and parsing goes on the way lenient servers do. */
#include "proto.h"

#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "chunked.h"
#include "contenc.h"
#include "sse.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Start line + header fields: servers refuse far less (nginx 8 kB per line with 4
 * buffers, Apache 8 kB per field and 100 fields); 64 kB is beyond any of them. */
#define HTTP_HEADER_MAX 65536
/* Header fields kept per message (Apache's LimitRequestFields default is 100). */
#define HTTP_MAX_FIELDS 256
/* Requests waiting for their response (pipelining depth). */
#define HTTP_MAX_PENDING 256
/* Bytes of an unparsed run kept to show: enough to see what they are. */
#define JUNK_SHOW 200

enum phase { PH_HEAD, PH_BODY, PH_TUNNEL };
enum body_mode { BM_NONE, BM_LENGTH, BM_CHUNKED, BM_CLOSE };

struct http_dir {
	int phase;
	uint32_t msg;       /* message whose body is being read */
	int mode;
	uint64_t remain;    /* BM_LENGTH: body bytes still to come */
	uint64_t declared;  /* Content-Length value */
	uint64_t body_off;  /* stream offset of the body's first byte */
	uint64_t wire_lo, wire_hi; /* wire bytes being decoded right now (for SSE frames) */
	int ce_on, sse_on, gap_in_body;
	struct chunked ch;
	struct contenc ce;
	struct sse sse;
	uint32_t junk;      /* open message of bytes that are not HTTP, or UINT32_MAX */
	uint64_t last_end;  /* where the previous message ended */
	uint64_t last_declared; int last_was_length;
	uint32_t last_msg;
};

struct http_state {
	struct http_dir d[2];
	uint32_t q[HTTP_MAX_PENDING]; /* requests without a final response, oldest first */
	size_t qn;
	int wait_upgrade;    /* a request asked to switch protocols: hold the client side */
	uint32_t upgrade_req;
	struct app_out *o;   /* valid during one feed (callbacks use it) */
	int dir;
};

static const char *const methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH",
	"MKCALENDAR", "ACL", "BIND", "UNBIND", "REBIND", "LINK", "UNLINK", "PURGE", "NOTIFY",
	"SUBSCRIBE", "UNSUBSCRIBE", "M-SEARCH", "MERGE", "CHECKOUT", "CHECKIN", "UNCHECKOUT",
	"VERSION-CONTROL", "UPDATE", "LABEL", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL",
	"ORDERPATCH", "SOURCE", NULL,
};

/* RFC 9110 §5.6.2 tchar. */
static int is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Does p[0..n) begin like a request line (dir 0) or a status line (dir 1)? */
static int start_line_answer(const uint8_t *p, size_t n, int dir)
{
	if (dir == 1) {
		static const char v[] = "HTTP/1.";
		size_t k = n < 7 ? n : 7;
		if (memcmp(p, v, k) != 0)
			return PROBE_NO;
		return n < 7 ? PROBE_MAYBE : PROBE_YES;
	}
	int partial = 0;
	for (size_t i = 0; methods[i]; i++) {
		size_t ml = strlen(methods[i]);
		size_t k = n < ml + 1 ? n : ml + 1;
		if (k <= ml) {
			if (memcmp(p, methods[i], k) == 0)
				partial = 1;
			continue;
		}
		if (memcmp(p, methods[i], ml) == 0 && p[ml] == ' ')
			return PROBE_YES;
	}
	return partial ? PROBE_MAYBE : PROBE_NO;
}

/* After the connection is known to be HTTP, a request line is any token followed by
 * a space or the line end (servers answer odd methods such as CCM_POST with 405). */
static int request_line_lenient(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && i < 64 && is_tchar(p[i]))
		i++;
	if (i == 0)
		return PROBE_NO;
	if (i == n)
		return i < 64 ? PROBE_MAYBE : PROBE_NO;
	return p[i] == ' ' || p[i] == '\r' || p[i] == '\n' ? PROBE_YES : PROBE_NO;
}

static int http_probe(const uint8_t *p, size_t n, int dir)
{
	if (n == 0)
		return PROBE_MAYBE;
	return start_line_answer(p, n, dir);
}

static void http_init(void *vst)
{
	struct http_state *st = vst;
	for (int i = 0; i < 2; i++) {
		st->d[i].junk = UINT32_MAX;
		st->d[i].msg = UINT32_MAX;
		st->d[i].last_msg = UINT32_MAX;
	}
}

static void body_reset(struct http_dir *d)
{
	if (d->ce_on)
		contenc_fini(&d->ce);
	if (d->sse_on)
		sse_fini(&d->sse);
	d->ce_on = d->sse_on = 0;
}

static void http_fini(void *vst)
{
	struct http_state *st = vst;
	for (int i = 0; i < 2; i++)
		body_reset(&st->d[i]);
}

static char *dupn(const uint8_t *s, size_t n)
{
	char *d = xmalloc(n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- body bytes ---- */

/* Decoded body bytes: kept (bounded) and, for event streams, parsed. */
static void keep_decoded(void *ctx, const uint8_t *p, size_t n)
{
	struct http_state *st = ctx;
	struct http_dir *d = &st->d[st->dir];
	struct appmsg *m = app_msg(st->o, d->msg);
	struct app_http *h = m->http;
	h->body_decoded += n;
	size_t room = APPLOG_BODY_MAX - h->body_len;
	size_t take = n < room ? n : room;
	if (take < n)
		h->body_capped = 1;
	if (take) {
		xgrow(&h->body, &h->body_cap, h->body_len + take, 1);
		memcpy(h->body + h->body_len, p, take);
		h->body_len += take;
	}
	if (d->sse_on)
		sse_feed(&d->sse, st->o, st->dir, p, n, d->wire_lo, d->wire_hi);
}

/* Content bytes (after de-chunking), at wire offset off. */
static void content_bytes(struct http_state *st, const uint8_t *p, size_t n, uint64_t off)
{
	struct http_dir *d = &st->d[st->dir];
	struct app_http *h = app_msg(st->o, d->msg)->http;
	h->body_content += n;
	d->wire_lo = off;
	d->wire_hi = off + n;
	if (!d->ce_on) {
		keep_decoded(st, p, n);
		return;
	}
	if (d->ce.failed) {
		return;
	}
	if (contenc_feed(&d->ce, p, n, keep_decoded, st) < 0) {
		struct appmsg *m = app_msg(st->o, d->msg);
		m->http->decode_failed = 1;
		appmsg_note(m, "http.decode_failed", d->body_off, "Content-Encoding %s could not be undone: %s (at byte %" PRIu64 " of the content)",
			    contenc_name(d->ce.kind), d->ce.why ? d->ce.why : "error", d->ce.fail_off);
	}
}

static void chunk_data(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
	content_bytes(ctx, p, n, off);
}

static void chunk_trailer(void *ctx, const char *line, size_t n, uint64_t off)
{
	struct http_state *st = ctx;
	struct appmsg *m = app_msg(st->o, st->d[st->dir].msg);
	const char *colon = memchr(line, ':', n);
	if (!colon) {
		appmsg_note(m, "http.trailer_no_colon", off, "trailer line without a colon");
		return;
	}
	size_t nl = (size_t)(colon - line);
	const char *v = colon + 1;
	size_t vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	char name[128];
	size_t k = nl < sizeof name - 10 ? nl : sizeof name - 10;
	memcpy(name, "trailer ", 8);
	memcpy(name + 8, line, k);
	name[8 + k] = '\0';
	appmsg_kv(m, name, v, vl);
}

static void chunk_note(void *ctx, const char *event, uint64_t off, const char *text)
{
	struct http_state *st = ctx;
	struct appmsg *m = app_msg(st->o, st->d[st->dir].msg);
	m->flags |= AM_MALFORMED;
	appmsg_note(m, event, off, "%s", text);
}

/* The message whose body was being read is over at stream offset end. */
static void end_message(struct http_state *st, int dir, uint64_t end, int complete)
{
	struct http_dir *d = &st->d[dir];
	struct appmsg *m = app_msg(st->o, d->msg);
	struct app_http *h = m->http;
	h->body_wire = end - d->body_off;
	h->body_complete = complete && !d->gap_in_body;
	if (!complete)
		m->flags |= AM_INCOMPLETE;
	if (d->ce_on) {
		if (complete && !d->ce.failed && !contenc_done(&d->ce) && h->body_content) {
			appmsg_note(m, "http.decode_incomplete", end, "the %s stream stopped before its end",
				    contenc_name(d->ce.kind));
			h->decode_failed = 1;
		}
		if (d->ce.capped)
			appmsg_note(m, "http.decode_capped", end, "decoded body passed %" PRIu64 " bytes: the rest is not decoded",
				    (uint64_t)CONTENC_OUT_MAX);
	}
	if (d->sse_on)
		sse_finish(&d->sse, st->o, dir, end);
	int64_t ts;
	app_frame_at(st->o, dir, end ? end - 1 : 0, &ts);
	h->body_last_ts = ts;
	app_msg_end(st->o, d->msg, end);
	d->last_end = end;
	d->last_was_length = d->mode == BM_LENGTH;
	d->last_declared = d->declared;
	d->last_msg = d->msg;
	body_reset(d);
	d->phase = PH_HEAD;
	d->msg = UINT32_MAX;
	d->gap_in_body = 0;
	app_msg_done(st->o, d->last_msg);
}

/* Body bytes of the current message; returns consumed. */
static size_t body_feed(struct http_state *st, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct http_dir *d = &st->d[dir];
	size_t used = 0;
	if (d->mode == BM_LENGTH) {
		size_t take = n < d->remain ? n : (size_t)d->remain;
		if (take)
			content_bytes(st, p, take, off);
		d->remain -= take;
		used = take;
		if (d->remain == 0) {
			end_message(st, dir, off + used, 1);
		} else if (flags & (FEED_EOF | FEED_GAP)) {
			struct appmsg *m = app_msg(st->o, d->msg);
			if (flags & FEED_EOF) {
				m->flags |= AM_MALFORMED;
				appmsg_note(m, "http.body_short", off + used,
					    "body shorter than declared: Content-Length %" PRIu64 ", the stream ended after %" PRIu64
					    " body bytes (at byte %" PRIu64 ")",
					    d->declared, d->declared - d->remain, off + used);
				end_message(st, dir, off + used, 0);
			}
		}
	} else if (d->mode == BM_CHUNKED) {
		used = chunked_feed(&d->ch, p, n, off);
		if (d->ch.state == CH_DONE) {
			end_message(st, dir, off + used, 1);
		} else if (d->ch.state == CH_BAD) {
			/* Framing lost: the rest of this direction is not parseable as chunks. */
			end_message(st, dir, off + used, 0);
		} else if (flags & FEED_EOF) {
			struct appmsg *m = app_msg(st->o, d->msg);
			appmsg_note(m, "http.chunked_unterminated", off + used,
				    "the stream ended before the last chunk (size 0) at byte %" PRIu64, off + used);
			end_message(st, dir, off + used, 0);
		}
	} else if (d->mode == BM_CLOSE) {
		if (n)
			content_bytes(st, p, n, off);
		used = n;
		if (flags & FEED_EOF)
			end_message(st, dir, off + n, 1);
	}
	return used;
}

/* ---- header block ---- */

/* Finds the end of the header block in p[0..n): returns its length including the
 * blank line, or 0 when not all here. A blank line is LF followed by CRLF or LF (bare
 * LFs are accepted as line ends here; they are diagnosed while parsing). */
static size_t head_end(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

/* 1 when the comma-separated list value contains token tok (case-insensitive). */
static int list_has(const char *v, const char *tok)
{
	size_t tl = strlen(tok);
	const char *s = v;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		const char *e = s;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if ((size_t)(t - s) == tl && strncasecmp(s, tok, tl) == 0)
			return 1;
		s = e;
	}
	return 0;
}

/* The last coding of a Transfer-Encoding list is chunked (RFC 9112 §6.3 item 4). */
static int te_final_chunked(const char *v)
{
	const char *last = v;
	for (const char *s = v; *s; s++)
		if (*s == ',')
			last = s + 1;
	while (*last == ' ' || *last == '\t')
		last++;
	size_t n = strlen(last);
	while (n && (last[n - 1] == ' ' || last[n - 1] == '\t'))
		n--;
	return n == 7 && strncasecmp(last, "chunked", 7) == 0;
}

/* Parses the start line and fields of p[0..hl) into message ix. Returns 0, or -1 when
 * the start line is not HTTP. */
static int parse_head(struct app_out *o, uint32_t ix, const uint8_t *p, size_t hl, uint64_t off, int dir)
{
	struct appmsg *m = app_msg(o, ix);
	struct app_http *h = m->http;
	size_t i = 0, line_no = 0;
	size_t n_fields = 0;
	const char *prev_name = NULL;
	int stop_at_colonless = 0; /* where a strict parser would have ended the headers */
	uint64_t colonless_off = 0;
	while (i < hl) {
		size_t s = i;
		while (i < hl && p[i] != '\n')
			i++;
		size_t e = i; /* p[e] is '\n' or e == hl */
		int crlf = e > s && p[e - 1] == '\r';
		size_t le = crlf ? e - 1 : e;
		if (i < hl)
			i++;
		if (e < hl && !crlf && le > s) {
			m->flags |= AM_MALFORMED;
			if (line_no == 0)
				appmsg_note(m, "http.bare_lf", off + e,
					    "the start line ends in a bare LF at byte %" PRIu64 " (RFC 9112 §2.2 wants CRLF)",
					    off + e);
			else
				appmsg_note(m, "http.bare_lf", off + e,
					    "bare LF (\\n without \\r) at byte %" PRIu64 " inside the header block, after '%.*s': "
					    "lenient servers (nginx) end the field there; a server that ends the "
					    "headers at the next line without a colon reads the rest of the header block "
					    "as body, so Content-Length no longer matches and it closes the connection",
					    off + e, (int)(le - s > 40 ? 40 : le - s), (const char *)p + s);
		}
		if (le == s)
			break; /* the blank line */
		const char *l = (const char *)p + s;
		size_t ll = le - s;
		/* A CR alone inside a line. */
		for (size_t k = 0; k < ll; k++)
			if (l[k] == '\r') {
				m->flags |= AM_MALFORMED;
				appmsg_note(m, "http.bare_cr", off + s + k, "bare CR inside a line at byte %" PRIu64, off + s + k);
				break;
			}
		if (line_no++ == 0) {
			/* Start line: "METHOD SP target SP HTTP/x.y" or "HTTP/x.y SP code SP reason". */
			const char *sp1 = memchr(l, ' ', ll);
			if (!sp1 && dir == 1)
				return -1;
			if (!sp1) {
				/* "OPTIONS" alone: a method without target or version. */
				for (size_t k = 0; k < ll; k++)
					if (!is_tchar((uint8_t)l[k]))
						return -1;
				h->method = dupn((const uint8_t *)l, ll);
				h->uri = xstrdup("");
				h->version = xstrdup("");
				m->flags |= AM_MALFORMED;
				appmsg_note(m, "http.no_target", off + s, "request line has a method only");
				continue;
			}
			size_t a = (size_t)(sp1 - l);
			const char *rest = sp1 + 1;
			size_t rl = ll - a - 1;
			if (dir == 1) {
				if (a < 8 || memcmp(l, "HTTP/", 5) != 0)
					return -1;
				h->version = dupn((const uint8_t *)l, a);
				if (rl < 3 || rest[0] < '0' || rest[0] > '9' || rest[1] < '0' || rest[1] > '9' || rest[2] < '0' ||
				    rest[2] > '9')
					return -1;
				h->status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
				size_t ro = rl > 3 && rest[3] == ' ' ? 4 : 3;
				h->reason = dupn((const uint8_t *)rest + ro, rl > ro ? rl - ro : 0);
			} else {
				for (size_t k = 0; k < a; k++)
					if (!is_tchar((uint8_t)l[k]))
						return -1;
				if (a == 0)
					return -1;
				const char *sp2 = NULL;
				for (size_t k = rl; k > 0; k--)
					if (rest[k - 1] == ' ') {
						sp2 = rest + k - 1;
						break;
					}
				h->method = dupn((const uint8_t *)l, a);
				if (sp2 && (size_t)(rest + rl - sp2 - 1) >= 5 && memcmp(sp2 + 1, "HTTP/", 5) == 0) {
					h->uri = dupn((const uint8_t *)rest, (size_t)(sp2 - rest));
					h->version = dupn((const uint8_t *)sp2 + 1, (size_t)(rest + rl - sp2 - 1));
				} else {
					/* HTTP/0.9-style or broken: the whole rest is the target. */
					h->uri = dupn((const uint8_t *)rest, rl);
					h->version = xstrdup("");
					m->flags |= AM_MALFORMED;
					appmsg_note(m, "http.no_version", off + s, "request line without an HTTP version");
				}
			}
			continue;
		}
		if (l[0] == ' ' || l[0] == '\t') {
			/* obs-fold (RFC 9112 §5.2): a continuation of the previous field value. */
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "http.obs_fold", off + s,
				    "obsolete line folding at byte %" PRIu64 " (RFC 9112 §5.2: a server must reject it or "
				    "replace it with a space)",
				    off + s);
			if (prev_name && m->n_kv) {
				struct appkv *kv = &m->kv[m->n_kv - 1];
				size_t k = 0;
				while (k < ll && (l[k] == ' ' || l[k] == '\t'))
					k++;
				char *nv = xmalloc(kv->value_len + 1 + (ll - k) + 1);
				memcpy(nv, kv->value, kv->value_len);
				nv[kv->value_len] = ' ';
				memcpy(nv + kv->value_len + 1, l + k, ll - k);
				kv->value_len += 1 + (ll - k);
				nv[kv->value_len] = '\0';
				xfree(kv->value);
				kv->value = nv;
			}
			continue;
		}
		const char *colon = memchr(l, ':', ll);
		if (!colon) {
			m->flags |= AM_MALFORMED;
			if (!stop_at_colonless) {
				stop_at_colonless = 1;
				colonless_off = off + s;
			}
			appmsg_note(m, "http.field_no_colon", off + s,
				    "header line without a colon at byte %" PRIu64 ": '%.*s'", off + s,
				    (int)(ll > 40 ? 40 : ll), l);
			continue;
		}
		size_t nl = (size_t)(colon - l);
		if (nl == 0 || l[nl - 1] == ' ' || l[nl - 1] == '\t') {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "http.field_name_space", off + s,
				    "whitespace before the colon at byte %" PRIu64 " (RFC 9112 §5.1: must be rejected with 400)",
				    off + s);
		}
		if (n_fields++ >= HTTP_MAX_FIELDS) {
			if (n_fields == HTTP_MAX_FIELDS + 1)
				appmsg_note(m, "http.too_many_fields", off + s, "more than %d header fields: the rest are not kept",
					    HTTP_MAX_FIELDS);
			continue;
		}
		const char *v = colon + 1;
		size_t vl = ll - nl - 1;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		char name[256];
		size_t k = nl < sizeof name - 1 ? nl : sizeof name - 1;
		memcpy(name, l, k);
		name[k] = '\0';
		appmsg_kv(m, name, v, vl);
		prev_name = m->kv[m->n_kv - 1].name;
	}
	if (stop_at_colonless) {
		uint64_t rest = off + hl - colonless_off;
		appmsg_note(m, "http.strict_would_stop", colonless_off,
			    "a parser that stops at the line without a colon (python http.server) takes the %" PRIu64
			    " bytes from byte %" PRIu64 " to the end of the header block as body",
			    rest, colonless_off);
	}
	return line_no ? 0 : -1;
}

/* Bytes in this direction that do not start an HTTP message: appended to an open
 * "unparsed" message; consumed up to the next line that starts one. */
static size_t junk_feed(struct http_state *st, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct http_dir *d = &st->d[dir];
	size_t take = n;
	for (size_t i = 1; i < n; i++) {
		if (p[i - 1] != '\n')
			continue;
		int a = start_line_answer(p + i, n - i, dir);
		if (a == PROBE_YES) {
			take = i;
			break;
		}
		if (a == PROBE_MAYBE && !(flags & (FEED_EOF | FEED_GAP))) {
			take = i;
			break;
		}
	}
	if (d->junk == UINT32_MAX) {
		d->junk = app_msg_begin(st->o, dir, "http", "unparsed", off);
		struct appmsg *m = app_msg(st->o, d->junk);
		m->flags |= AM_MALFORMED;
		if (d->last_msg != UINT32_MAX && d->last_end == off && d->last_was_length)
			appmsg_note(m, "http.body_longer", off,
				    "bytes after the declared end of the previous message (Content-Length %" PRIu64
				    ", ended at byte %" PRIu64 "): the body is longer than declared, or these are "
				    "not HTTP",
				    d->last_declared, off);
		else
			appmsg_note(m, "http.not_http", off, "bytes at %" PRIu64 " do not start an HTTP %s", off,
				    dir ? "response" : "request");
	}
	struct appmsg *m = app_msg(st->o, d->junk);
	/* Keep the first JUNK_SHOW bytes, however the stream was cut. */
	if (!m->n_kv)
		appmsg_kv(m, "bytes", (const char *)p, take < JUNK_SHOW ? take : JUNK_SHOW);
	else if (m->kv[0].value_len < JUNK_SHOW) {
		struct appkv *kv = &m->kv[0];
		size_t add = JUNK_SHOW - kv->value_len < take ? JUNK_SHOW - kv->value_len : take;
		kv->value = xrealloc(kv->value, kv->value_len + add + 1);
		memcpy(kv->value + kv->value_len, p, add);
		kv->value_len += add;
		kv->value[kv->value_len] = '\0';
	}
	app_msg_end(st->o, d->junk, off + take);
	struct strbuf b;
	sb_init(&b);
	sb_printf(&b, "%" PRIu64 " bytes that are not an HTTP message", m->end - m->off);
	appmsg_set_summary(app_msg(st->o, d->junk), b.s, b.len);
	sb_fini(&b);
	return take;
}

static uint32_t pending_peek(struct http_state *st) { return st->qn ? st->q[0] : UINT32_MAX; }

static void pending_pop(struct http_state *st)
{
	if (!st->qn)
		return;
	memmove(st->q, st->q + 1, (st->qn - 1) * sizeof st->q[0]);
	st->qn--;
}

/* Sets up body reading for message ix (head of hl bytes at off); returns 1 when the
 * message has a body to read, 0 when it is complete now. */
static int frame_body(struct http_state *st, int dir, uint32_t ix, uint64_t off, size_t hl)
{
	struct app_out *o = st->o;
	struct http_dir *d = &st->d[dir];
	struct appmsg *m = app_msg(o, ix);
	struct app_http *h = m->http;
	const struct appkv *te = appmsg_find(m, "Transfer-Encoding");
	const struct appkv *ce = appmsg_find(m, "Content-Encoding");
	const struct appkv *ct = appmsg_find(m, "Content-Type");
	uint64_t cl = 0;
	int have_cl = 0;
	for (size_t k = 0; k < m->n_kv; k++) {
		if (strcasecmp(m->kv[k].name, "Content-Length") != 0)
			continue;
		uint64_t v;
		if (parse_u64(m->kv[k].value, m->kv[k].value_len, &v) < 0) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "http.bad_content_length", off, "Content-Length '%s' is not a number", m->kv[k].value);
			continue;
		}
		if (have_cl && v != cl) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "http.content_length_conflict", off,
				    "two different Content-Length values (%" PRIu64 " and %" PRIu64 "): RFC 9112 §6.3 says reject",
				    cl, v);
		}
		cl = v;
		have_cl = 1;
	}
	d->mode = BM_NONE;
	if (dir == 1) {
		const struct appmsg *rq = h->request_msg != UINT32_MAX ? app_msg(o, h->request_msg) : NULL;
		const char *meth = rq && rq->http->method ? rq->http->method : "";
		if (strcmp(meth, "HEAD") == 0 || (h->status >= 100 && h->status < 200) || h->status == 204 ||
		    h->status == 304) {
			h->no_body = 1;
			if ((h->status == 204 || h->status == 304) && have_cl && cl && h->status == 204) {
				appmsg_note(m, "http.204_with_length", off, "204 response with Content-Length %" PRIu64, cl);
			}
			return 0;
		}
		if (strcmp(meth, "CONNECT") == 0 && h->status >= 200 && h->status < 300) {
			d->phase = PH_TUNNEL;
			st->d[0].phase = PH_TUNNEL;
			appmsg_note(m, "http.tunnel", off + hl, "CONNECT accepted: the rest of the connection is a tunnel");
			return 0;
		}
	}
	if (te) {
		if (have_cl) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "http.te_and_cl", off,
				    "both Transfer-Encoding and Content-Length: Transfer-Encoding wins (RFC 9112 §6.3); "
				    "a proxy that disagrees can be smuggled past");
		}
		if (te_final_chunked(te->value)) {
			d->mode = BM_CHUNKED;
			h->chunked = 1;
		} else if (dir == 0) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "http.te_not_chunked", off,
				    "request Transfer-Encoding '%s' does not end in chunked: the length is unknown (RFC 9112 §6.3: 400)",
				    te->value);
			return 0;
		} else {
			d->mode = BM_CLOSE;
			h->until_close = 1;
		}
	} else if (have_cl) {
		d->mode = BM_LENGTH;
		d->remain = d->declared = cl;
		if (cl == 0)
			return 0;
	} else if (dir == 1) {
		d->mode = BM_CLOSE;
		h->until_close = 1;
	} else {
		return 0;
	}
	d->phase = PH_BODY;
	d->msg = ix;
	d->body_off = off + hl;
	h->body_first_frame = app_frame_at(o, dir, off + hl, NULL);
	if (d->mode == BM_CHUNKED) {
		struct chunked_cb cb = { st, chunk_data, chunk_trailer, chunk_note };
		chunked_init(&d->ch, cb);
	}
	if (ce) {
		h->content_encoding = xstrdup(ce->value);
		int kind = contenc_kind(ce->value);
		if (kind != CE_NONE) {
			contenc_init(&d->ce, kind);
			d->ce_on = 1;
		}
	}
	if (ct && strncasecmp(ct->value, "text/event-stream", 17) == 0) {
		sse_init(&d->sse, d->ce_on);
		d->sse_on = 1;
	}
	return 1;
}

static void set_summary(struct appmsg *m)
{
	struct strbuf b;
	sb_init(&b);
	struct app_http *h = m->http;
	if (h->is_request)
		sb_printf(&b, "%s %s %s", h->method, h->uri, h->version);
	else
		sb_printf(&b, "%s %d %s", h->version, h->status, h->reason);
	appmsg_set_summary(m, b.s, b.len);
	sb_fini(&b);
}

/* The answer to an HTTP/0.9 simple request: no status line, the body runs to the
 * end of the connection. */
static size_t simple_response(struct http_state *st, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct app_out *o = st->o;
	struct http_dir *d = &st->d[1];
	uint32_t ix = app_msg_begin(o, 1, "http", "response", off);
	struct appmsg *m = app_msg(o, ix);
	m->http = xcalloc(1, sizeof *m->http);
	m->http->simple = 1;
	m->http->version = xstrdup("HTTP/0.9");
	m->http->reason = xstrdup("(no status line: HTTP/0.9)");
	m->http->request_msg = st->q[0];
	m->http->response_msg = UINT32_MAX;
	app_msg(o, st->q[0])->http->response_msg = ix;
	pending_pop(st);
	appmsg_set_summary(m, "HTTP/0.9 simple response (body only)", 36);
	m->http->until_close = 1;
	d->phase = PH_BODY;
	d->mode = BM_CLOSE;
	d->msg = ix;
	d->body_off = off;
	m->http->body_first_frame = m->first_frame;
	return body_feed(st, 1, p, n, off, flags);
}

/* A message head in this direction; returns consumed. */
static size_t head_feed(struct http_state *st, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct app_out *o = st->o;
	struct http_dir *d = &st->d[dir];
	size_t skip = 0;
	/* RFC 9112 §2.2: a server should ignore empty lines before a request line (and
	 * clients send CRLF after a POST body now and then). */
	while (d->junk == UINT32_MAX && skip < n && (p[skip] == '\r' || p[skip] == '\n'))
		skip++;
	if (skip)
		return skip;
	if (n == 0)
		return 0;
	int a = dir == 0 && d->junk == UINT32_MAX ? request_line_lenient(p, n) : start_line_answer(p, n, dir);
	if (dir == 1 && a != PROBE_YES && st->qn && app_msg(o, st->q[0])->http->simple)
		return simple_response(st, p, n, off, flags);
	if (a == PROBE_NO || (a == PROBE_MAYBE && (flags & (FEED_EOF | FEED_GAP))))
		return junk_feed(st, dir, p, n, off, flags);
	if (a == PROBE_MAYBE)
		return 0;
	size_t hl = head_end(p, n);
	/* HTTP/0.9 Simple-Request (RFC 1945 §4.1): "GET" SP URI CRLF, no version, no
	 * headers; its answer is the body alone, until the server closes. */
	int simple = 0;
	if (dir == 0 && n > 4 && memcmp(p, "GET ", 4) == 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		/* Only when the line is all the client sent and no header block follows:
		 * "GET /x\nHost: y\n\n" is a broken HTTP/1.x request, not HTTP/0.9. */
		if (nl && hl == 0 && (size_t)(nl - p) + 1 == n) {
			size_t ll = (size_t)(nl - p);
			if (ll && p[ll - 1] == '\r')
				ll--;
			const uint8_t *sp = ll > 4 ? memchr(p + 4, ' ', ll - 4) : NULL;
			if (!sp) {
				simple = 1;
				hl = (size_t)(nl - p) + 1;
			}
		}
	}
	if (hl == 0) {
		if (n > HTTP_HEADER_MAX || (flags & (FEED_EOF | FEED_GAP))) {
			/* A head that never ends: keep what is here as an incomplete message. */
			hl = n > HTTP_HEADER_MAX ? HTTP_HEADER_MAX : n;
		} else {
			return 0;
		}
	}
	d->junk = UINT32_MAX;
	uint32_t ix = app_msg_begin(o, dir, "http", dir ? "response" : "request", off);
	struct appmsg *m = app_msg(o, ix);
	m->http = xcalloc(1, sizeof *m->http);
	m->http->is_request = dir == 0;
	m->http->request_msg = m->http->response_msg = UINT32_MAX;
	m->http->header_len = hl;
	if (parse_head(o, ix, p, hl, off, dir) < 0) {
		/* Not HTTP after all: forget the message object, show the bytes as unparsed. */
		m = app_msg(o, ix);
		m->kind = "unparsed";
		xfree(m->http->method);
		xfree(m->http->uri);
		xfree(m->http->version);
		xfree(m->http->reason);
		xfree(m->http);
		m->http = NULL;
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "http.bad_start_line", off, "not an HTTP %s line at byte %" PRIu64,
			    dir ? "status" : "request", off);
		appmsg_set_summary(m, "unparsed bytes", 14);
		app_msg_end(o, ix, off + hl);
		return hl;
	}
	m = app_msg(o, ix);
	set_summary(m);
	if (simple) {
		m->http->simple = 1;
		xfree(m->http->version);
		m->http->version = xstrdup("HTTP/0.9");
		set_summary(m);
		appmsg_note(m, "http.simple_request", off,
			    "HTTP/0.9 simple request (no version, no headers; RFC 1945 §4.1): the answer is the bare body");
		if (st->qn < HTTP_MAX_PENDING)
			st->q[st->qn++] = ix;
		app_msg_end(o, ix, off + hl);
		app_msg_done(o, ix);
		return hl;
	}
	if (hl == n && head_end(p, n) == 0) {
		m->flags |= AM_INCOMPLETE;
		appmsg_note(m, "http.head_incomplete", off + hl, "the header block does not end (no blank line) by byte %" PRIu64,
			    off + hl);
		app_msg_end(o, ix, off + hl);
		app_msg_done(o, ix);
		return hl;
	}
	struct app_http *h = m->http;
	if (dir == 0) {
		if (st->qn < HTTP_MAX_PENDING)
			st->q[st->qn++] = ix;
		const struct appkv *up = appmsg_find(m, "Upgrade");
		const struct appkv *cn = appmsg_find(m, "Connection");
		if (up && cn && list_has(cn->value, "upgrade")) {
			st->wait_upgrade = 1;
			st->upgrade_req = ix;
		}
	} else {
		uint32_t rq = pending_peek(st);
		h->request_msg = rq;
		if (rq != UINT32_MAX) {
			struct app_http *rh = app_msg(o, rq)->http;
			if (h->status >= 200 || h->status == 101) {
				rh->response_msg = ix;
				pending_pop(st);
			}
		}
	}
	if (dir == 1 && h->status == 101) {
		const struct appkv *up = appmsg_find(m, "Upgrade");
		app_msg_end(o, ix, off + hl);
		st->wait_upgrade = 0;
		if (up && strcasecmp(up->value, "websocket") == 0) {
			app_switch(o, "websocket", h->request_msg, ix);
		} else {
			st->d[0].phase = st->d[1].phase = PH_TUNNEL;
			appmsg_note(app_msg(o, ix), "http.switched", off + hl,
				    "switched to '%s': the rest of the connection is not HTTP", up ? up->value : "?");
		}
		return hl;
	}
	if (dir == 1 && st->wait_upgrade && h->status >= 200)
		st->wait_upgrade = 0; /* upgrade refused: HTTP goes on */
	if (!frame_body(st, dir, ix, off, hl)) {
		app_msg_end(o, ix, off + hl);
		app_msg_done(o, ix);
	}
	return hl;
}

static size_t http_feed(void *vst, struct app_out *o, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct http_state *st = vst;
	st->o = o;
	st->dir = dir;
	struct http_dir *d = &st->d[dir];
	if (d->phase == PH_TUNNEL)
		return n;
	if (d->phase == PH_BODY)
		return body_feed(st, dir, p, n, off, flags);
	if (dir == 0 && st->wait_upgrade && !(flags & (FEED_EOF | FEED_GAP)))
		return 0; /* the response decides whether these bytes are still HTTP */
	return head_feed(st, dir, p, n, off, flags);
}

static void http_gap(void *vst, struct app_out *o, int dir, uint64_t off, uint64_t len)
{
	struct http_state *st = vst;
	st->o = o;
	st->dir = dir;
	struct http_dir *d = &st->d[dir];
	d->junk = UINT32_MAX;
	if (d->phase != PH_BODY)
		return;
	struct appmsg *m = app_msg(o, d->msg);
	appmsg_note(m, "http.gap", off, "%" PRIu64 " bytes at byte %" PRIu64 " were not captured", len, off);
	d->gap_in_body = 1;
	m->http->lost += len;
	if (d->mode == BM_LENGTH && len < d->remain) {
		/* Keep counting: the body goes on after the hole. */
		d->remain -= len;
		m->http->body_content += len;
		return;
	}
	if (d->mode == BM_CLOSE)
		return;
	if (d->mode == BM_LENGTH) {
		uint64_t end = off + d->remain;
		d->remain = 0;
		end_message(st, dir, end, 0);
		return;
	}
	/* Chunk framing cannot be followed across a hole. */
	end_message(st, dir, off, 0);
}

static void http_finish(void *vst, struct app_out *o)
{
	struct http_state *st = vst;
	st->o = o;
	for (int dir = 0; dir < 2; dir++) {
		st->dir = dir;
		if (st->d[dir].phase == PH_BODY && st->d[dir].msg != UINT32_MAX) {
			uint64_t end = app_msg(o, st->d[dir].msg)->end;
			if (end < st->d[dir].body_off)
				end = st->d[dir].body_off;
			end_message(st, dir, end, 0);
		}
	}
}

const struct proto_desc proto_http = {
	.name = "http",
	.what = "HTTP/1.0 and 1.1 (RFC 9112), with chunked, gzip/deflate/br/zstd, SSE and Upgrade",
	.transport = 6,
	.ports = { 80, 8080, 8000, 3128 },
	.probe = http_probe,
	.state_size = sizeof(struct http_state),
	.init = http_init,
	.feed = http_feed,
	.gap = http_gap,
	.finish = http_finish,
	.fini = http_fini,
};
