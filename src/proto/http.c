/* http.c: HTTP/1.0 and HTTP/1.1 messages (RFC 9112 message syntax, RFC 9110 semantics)
 * over one stream pair: request and status lines, header fields, bodies framed by
 * Content-Length, chunked transfer coding (chunked.c) or the end of the connection,
 * several exchanges per connection (keep-alive, pipelining), 1xx interim responses,
 * HEAD / 204 / 304 without body, CONNECT and Upgrade.
 *
 * What a body holds is not HTTP's business: the de-chunked content goes into a stream
 * of stacked layers (proto.h) named by the headers: each Content-Encoding undone by a
 * contenc layer, a text/event-stream read by the sse layer; where they end, the bytes
 * become the message's body. After a 101 the rest of the connection goes to the
 * decoder the Upgrade names (websocket), and a CONNECT tunnel to whatever is detected
 * in it.
 *
 * Trust model: every byte is untrusted. Lines are found with a bounded reader inside
 * [p, p+n); header count, header block size and kept body size are capped. Malformed
 * input is diagnosed, not rejected: each deviation becomes a note naming the byte
 * offset in the sender's stream (see cases/http-bare-lf: a bare LF at byte 51 of the
 * request), and parsing goes on the way lenient servers do. A header block that arrives
 * in pieces is scanned once: the scan resumes where the previous piece ended. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "chunked.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

/* Start line + header fields: servers refuse far less (nginx 8 kB per line with 4
 * buffers, Apache 8 kB per field and 100 fields); 64 kB is beyond any of them. */
#define HTTP_HEADER_MAX 65536
/* Header fields kept per message (Apache's LimitRequestFields default is 100). */
#define HTTP_MAX_FIELDS 256
/* Requests waiting for their response (pipelining depth). The queue grows as requests
 * wait (most connections have one at a time), so an idle connection costs no 1 kB. */
#define HTTP_MAX_PENDING 256
/* Trailer fields kept per message (RFC 9110 §6.5: a few checksums or signatures in
 * practice): past it they are counted, the message says so (http.trailers_capped),
 * and JSON output stays small. */
#define HTTP_MAX_TRAILERS 64
/* Bytes of an unparsed run kept to show: enough to see what they are. */
#define JUNK_SHOW 200
/* Content codings undone per body ("gzip, br"): RFC 9110 allows a list; more than a few
 * is an attack on the decoder, not a real server. */
#define HTTP_MAX_CODINGS 4

enum {
	HE_BARE_LF, HE_BARE_CR, HE_NO_TARGET, HE_NO_VERSION, HE_OBS_FOLD, HE_FIELD_NO_COLON, HE_FIELD_NAME_SPACE,
	HE_TOO_MANY_FIELDS, HE_STRICT_WOULD_STOP, HE_BODY_LONGER, HE_NOT_HTTP, HE_BAD_CONTENT_LENGTH,
	HE_CONTENT_LENGTH_CONFLICT, HE_204_WITH_LENGTH, HE_TUNNEL, HE_TE_AND_CL, HE_TE_NOT_CHUNKED, HE_BAD_START_LINE,
	HE_SIMPLE_REQUEST, HE_HEAD_INCOMPLETE, HE_SWITCHED, HE_GAP, HE_BODY_SHORT, HE_CHUNKED_UNTERMINATED,
	HE_RESPONSE_LOST, HE_REQUEST_LOST, HE_TRAILER_NO_COLON, HE_CHUNK_SIZE_TOO_LONG, HE_CHUNK_SIZE_BAD, HE_CHUNK_BARE_LF, HE_CHUNK_CR_WITHOUT_LF,
	HE_CHUNK_MISSING_CRLF, HE_TRAILER_BARE_LF, HE_TRAILER_TOO_LONG, HE_UNKNOWN_CODING, HE_TRAILERS_CAPPED, HE_COUNT
};

static const struct app_event http_events[HE_COUNT + 1] = {
	[HE_BARE_LF] = { "http.bare_lf", SEV_WARN, "a line of the head ends in LF alone (RFC 9112 §2.2 wants CRLF)" },
	[HE_BARE_CR] = { "http.bare_cr", SEV_WARN, "a CR alone inside a line of the head" },
	[HE_NO_TARGET] = { "http.no_target", SEV_WARN, "a request line with a method only" },
	[HE_NO_VERSION] = { "http.no_version", SEV_WARN, "a request line without an HTTP version" },
	[HE_OBS_FOLD] = { "http.obs_fold", SEV_WARN, "obsolete line folding (RFC 9112 §5.2: reject or replace with a space)" },
	[HE_FIELD_NO_COLON] = { "http.field_no_colon", SEV_WARN, "a header line without a colon" },
	[HE_FIELD_NAME_SPACE] = { "http.field_name_space", SEV_WARN, "whitespace before the colon of a field (RFC 9112 §5.1: 400)" },
	[HE_TOO_MANY_FIELDS] = { "http.too_many_fields", SEV_NOTE, "more header fields than chattcp keeps (256); the rest are not kept" },
	[HE_STRICT_WOULD_STOP] = { "http.strict_would_stop", SEV_NOTE, "a strict parser would end the head at the line without a colon" },
	[HE_BODY_LONGER] = { "http.body_longer", SEV_WARN, "bytes after the declared end of a message: the body is longer than its Content-Length" },
	[HE_NOT_HTTP] = { "http.not_http", SEV_WARN, "bytes that do not start an HTTP message" },
	[HE_BAD_CONTENT_LENGTH] = { "http.bad_content_length", SEV_ERROR, "a Content-Length that is not a number" },
	[HE_CONTENT_LENGTH_CONFLICT] = { "http.content_length_conflict", SEV_ERROR, "two different Content-Length values (RFC 9112 §6.3: reject)" },
	[HE_204_WITH_LENGTH] = { "http.204_with_length", SEV_WARN, "a 204 response with a Content-Length (RFC 9110 §8.6: must not)" },
	[HE_TUNNEL] = { "http.tunnel", SEV_CHAT, "CONNECT accepted: the rest of the connection is a tunnel" },
	[HE_TE_AND_CL] = { "http.te_and_cl", SEV_WARN, "both Transfer-Encoding and Content-Length: a request smuggling risk" },
	[HE_TE_NOT_CHUNKED] = { "http.te_not_chunked", SEV_ERROR, "a request Transfer-Encoding that does not end in chunked (RFC 9112 §6.3: 400)" },
	[HE_BAD_START_LINE] = { "http.bad_start_line", SEV_ERROR, "a start line that is not HTTP" },
	[HE_SIMPLE_REQUEST] = { "http.simple_request", SEV_NOTE, "an HTTP/0.9 simple request: the answer is the bare body" },
	[HE_HEAD_INCOMPLETE] = { "http.head_incomplete", SEV_NOTE, "the head does not end (no blank line) before the stream does" },
	[HE_SWITCHED] = { "http.switched", SEV_CHAT, "the connection switched to another protocol (101)" },
	[HE_GAP] = { "http.gap", SEV_NOTE, "body bytes that were not captured" },
	[HE_RESPONSE_LOST] = { "http.response_lost", SEV_NOTE, "bytes of a response whose start was not captured: the request it answered waits no more, and the next status line answers a later one" },
	[HE_REQUEST_LOST] = { "http.request_lost", SEV_NOTE, "a response to a request that was not captured (or bytes of a request whose start was not)" },
	[HE_BODY_SHORT] = { "http.body_short", SEV_ERROR, "the stream ended before the Content-Length was reached" },
	[HE_CHUNKED_UNTERMINATED] = { "http.chunked_unterminated", SEV_NOTE, "the stream ended before the last chunk (size 0)" },
	[HE_TRAILER_NO_COLON] = { "http.trailer_no_colon", SEV_WARN, "a trailer line without a colon" },
	[HE_CHUNK_SIZE_TOO_LONG] = { "http.chunk_size_too_long", SEV_ERROR, "a chunk size with too many hex digits" },
	[HE_CHUNK_SIZE_BAD] = { "http.chunk_size_bad", SEV_ERROR, "no chunk size where one belongs: chunk framing lost" },
	[HE_CHUNK_BARE_LF] = { "http.chunk_bare_lf", SEV_WARN, "a chunk line ends in LF alone" },
	[HE_CHUNK_CR_WITHOUT_LF] = { "http.chunk_cr_without_lf", SEV_WARN, "a CR not followed by LF after a chunk size" },
	[HE_CHUNK_MISSING_CRLF] = { "http.chunk_missing_crlf", SEV_ERROR, "chunk data not followed by CRLF: the chunk size is wrong" },
	[HE_TRAILER_BARE_LF] = { "http.trailer_bare_lf", SEV_WARN, "a trailer line ends in LF alone" },
	[HE_TRAILER_TOO_LONG] = { "http.trailer_too_long", SEV_ERROR, "a trailer line longer than 8192 bytes" },
	[HE_UNKNOWN_CODING] = { "http.unknown_coding", SEV_NOTE, "a Content-Encoding chattcp cannot undo: the body is kept as sent" },
	[HE_TRAILERS_CAPPED] = { "http.trailers_capped", SEV_NOTE, "more trailer fields than chattcp keeps (64): the rest are counted, not kept" },
	[HE_COUNT] = { NULL, 0, NULL },
};

#define EV(x) (&http_events[HE_##x])

enum phase { PH_HEAD, PH_BODY, PH_TUNNEL };
enum body_mode { BM_NONE, BM_LENGTH, BM_CHUNKED, BM_CLOSE };

/* The body being read in one direction: allocated when a body starts and freed when it
 * ends, since a connection waiting between messages (most open ones) needs none of it. */
struct http_body {
	struct appmsg *msg;    /* message whose body is being read */
	uint64_t remain;       /* BM_LENGTH: body bytes still to come */
	uint64_t declared;     /* Content-Length value */
	uint64_t body_off;     /* stream offset of the body's first byte */
	struct chunked *ch;    /* while a chunked body is read (allocated then), or NULL */
	uint64_t n_trailers;   /* trailer fields of the body being read, kept or not */
	uint64_t trailer_cap_off; /* where the first one not kept began */
	struct layer *content; /* the body's layers (content codings, event stream), or NULL */
	uint8_t gap_in_body;
};

/* One direction between messages, and the head being received. */
struct http_dir {
	uint8_t phase, mode;
	uint8_t last_was_length : 1, had_msg : 1;
	/* the last message ended where its end was not known (a head cut short, chunk
	 * framing lost at a hole, bytes that are not HTTP): a hole now may be more of it */
	uint8_t unsynced : 1;
	uint8_t after_lost : 1;  /* a message began in a hole: what follows is its rest */
	/* the head being received: how much of it was scanned for its end (at most
	 * HTTP_HEADER_MAX between calls: a longer head is taken as it is) */
	uint32_t scanned;
	uint64_t scan_off;
	uint64_t last_end;     /* where the previous message ended */
	uint64_t last_declared;
	struct appmsg *junk;   /* open message of bytes that are not HTTP, or NULL */
	struct http_body *body; /* PH_BODY: the body being read; NULL otherwise */
};

/* The two pending ids an idle connection most often has fit in place of the pointer. */
#define HTTP_PENDING_INLINE 2

/* An open HTTP connection's state between messages: 128 bytes on LP64 (was 264), what
 * 200,000 open connections each pay (hostile.py many-conns); see the assert below. */
struct http_state {
	struct http_dir d[2];
	/* requests without a final response, oldest first (held): in place while qcap is
	 * 0, then an array of qcap */
	union {
		uint32_t in_place[HTTP_PENDING_INLINE];
		uint32_t *array;
	} q;
	uint16_t qn, qcap;   /* <= HTTP_MAX_PENDING */
	uint8_t wait_upgrade; /* a request asked to switch protocols: hold the client side */
	uint8_t dir;
	/* final responses that found no request waiting since the last request came (at
	 * most 255): a request found lost later may be the one they answered */
	uint8_t unpaired;
	struct layer *up;    /* after a 101 or a CONNECT: the connection's next decoder */
	struct layer *L;     /* valid during one call (callbacks use it) */
};

_Static_assert(sizeof(void *) != 8 || sizeof(struct http_state) <= 128,
	       "struct http_state grew: every open HTTP connection has one");
_Static_assert(HTTP_MAX_PENDING <= UINT16_MAX, "qn and qcap are 16 bits");
_Static_assert(HTTP_HEADER_MAX <= UINT32_MAX, "scanned is 32 bits");

/* The pending request ids, oldest first (st->qn of them). */
static uint32_t *pending_ids(struct http_state *st) { return st->qcap ? st->q.array : st->q.in_place; }

static const char *const methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH",
	"MKCALENDAR", "ACL", "BIND", "UNBIND", "REBIND", "LINK", "UNLINK", "PURGE", "NOTIFY",
	"SUBSCRIBE", "UNSUBSCRIBE", "M-SEARCH", "MERGE", "CHECKOUT", "CHECKIN", "UNCHECKOUT",
	"VERSION-CONTROL", "UPDATE", "LABEL", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL",
	"ORDERPATCH", "SOURCE",
	/* not in RFCs, but Wireshark reads them as requests from the first packet: Cisco
	 * CallManager's, WebDAV's batch (Exchange) and RPC over HTTP's */
	"CCM_POST", "POLL", "BCOPY", "BMOVE", "BDELETE", "BPROPFIND", "BPROPPATCH", "RPC_IN_DATA", "RPC_OUT_DATA",
	NULL,
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
		/* a method alone on its line ("OPTIONS\n") is a request too, with no target
		 * (HE_NO_TARGET says so): Wireshark reads it as one */
		if (memcmp(p, methods[i], ml) == 0 && (p[ml] == ' ' || p[ml] == '\r' || p[ml] == '\n'))
			return PROBE_YES;
	}
	return partial ? PROBE_MAYBE : PROBE_NO;
}

/* The static name of method l[0..n) when it is one of methods[] (most are), or NULL. */
static const char *known_method(const char *l, size_t n)
{
	for (size_t i = 0; methods[i]; i++)
		if (strlen(methods[i]) == n && memcmp(methods[i], l, n) == 0)
			return methods[i];
	return NULL;
}

/* The static text of version l[0..n) for HTTP/1.1, HTTP/1.0 and HTTP/0.9, or NULL. */
static const char *known_version(const char *l, size_t n)
{
	static const char *const known[] = { "HTTP/1.1", "HTTP/1.0", "HTTP/0.9" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (n == 8 && memcmp(known[i], l, 8) == 0)
			return known[i];
	return NULL;
}

/* A piece of the start line: s[0..n), text known statically (then not copied), or
 * absent (s NULL). */
struct line_part {
	const char *s;
	size_t n;
	const char *known;
};

/* Sets the start line's strings of m: the known ones to their static text, the others
 * copied into the block after m->http, which grows to hold them (so m->http moves: no
 * caller holds it across this). Every message of a capture has a start line, and its
 * target and reason in the same block cost no allocation of their own. */
static void set_start_line(struct appmsg *m, struct line_part method, struct line_part uri, struct line_part version,
			   struct line_part reason)
{
	struct line_part *parts[] = { &method, &uri, &version, &reason };
	size_t room = 0;
	for (size_t i = 0; i < 4; i++)
		if (parts[i]->s && !parts[i]->known)
			room += parts[i]->n + 1;
	struct app_http *h = xrealloc(m->http, sizeof *h + room);
	m->http = h;
	char *w = (char *)(h + 1);
	const char *out[4];
	for (size_t i = 0; i < 4; i++) {
		const struct line_part *pt = parts[i];
		out[i] = pt->known;
		if (pt->s && !pt->known) {
			memcpy(w, pt->s, pt->n);
			w[pt->n] = '\0';
			out[i] = w;
			w += pt->n + 1;
		}
	}
	h->method = out[0];
	h->uri = out[1];
	h->version = out[2];
	h->reason = out[3];
	appmsg_count(m, room);
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

static void http_init(void *vst, struct layer *L, const struct layer_open *how)
{
	(void)L, (void)how;
	struct http_state *st = vst;
	(void)st;
}

static void body_reset(struct http_dir *d);

/* A body begins: its state, zeroed, for message m. */
static struct http_body *body_begin(struct http_dir *d, struct appmsg *m, uint64_t body_off)
{
	body_reset(d); /* none is open: end_message closed the last one */
	d->body = xcalloc(1, sizeof *d->body);
	d->body->msg = m;
	d->body->body_off = body_off;
	return d->body;
}

static void body_free(struct http_dir *d)
{
	struct http_body *b = d->body;
	if (!b)
		return;
	if (b->ch) {
		chunked_fini(b->ch);
		xfree(b->ch);
	}
	xfree(b);
	d->body = NULL;
}

static void body_reset(struct http_dir *d)
{
	if (d->body && d->body->content) {
		app_close(d->body->content);
		d->body->content = NULL;
	}
	body_free(d);
}

static void http_fini(void *vst)
{
	struct http_state *st = vst;
	for (int i = 0; i < 2; i++)
		body_free(&st->d[i]); /* its content layers are the driver's to free */
	if (st->qcap)
		xfree(st->q.array);
	st->qcap = st->qn = 0;
	/* Layers above are the driver's to free. */
}

/* ---- body bytes ---- */

/* Content bytes (after de-chunking) at stream offset off. */
static void content_bytes(struct http_state *st, const uint8_t *p, size_t n, uint64_t off)
{
	struct http_body *b = st->d[st->dir].body;
	if (b->content)
		app_write(b->content, st->dir, p, n, off, off + n);
	else
		app_body_add(st->L, b->msg, p, n);
}

static void chunk_data(void *ctx, const uint8_t *p, size_t n, uint64_t off) { content_bytes(ctx, p, n, off); }

static void chunk_trailer(void *ctx, const char *line, size_t n, uint64_t off)
{
	struct http_state *st = ctx;
	struct http_body *d = st->d[st->dir].body;
	struct appmsg *m = d->msg;
	if (d->n_trailers++ == HTTP_MAX_TRAILERS)
		d->trailer_cap_off = off;
	if (d->n_trailers > HTTP_MAX_TRAILERS)
		return; /* counted; end_message says how many */
	const char *colon = memchr(line, ':', n);
	if (!colon) {
		appmsg_note(m, EV(TRAILER_NO_COLON), off, "trailer line without a colon");
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

static void chunk_note(void *ctx, int kind, uint64_t off, const char *text)
{
	static const int ev_of[] = {
		[CHN_SIZE_TOO_LONG] = HE_CHUNK_SIZE_TOO_LONG, [CHN_SIZE_BAD] = HE_CHUNK_SIZE_BAD,
		[CHN_BARE_LF] = HE_CHUNK_BARE_LF, [CHN_CR_WITHOUT_LF] = HE_CHUNK_CR_WITHOUT_LF,
		[CHN_MISSING_CRLF] = HE_CHUNK_MISSING_CRLF, [CHN_TRAILER_BARE_LF] = HE_TRAILER_BARE_LF,
		[CHN_TRAILER_TOO_LONG] = HE_TRAILER_TOO_LONG,
	};
	struct http_state *st = ctx;
	struct appmsg *m = st->d[st->dir].body->msg;
	appmsg_note(m, &http_events[ev_of[kind]], off, "%s", text);
}

/* The message whose body was being read is over at stream offset end. */
static void end_message(struct http_state *st, int dir, uint64_t end, int complete)
{
	struct http_dir *d = &st->d[dir];
	struct http_body *b = d->body;
	struct appmsg *m = b->msg;
	struct app_http *h = m->http;
	if (b->n_trailers > HTTP_MAX_TRAILERS)
		appmsg_note(m, EV(TRAILERS_CAPPED), b->trailer_cap_off,
			    "%" PRIu64 " trailer fields, more than the %d a message keeps (the cap): the rest are counted, not kept (from byte %" PRIu64 ")",
			    b->n_trailers, HTTP_MAX_TRAILERS, b->trailer_cap_off);
	h->body_wire = end - b->body_off;
	h->body_complete = complete && !b->gap_in_body;
	if (!complete)
		m->flags |= AM_INCOMPLETE;
	if (b->content) {
		/* A body cut short is not the content layers' fault: they hear of a gap, and
		 * do not call their stream unfinished. */
		if (!complete)
			app_write_gap(b->content, dir, 0);
		app_write_end(b->content, dir);
	}
	uint64_t declared = b->declared;
	body_reset(d); /* closes the content layers: the body is final after this */
	int64_t ts;
	app_frame_at(st->L, dir, end ? end - 1 : 0, &ts);
	h->body_last_ts = ts;
	app_msg_end(st->L, m, end);
	d->last_end = end;
	d->last_was_length = d->mode == BM_LENGTH;
	d->last_declared = declared;
	d->had_msg = 1;
	d->phase = PH_HEAD;
	app_msg_done(st->L, m);
}

/* Body bytes of the current message; returns consumed. */
static size_t body_feed(struct http_state *st, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct http_dir *d = &st->d[dir];
	struct http_body *b = d->body;
	size_t used = 0;
	if (d->mode == BM_LENGTH) {
		size_t take = n < b->remain ? n : (size_t)b->remain;
		if (take)
			content_bytes(st, p, take, off);
		b->remain -= take;
		used = take;
		if (b->remain == 0) {
			end_message(st, dir, off + used, 1);
		} else if (flags & FEED_EOF) {
			struct appmsg *m = b->msg;
			appmsg_note(m, EV(BODY_SHORT), off + used,
				    "body shorter than declared: Content-Length %" PRIu64 ", the stream ended after %" PRIu64
				    " body bytes (at byte %" PRIu64 ")",
				    b->declared, b->declared - b->remain, off + used);
			end_message(st, dir, off + used, 0);
		}
	} else if (d->mode == BM_CHUNKED) {
		used = chunked_feed(b->ch, p, n, off);
		if (b->ch->state == CH_DONE) {
			end_message(st, dir, off + used, 1);
		} else if (b->ch->state == CH_BAD) {
			/* Framing lost: the rest of this direction is not parseable as chunks. */
			end_message(st, dir, off + used, 0);
		} else if (flags & FEED_EOF) {
			appmsg_note(b->msg, EV(CHUNKED_UNTERMINATED), off + used,
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

/* Finds the end of the header block in p[0..n), scanning from `from` (bytes before it
 * were scanned already and hold no end): returns its length including the blank line,
 * or 0 when not all here. A blank line is LF followed by CRLF or LF (bare LFs are
 * accepted as line ends here; they are diagnosed while parsing). */
static size_t head_end(const uint8_t *p, size_t n, size_t from)
{
	struct rd r = rd_make(p, n);
	rd_skip(&r, from);
	for (;;) {
		long k = rd_find(&r, '\n', rd_left(&r));
		if (k < 0)
			return 0;
		rd_skip(&r, (size_t)k + 1);
		int a = rd_peek(&r, 0), b = rd_peek(&r, 1);
		if (a == '\n')
			return r.off + 1;
		if (a == '\r' && b == '\n')
			return r.off + 2;
	}
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

/* The start line of a message (l[0..ll), at stream offset lo). Returns 0, or -1 when it
 * is not HTTP. */
static int start_line(struct appmsg *m, const char *l, size_t ll, uint64_t lo, int dir)
{
	static const struct line_part none = { NULL, 0, NULL }, empty = { "", 0, "" };
	/* "METHOD SP target SP HTTP/x.y" or "HTTP/x.y SP code SP reason". */
	const char *sp1 = memchr(l, ' ', ll);
	if (!sp1 && dir == 1)
		return -1;
	if (!sp1) {
		/* "OPTIONS" alone: a method without target or version. */
		for (size_t k = 0; k < ll; k++)
			if (!is_tchar((uint8_t)l[k]))
				return -1;
		set_start_line(m, (struct line_part){ l, ll, NULL }, empty, empty, none);
		appmsg_note(m, EV(NO_TARGET), lo, "request line has a method only");
		return 0;
	}
	size_t a = (size_t)(sp1 - l);
	const char *rest = sp1 + 1;
	size_t rl = ll - a - 1;
	if (dir == 1) {
		if (a < 8 || memcmp(l, "HTTP/", 5) != 0)
			return -1;
		if (rl < 3 || rest[0] < '0' || rest[0] > '9' || rest[1] < '0' || rest[1] > '9' || rest[2] < '0' ||
		    rest[2] > '9')
			return -1;
		size_t ro = rl > 3 && rest[3] == ' ' ? 4 : 3;
		set_start_line(m, none, none, (struct line_part){ l, a, known_version(l, a) },
			       (struct line_part){ rest + ro, rl > ro ? rl - ro : 0, NULL });
		m->http->status = (uint16_t)((rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0'));
		return 0;
	}
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
	struct line_part method = { l, a, known_method(l, a) };
	if (sp2 && (size_t)(rest + rl - sp2 - 1) >= 5 && memcmp(sp2 + 1, "HTTP/", 5) == 0) {
		size_t vl = (size_t)(rest + rl - sp2 - 1);
		set_start_line(m, method, (struct line_part){ rest, (size_t)(sp2 - rest), NULL },
			       (struct line_part){ sp2 + 1, vl, known_version(sp2 + 1, vl) }, none);
	} else {
		/* HTTP/0.9-style or broken: the whole rest is the target. */
		set_start_line(m, method, (struct line_part){ rest, rl, NULL }, empty, none);
		appmsg_note(m, EV(NO_VERSION), lo, "request line without an HTTP version");
	}
	return 0;
}

/* obs-fold (RFC 9112 §5.2): l continues the previous field's value. */
static void fold_line(struct appmsg *m, const char *l, size_t ll)
{
	size_t k = 0;
	while (k < ll && (l[k] == ' ' || l[k] == '\t'))
		k++;
	appmsg_kv_append(m, m->n_kv - 1, " ", 1);
	appmsg_kv_append(m, m->n_kv - 1, l + k, ll - k);
}

/* One header field line l[0..ll) at stream offset lo; n_fields counts them. */
static void field_line(struct appmsg *m, const char *l, size_t ll, uint64_t lo, size_t *n_fields, int *stop,
		       uint64_t *stop_off)
{
	const char *colon = memchr(l, ':', ll);
	if (!colon) {
		if (!*stop) {
			*stop = 1;
			*stop_off = lo;
		}
		appmsg_note(m, EV(FIELD_NO_COLON), lo, "header line without a colon at byte %" PRIu64 ": '%.*s'", lo,
			    (int)(ll > 40 ? 40 : ll), l);
		return;
	}
	size_t nl = (size_t)(colon - l);
	if (nl == 0 || l[nl - 1] == ' ' || l[nl - 1] == '\t')
		appmsg_note(m, EV(FIELD_NAME_SPACE), lo,
			    "whitespace before the colon at byte %" PRIu64 " (RFC 9112 §5.1: must be rejected with 400)", lo);
	if ((*n_fields)++ >= HTTP_MAX_FIELDS) {
		if (*n_fields == HTTP_MAX_FIELDS + 1)
			appmsg_note(m, EV(TOO_MANY_FIELDS), lo, "more than %d header fields: the rest are not kept",
				    HTTP_MAX_FIELDS);
		return;
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
}

/* Parses the start line and fields of p[0..hl) into m. Returns 0, or -1 when the start
 * line is not HTTP. */
static int parse_head(struct appmsg *m, const uint8_t *p, size_t hl, uint64_t off, int dir)
{
	struct rd r = rd_make(p, hl);
	size_t line_no = 0, n_fields = 0;
	int stop_at_colonless = 0; /* where a strict parser would have ended the headers */
	uint64_t colonless_off = 0;
	while (rd_left(&r)) {
		size_t s = r.off;
		long k = rd_find(&r, '\n', rd_left(&r));
		size_t len = k < 0 ? rd_left(&r) : (size_t)k;
		const char *l = (const char *)rd_bytes(&r, len);
		int has_lf = k >= 0;
		if (has_lf)
			rd_skip(&r, 1);
		size_t e = s + len; /* offset of the '\n', or of the end */
		int crlf = len && l[len - 1] == '\r';
		size_t ll = crlf ? len - 1 : len;
		if (has_lf && !crlf && ll) {
			if (line_no == 0)
				appmsg_note(m, EV(BARE_LF), off + e,
					    "the start line ends in a bare LF at byte %" PRIu64 " (RFC 9112 §2.2 wants CRLF)", off + e);
			else
				appmsg_note(m, EV(BARE_LF), off + e,
					    "bare LF (LF without CR) at byte %" PRIu64 " inside the header block, after '%.*s': "
					    "lenient servers (nginx) end the field there; a server that ends the "
					    "headers at the next line without a colon reads the rest of the header block "
					    "as body, so Content-Length no longer matches and it closes the connection",
					    off + e, (int)(ll > 40 ? 40 : ll), l);
		}
		if (ll == 0)
			break; /* the blank line */
		const char *cr = memchr(l, '\r', ll);
		if (cr)
			appmsg_note(m, EV(BARE_CR), off + s + (size_t)(cr - l), "bare CR inside a line at byte %" PRIu64,
				    off + s + (size_t)(cr - l));
		if (line_no++ == 0) {
			if (start_line(m, l, ll, off + s, dir) < 0)
				return -1;
			continue;
		}
		if (l[0] == ' ' || l[0] == '\t') {
			appmsg_note(m, EV(OBS_FOLD), off + s,
				    "obsolete line folding at byte %" PRIu64 " (RFC 9112 §5.2: a server must reject it or "
				    "replace it with a space)",
				    off + s);
			if (m->n_kv)
				fold_line(m, l, ll);
			continue;
		}
		field_line(m, l, ll, off + s, &n_fields, &stop_at_colonless, &colonless_off);
	}
	if (stop_at_colonless) {
		uint64_t rest = off + hl - colonless_off;
		appmsg_note(m, EV(STRICT_WOULD_STOP), colonless_off,
			    "a parser that stops at the line without a colon (python http.server) takes the %" PRIu64
			    " bytes from byte %" PRIu64 " to the end of the header block as body",
			    rest, colonless_off);
	}
	return line_no ? 0 : -1;
}

static void junk_done(struct http_state *st, struct http_dir *d)
{
	if (!d->junk)
		return;
	app_msg_done(st->L, d->junk);
	d->junk = NULL;
}

/* Bytes in this direction that do not start an HTTP message: appended to an open
 * "unparsed" message; consumed up to the next line that starts one. */
static size_t junk_feed(struct http_state *st, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct http_dir *d = &st->d[dir];
	size_t take = n;
	struct rd r = rd_make(p, n);
	rd_skip(&r, 1);
	for (;;) {
		long k = rd_find(&r, '\n', rd_left(&r));
		if (k < 0 || (size_t)k + 1 >= rd_left(&r))
			break;
		rd_skip(&r, (size_t)k + 1);
		size_t i = r.off;
		int a = start_line_answer(p + i, n - i, dir);
		if (a == PROBE_YES || (a == PROBE_MAYBE && !(flags & (FEED_EOF | FEED_GAP)))) {
			take = i;
			break;
		}
	}
	if (!d->junk) {
		struct appmsg *m = app_msg_begin(st->L, dir, "unparsed", off);
		d->junk = m;
		d->unsynced = 1;
		if (d->after_lost)
			appmsg_note(m, dir ? EV(RESPONSE_LOST) : EV(REQUEST_LOST), off,
				    "the rest of %s whose start was not captured (bytes before %" PRIu64 " were lost)",
				    dir ? "a response" : "a request", off);
		else if (d->had_msg && d->last_end == off && d->last_was_length)
			appmsg_note(m, EV(BODY_LONGER), off,
				    "bytes after the declared end of the previous message (Content-Length %" PRIu64
				    ", ended at byte %" PRIu64 "): the body is longer than declared, or these are "
				    "not HTTP",
				    d->last_declared, off);
		else
			appmsg_note(m, EV(NOT_HTTP), off, "bytes at %" PRIu64 " do not start an HTTP %s", off,
				    dir ? "response" : "request");
	}
	struct appmsg *m = d->junk;
	/* Keep the first JUNK_SHOW bytes, however the stream was cut. */
	if (!m->n_kv) {
		appmsg_kv(m, "bytes", (const char *)p, take < JUNK_SHOW ? take : JUNK_SHOW);
	} else if (m->kv[0].value_len < JUNK_SHOW) {
		size_t have = m->kv[0].value_len;
		size_t add = JUNK_SHOW - have < take ? JUNK_SHOW - have : take;
		appmsg_kv_append(m, 0, (const char *)p, add);
	}
	app_msg_end(st->L, m, off + take);
	struct strbuf b;
	sb_init(&b);
	sb_printf(&b, "%" PRIu64 " bytes that are not an HTTP message", m->end - m->off);
	appmsg_set_summary(m, b.s, b.len);
	sb_fini(&b);
	if (take < n)
		junk_done(st, d); /* an HTTP message starts next */
	return take;
}

static uint32_t pending_peek(struct http_state *st) { return st->qn ? pending_ids(st)[0] : APPMSG_NONE; }

/* Appends id to the queue of requests awaiting a response; 0 when the queue is full
 * (HTTP_MAX_PENDING). */
static int pending_add(struct http_state *st, uint32_t id)
{
	if (st->qn >= HTTP_MAX_PENDING)
		return 0;
	if (st->qn == (st->qcap ? st->qcap : HTTP_PENDING_INLINE)) {
		/* two in place (a request and the next one pipelined behind it), then an
		 * array, doubling */
		uint16_t cap = (uint16_t)(st->qn * 2);
		uint32_t *a = xmalloc(cap * sizeof *a);
		memcpy(a, pending_ids(st), st->qn * sizeof *a);
		if (st->qcap)
			xfree(st->q.array);
		st->q.array = a;
		st->qcap = cap;
	}
	pending_ids(st)[st->qn++] = id;
	return 1;
}

static void pending_push(struct http_state *st, struct appmsg *m)
{
	st->unpaired = 0;
	if (pending_add(st, m->id))
		app_msg_hold(st->L, m->id);
}

static void pending_pop(struct http_state *st)
{
	if (!st->qn)
		return;
	uint32_t *q = pending_ids(st);
	uint32_t id = q[0];
	memmove(q, q + 1, (st->qn - 1) * sizeof q[0]);
	st->qn--;
	if (id != APPMSG_NONE)
		app_msg_release(st->L, id);
}

/* A request that was not captured (its bytes fell in a gap) waits in the queue as
 * APPMSG_NONE, so the response it gets pairs with nothing rather than with the next
 * request. */
static void pending_push_lost(struct http_state *st) { pending_add(st, APPMSG_NONE); }

/* Opens the layers that decode the body of m: every content coding, last applied first,
 * then an event stream reader. Returns 0, or -1 when a coding is unknown (then the body
 * is kept as sent, and said so). */
static int open_content(struct http_state *st, struct http_dir *d, struct appmsg *m, const char *ce, int sse,
			int dir, uint64_t off)
{
	struct layer_open steps[HTTP_MAX_CODINGS + 1];
	const struct layer_open *then[HTTP_MAX_CODINGS + 2];
	char names[HTTP_MAX_CODINGS][16];
	size_t nl = 0;
	int unknown = 0, too_many = 0;
	/* The codings in the order they were applied; undone from the last. */
	for (const char *s = ce ? ce : ""; *s && !too_many;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		const char *b = s;
		while (*s && *s != ',')
			s++;
		size_t k = (size_t)(s - b);
		while (k && (b[k - 1] == ' ' || b[k - 1] == '\t'))
			k--;
		if (!k || (k == 8 && strncasecmp(b, "identity", 8) == 0))
			continue;
		if (nl == HTTP_MAX_CODINGS) {
			too_many = 1;
			break;
		}
		size_t w = k < sizeof names[0] - 1 ? k : sizeof names[0] - 1;
		memcpy(names[nl], b, w);
		names[nl][w] = '\0';
		if (w < k || !(strcasecmp(names[nl], "gzip") == 0 || strcasecmp(names[nl], "x-gzip") == 0 ||
			       strcasecmp(names[nl], "deflate") == 0 || strcasecmp(names[nl], "br") == 0 ||
			       strcasecmp(names[nl], "zstd") == 0))
			unknown = 1;
		nl++;
	}
	if (unknown || too_many) {
		appmsg_note(m, EV(UNKNOWN_CODING), off, "Content-Encoding %s could not be undone: %s", ce,
			    too_many ? "more codings than chattcp undoes" : "unknown content coding");
		app_body(st->L, m)->failed = 1;
		nl = 0;
		sse = 0; /* an event stream that cannot be decoded cannot be read */
	}
	size_t n = 0;
	for (size_t i = nl; i > 0; i--) {
		memset(&steps[n], 0, sizeof steps[n]);
		steps[n].proto = "contenc";
		steps[n].param = names[i - 1];
		n++;
	}
	if (sse) {
		memset(&steps[n], 0, sizeof steps[n]);
		steps[n].proto = "sse";
		steps[n].param = nl ? "compressed" : NULL;
		n++;
	}
	if (!n)
		return unknown || too_many ? -1 : 0;
	for (size_t i = 1; i < n; i++)
		then[i - 1] = &steps[i];
	then[n - 1] = NULL;
	steps[0].msg[0] = steps[0].msg[1] = APPMSG_NONE;
	steps[0].owner = m->id;
	steps[0].one_way = 1;
	steps[0].dir = dir;
	steps[0].then = then;
	d->body->content = app_open(st->L, &steps[0]);
	return 0;
}

/* Sets up body reading for message m (head of hl bytes at off); returns 1 when the
 * message has a body to read, 0 when it is complete now. */
static int frame_body(struct http_state *st, int dir, struct appmsg *m, uint64_t off, size_t hl)
{
	struct layer *L = st->L;
	struct http_dir *d = &st->d[dir];
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
			appmsg_note(m, EV(BAD_CONTENT_LENGTH), off, "Content-Length '%s' is not a number", m->kv[k].value);
			continue;
		}
		if (have_cl && v != cl)
			appmsg_note(m, EV(CONTENT_LENGTH_CONFLICT), off,
				    "two different Content-Length values (%" PRIu64 " and %" PRIu64 "): RFC 9112 §6.3 says reject",
				    cl, v);
		cl = v;
		have_cl = 1;
	}
	d->mode = BM_NONE;
	if (dir == 1) {
		const struct appmsg *rq = h->request_msg != APPMSG_NONE ? app_msg(L, h->request_msg) : NULL;
		const char *meth = rq && rq->http && rq->http->method ? rq->http->method : "";
		if (strcmp(meth, "HEAD") == 0 || (h->status >= 100 && h->status < 200) || h->status == 204 ||
		    h->status == 304) {
			h->no_body = 1;
			if (h->status == 204 && have_cl && cl)
				appmsg_note(m, EV(204_WITH_LENGTH), off, "204 response with Content-Length %" PRIu64, cl);
			return 0;
		}
		if (strcmp(meth, "CONNECT") == 0 && h->status >= 200 && h->status < 300) {
			d->phase = PH_TUNNEL;
			st->d[0].phase = PH_TUNNEL;
			appmsg_note(m, EV(TUNNEL), off + hl, "CONNECT accepted: the rest of the connection is a tunnel");
			struct layer_open how;
			memset(&how, 0, sizeof how);
			how.msg[0] = how.msg[1] = APPMSG_NONE;
			how.owner = APPMSG_NONE;
			st->up = app_open(L, &how); /* whatever the tunnel carries, by content */
			return 0;
		}
	}
	if (te) {
		if (have_cl)
			appmsg_note(m, EV(TE_AND_CL), off,
				    "both Transfer-Encoding and Content-Length: Transfer-Encoding wins (RFC 9112 §6.3); "
				    "a proxy that disagrees can be smuggled past");
		if (te_final_chunked(te->value)) {
			d->mode = BM_CHUNKED;
			h->chunked = 1;
		} else if (dir == 0) {
			appmsg_note(m, EV(TE_NOT_CHUNKED), off,
				    "request Transfer-Encoding '%s' does not end in chunked: the length is unknown (RFC 9112 §6.3: 400)",
				    te->value);
			return 0;
		} else {
			d->mode = BM_CLOSE;
			h->until_close = 1;
		}
	} else if (have_cl) {
		d->mode = BM_LENGTH;
		if (cl == 0)
			return 0;
	} else if (dir == 1) {
		d->mode = BM_CLOSE;
		h->until_close = 1;
	} else {
		return 0;
	}
	d->phase = PH_BODY;
	struct http_body *b = body_begin(d, m, off + hl);
	if (d->mode == BM_LENGTH)
		b->remain = b->declared = cl;
	h->body_first_frame = app_frame_at(L, dir, off + hl, NULL);
	if (d->mode == BM_CHUNKED) {
		struct chunked_cb cb = { st, chunk_data, chunk_trailer, chunk_note };
		b->ch = xmalloc(sizeof *b->ch);
		chunked_init(b->ch, cb);
	}
	if (ce)
		h->content_encoding = xstrdup(ce->value);
	int sse = ct && strncasecmp(ct->value, "text/event-stream", 17) == 0;
	open_content(st, d, m, ce ? ce->value : NULL, sse, dir, off);
	return 1;
}

/* The HTTP part of m counts against the memory budget as its fields do. */
static void count_http(struct appmsg *m)
{
	/* the start line's copies were counted as they were made (set_start_line) */
	appmsg_count(m, sizeof *m->http + APPLOG_ALLOC_COST);
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
	struct http_dir *d = &st->d[1];
	struct appmsg *m = app_msg_begin(st->L, 1, "response", off);
	m->http = xcalloc(1, sizeof *m->http);
	m->http->simple = 1;
	m->http->version = known_version("HTTP/0.9", 8);
	m->http->reason = "(no status line: HTTP/0.9)";
	m->http->request_msg = pending_peek(st);
	m->http->response_msg = APPMSG_NONE;
	app_msg(st->L, pending_peek(st))->http->response_msg = m->id;
	pending_pop(st);
	appmsg_set_summary(m, "HTTP/0.9 simple response (body only)", 36);
	m->http->until_close = 1;
	d->phase = PH_BODY;
	d->mode = BM_CLOSE;
	body_begin(d, m, off);
	m->http->body_first_frame = m->first_frame;
	return body_feed(st, 1, p, n, off, flags);
}

/* A start line that turned out not to be HTTP: the message shows the bytes as
 * unparsed instead. */
static size_t not_http_after_all(struct http_state *st, struct appmsg *m, uint64_t off, size_t hl, int dir)
{
	m->kind = "unparsed";
	app_http_free(m->http);
	m->http = NULL;
	appmsg_note(m, EV(BAD_START_LINE), off, "not an HTTP %s line at byte %" PRIu64, dir ? "status" : "request", off);
	appmsg_set_summary(m, "unparsed bytes", 14);
	app_msg_end(st->L, m, off + hl);
	app_msg_done(st->L, m);
	return hl;
}

/* Where the head of a message ends in p[0..n): its length, or 0 when it has not ended.
 * Remembers how far it scanned so that the next call, with more bytes, goes on from
 * there (a 64 kB head in 1-byte segments is scanned once, not 65,536 times). */
static size_t find_head(struct http_dir *d, const uint8_t *p, size_t n, uint64_t off)
{
	size_t from = 0;
	if (d->scan_off == off && d->scanned >= 2 && d->scanned <= n)
		from = d->scanned - 2; /* the blank line may straddle the old end */
	size_t hl = head_end(p, n, from);
	d->scan_off = off;
	d->scanned = hl || n > HTTP_HEADER_MAX ? 0 : (uint32_t)n;
	return hl;
}

/* After a 101: the rest of the connection is the protocol the Upgrade named. */
static void upgraded(struct http_state *st, struct appmsg *resp, uint64_t at)
{
	struct app_http *h = resp->http;
	const struct appkv *up = appmsg_find(resp, "Upgrade");
	st->d[0].phase = st->d[1].phase = PH_TUNNEL;
	struct layer_open how;
	memset(&how, 0, sizeof how);
	how.msg[0] = h->request_msg;
	how.msg[1] = resp->id;
	how.owner = APPMSG_NONE;
	if (up && strcasecmp(up->value, "websocket") == 0)
		how.proto = "websocket";
	else if (up && strcasecmp(up->value, "h2c") == 0)
		how.proto = "http2"; /* RFC 7540 §3.2: stream 1 answers the request */
	st->up = app_open(st->L, &how);
	if (!how.proto)
		appmsg_note(resp, EV(SWITCHED), at, "switched to '%s': the rest of the connection is not HTTP",
			    up ? up->value : "?");
}

/* A message head in this direction; returns consumed. */
static size_t head_feed(struct http_state *st, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct layer *L = st->L;
	struct http_dir *d = &st->d[dir];
	size_t skip = 0;
	/* RFC 9112 §2.2: a server should ignore empty lines before a request line (and
	 * clients send CRLF after a POST body now and then). */
	while (!d->junk && skip < n && (p[skip] == '\r' || p[skip] == '\n'))
		skip++;
	if (skip)
		return skip;
	if (n == 0)
		return 0;
	int a = dir == 0 && !d->junk ? request_line_lenient(p, n) : start_line_answer(p, n, dir);
	if (dir == 1 && a != PROBE_YES && pending_peek(st) != APPMSG_NONE && app_msg(L, pending_peek(st))->http->simple)
		return simple_response(st, p, n, off, flags);
	if (a == PROBE_NO || (a == PROBE_MAYBE && (flags & (FEED_EOF | FEED_GAP))))
		return junk_feed(st, dir, p, n, off, flags);
	if (a == PROBE_MAYBE)
		return 0;
	size_t hl = find_head(d, p, n, off);
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
		if (n > HTTP_HEADER_MAX || (flags & (FEED_EOF | FEED_GAP)))
			hl = n > HTTP_HEADER_MAX ? HTTP_HEADER_MAX : n; /* a head that never ends: keep what is here */
		else
			return 0;
	}
	d->scanned = 0;
	junk_done(st, d);
	d->unsynced = 0;
	d->after_lost = 0;
	struct appmsg *m = app_msg_begin(L, dir, dir ? "response" : "request", off);
	m->http = xcalloc(1, sizeof *m->http);
	m->http->is_request = dir == 0;
	m->http->request_msg = m->http->response_msg = APPMSG_NONE;
	m->http->header_len = (uint32_t)hl; /* <= HTTP_HEADER_MAX (a longer head is cut there) */
	if (parse_head(m, p, hl, off, dir) < 0)
		return not_http_after_all(st, m, off, hl, dir);
	count_http(m);
	set_summary(m);
	if (simple) {
		m->http->simple = 1;
		m->http->version = known_version("HTTP/0.9", 8);
		set_summary(m);
		appmsg_note(m, EV(SIMPLE_REQUEST), off,
			    "HTTP/0.9 simple request (no version, no headers; RFC 1945 §4.1): the answer is the bare body");
		pending_push(st, m);
		app_msg_end(L, m, off + hl);
		app_msg_done(L, m);
		return hl;
	}
	if (hl == n && head_end(p, n, 0) == 0) {
		d->unsynced = 1; /* where this message ends is not known */
		m->flags |= AM_INCOMPLETE;
		appmsg_note(m, EV(HEAD_INCOMPLETE), off + hl, "the header block does not end (no blank line) by byte %" PRIu64,
			    off + hl);
		app_msg_end(L, m, off + hl);
		app_msg_done(L, m);
		return hl;
	}
	struct app_http *h = m->http;
	if (dir == 0) {
		pending_push(st, m);
		const struct appkv *up = appmsg_find(m, "Upgrade");
		const struct appkv *cn = appmsg_find(m, "Connection");
		if (up && cn && list_has(cn->value, "upgrade"))
			st->wait_upgrade = 1;
	} else {
		uint32_t rq = pending_peek(st);
		int final = h->status >= 200 || h->status == 101;
		h->request_msg = rq;
		if (rq != APPMSG_NONE && final) {
			app_msg(L, rq)->http->response_msg = m->id;
			/* The request is read again to frame this response (HEAD, CONNECT): keep
			 * it held until the body is framed below. */
			app_msg_hold(L, rq);
			pending_pop(st);
		} else {
			if (!st->qn && final && st->unpaired < UINT8_MAX)
				st->unpaired++;
			if (st->qn && final) {
				/* the answer to a request that was not captured */
				appmsg_note(m, EV(REQUEST_LOST), off,
					    "the request this answers was not captured (it fell in bytes that were lost)");
				pending_pop(st);
			}
			rq = APPMSG_NONE;
		}
		if (h->status == 101) {
			app_msg_end(L, m, off + hl);
			st->wait_upgrade = 0;
			upgraded(st, m, off + hl); /* the next decoder notes on m (the Accept check) */
			app_msg_done(L, m);
			app_msg_release(L, rq);
			return hl;
		}
		if (st->wait_upgrade && h->status >= 200)
			st->wait_upgrade = 0; /* upgrade refused: HTTP goes on */
		int body = frame_body(st, dir, m, off, hl);
		app_msg_release(L, rq);
		if (!body) {
			app_msg_end(L, m, off + hl);
			app_msg_done(L, m);
		}
		return hl;
	}
	if (!frame_body(st, dir, m, off, hl)) {
		app_msg_end(L, m, off + hl);
		app_msg_done(L, m);
	}
	return hl;
}

static struct feed_res http_feed_stream(struct http_state *st, struct layer *L, int dir, const uint8_t *p, size_t n,
					uint64_t off, int flags);

/* HTTP over UDP (SSDP, UPnP's discovery on port 1900; Wireshark reads it with its HTTP
 * dissector): a datagram holds whole messages, and what it leaves unfinished (a body
 * running to the close, a head without its blank line) ends with it. Nothing carries
 * over to the next datagram. */
static struct feed_res http_feed_dgram(struct http_state *st, struct layer *L, int dir, const uint8_t *p, size_t n,
				       uint64_t off)
{
	struct http_dir *d = &st->d[dir];
	size_t used = 0;
	while (used < n && d->phase != PH_TUNNEL) {
		size_t k = http_feed_stream(st, L, dir, p + used, n - used, off + used, FEED_EOF).consumed;
		if (!k)
			break;
		used += k;
	}
	if (d->phase == PH_BODY)
		http_feed_stream(st, L, dir, p + used, 0, off + used, FEED_EOF); /* ends it here */
	junk_done(st, d);
	d->unsynced = 0;
	d->after_lost = 0;
	return feed_took(n);
}

static struct feed_res http_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				 int flags)
{
	struct http_state *st = vst;
	st->L = L;
	st->dir = dir;
	if (flags & FEED_DGRAM)
		return http_feed_dgram(st, L, dir, p, n, off);
	return http_feed_stream(st, L, dir, p, n, off, flags);
}

static struct feed_res http_feed_stream(struct http_state *st, struct layer *L, int dir, const uint8_t *p, size_t n,
					uint64_t off, int flags)
{
	st->L = L;
	st->dir = dir;
	struct http_dir *d = &st->d[dir];
	if (d->phase == PH_TUNNEL) {
		if (st->up) {
			app_write(st->up, dir, p, n, off, off + n);
			if (flags & FEED_EOF)
				app_write_end(st->up, dir);
		}
		return feed_took(n);
	}
	if (d->phase == PH_BODY)
		return feed_took(body_feed(st, dir, p, n, off, flags));
	if (dir == 0 && st->wait_upgrade && !(flags & (FEED_EOF | FEED_GAP)))
		return feed_took(0); /* the response decides whether these bytes are still HTTP */
	size_t k = head_feed(st, dir, p, n, off, flags);
	if ((flags & FEED_EOF) && k == n)
		junk_done(st, d);
	return feed_took(k);
}

/* Bytes of direction dir were not captured, and they began between two
 * messages (after one ended, before the next began). Every byte an HTTP/1.x peer sends
 * is part of a message, so a message began in them: a response's start lost means the
 * oldest waiting request will not see its answer (the next status line answers a later
 * one); a request's start lost means a response will come for a request not shown.
 * Either way the queue stays in step with what the server answers. (Two whole messages
 * lost in one hole still count as one: nothing in the bytes around it can tell.) */
static void lost_between(struct http_state *st, int dir)
{
	struct layer *L = st->L;
	struct http_dir *d = &st->d[dir];
	if (d->unsynced || d->after_lost)
		return; /* more of a message whose end is not known, or of the lost one */
	d->after_lost = 1;
	if (dir == 0) {
		/* Reassembly finds a hole when bytes after it come (tcp/reasm.c: an ACK alone may
		 * be captured before the data it covers), so the lost request's answer may
		 * have come already, with no request waiting: then it has had its answer. */
		if (st->unpaired)
			st->unpaired--;
		else
			pending_push_lost(st);
		return;
	}
	uint32_t rq = pending_peek(st);
	if (!st->qn)
		return;
	/* Only a flag: the request was shown already, and a note added now would differ
	 * between a live view and a later one. */
	if (rq != APPMSG_NONE)
		app_msg(L, rq)->http->response_lost = 1;
	pending_pop(st);
}

static void http_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct http_state *st = vst;
	st->L = L;
	st->dir = dir;
	struct http_dir *d = &st->d[dir];
	junk_done(st, d);
	d->scanned = 0;
	if (d->phase == PH_TUNNEL) {
		if (st->up)
			app_write_gap(st->up, dir, len);
		return;
	}
	if (d->phase != PH_BODY) {
		lost_between(st, dir);
		return;
	}
	struct http_body *b = d->body;
	struct appmsg *m = b->msg;
	appmsg_note(m, EV(GAP), off, "%" PRIu64 " bytes at byte %" PRIu64 " were not captured", len, off);
	b->gap_in_body = 1;
	m->http->lost += len;
	if (d->mode == BM_LENGTH && len < b->remain) {
		/* Keep counting: the body goes on after the hole. */
		b->remain -= len;
		app_body(L, m)->in += len;
		if (b->content)
			app_write_gap(b->content, dir, len);
		return;
	}
	if (d->mode == BM_CLOSE) {
		if (b->content)
			app_write_gap(b->content, dir, len);
		return;
	}
	if (d->mode == BM_LENGTH) {
		uint64_t rest = b->remain, end = off + rest;
		b->remain = 0;
		end_message(st, dir, end, 0);
		if (len > rest)
			lost_between(st, dir);
		return;
	}
	/* Chunk framing cannot be followed across a hole (nor can it tell whether the
	 * hole went on past the body's end). */
	end_message(st, dir, off, 0);
	d->unsynced = 1;
}

static void http_finish(void *vst, struct layer *L)
{
	struct http_state *st = vst;
	st->L = L;
	for (int dir = 0; dir < 2; dir++) {
		st->dir = dir;
		struct http_dir *d = &st->d[dir];
		junk_done(st, d);
		if (d->phase == PH_BODY && d->body) {
			uint64_t end = d->body->msg->end;
			if (end < d->body->body_off)
				end = d->body->body_off;
			end_message(st, dir, end, 0);
		}
	}
	while (st->qn)
		pending_pop(st);
	if (st->up) {
		app_close(st->up);
		st->up = NULL;
	}
}

const struct proto_desc proto_http = {
	.name = "http",
	.what = "HTTP/1.0 and 1.1 (RFC 9112), with chunked bodies, content codings, SSE and Upgrade",
	.role = PROTO_STREAM,
	.transport = 0, /* UDP too: SSDP (http_feed_dgram) */
	.ports = { 80, 8080, 8000, 3128 },
	.events = http_events,
	.probe = http_probe,
	.state_size = sizeof(struct http_state),
	.init = http_init,
	.feed = http_feed,
	.gap = http_gap,
	.finish = http_finish,
	.fini = http_fini,
};
