/* http2.c: HTTP/2 (RFC 9113) over one stream pair: the client's connection preface,
 * the 9-byte frame header and every frame type (DATA, HEADERS + CONTINUATION,
 * PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE; unknown
 * types are shown and skipped, §5.5), HPACK header blocks (RFC 7541) through
 * libnghttp2's inflater, and streams as HTTP exchanges: each request and response is
 * an HTTP message (struct app_http, version "HTTP/2", with its stream id) that `http`,
 * `export` and the web UI read as they read HTTP/1.x; bodies go through the same
 * content layers (contenc), trailers are kept as "trailer NAME" fields, gRPC bodies are
 * split into their length-prefixed messages, a server push is a promised request.
 * Every other frame is a message whose kind is its type in lower case ("settings",
 * "window_update", "rst_stream", "goaway", "ping", "priority", "continuation",
 * "trailers" for a HEADERS frame that ends a message, "unknown") with a summary in
 * words; a run of DATA frames of one stream from one side, with no other frame of that
 * side between them, is one "data" message ("stream 3: 13 frames, 200000 bytes"), so a
 * large body is a line, not hundreds. Kind "frame" is for what is not a frame (the
 * preface, bytes lost, a frame cut short).
 *
 * Where it sits: on a connection's stream by content (the preface: prior knowledge),
 * above TLS when ALPN chose h2 (tls.c), after an HTTP/1.1 Upgrade: h2c and its 101
 * (http.c; stream 1 then answers the upgraded request).
 *
 * Keeping place: control frames are taken whole (feed_need for the rest: nothing is
 * rescanned); DATA payloads stream through as they arrive, so a large body is never
 * held. A header block is inflated fragment by fragment as its frames come.
 *
 * HPACK state is per direction and must see every block in order. A gap inside a DATA
 * payload loses body bytes only; a gap anywhere else loses the framing and the HPACK
 * state of that direction: what follows is not guessed at, and the note says so.
 *
 * Trust model: every byte is untrusted; the frame header and payload fields are read
 * through struct rd; lengths are capped by the named limits below. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <malloc.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A control frame (anything but DATA) is held whole before it is read: RFC 9113 §4.2
 * allows at most 2^24-1 bytes (SETTINGS_MAX_FRAME_SIZE's ceiling; the default is
 * 16 kB). Held bytes stop at APP_BUF_MAX (16 MiB): a frame within 9 bytes of the
 * ceiling, which needs a peer that raised the setting to its top, becomes a gap, and
 * the framing of that side is lost (http2.framing_lost). DATA is never held. */
#define H2_FRAME_MAX ((1u << 24) - 1)
/* Streams tracked at once per connection: servers allow 100-256 concurrent streams
 * (nginx http2_max_concurrent_streams 128); closed ones are forgotten. Past it a new
 * stream's frames are shown as frames but not made into exchanges (http2.streams_capped). */
#define H2_STREAMS_MAX 1024
/* Header fields kept per message (as HTTP/1's 256) and bytes of names and values kept
 * per header list (nginx's default large_client_header_buffers is 4 x 8 kB; 64 kB as
 * HTTP/1's head): every field is still decoded (HPACK needs it), past these they are
 * counted, not kept (http2.fields_capped). */
#define H2_FIELDS_MAX 256
#define H2_HEADER_LIST_MAX 65536
/* The HPACK dynamic table honoured per direction: the default is 4 kB and servers
 * rarely offer more than 64 kB; a peer that offers more is held to this, and a block
 * that uses more fails to decode (said so) rather than costing memory. */
#define H2_HPACK_TABLE_MAX 65536
/* Bytes of a gRPC message kept as its preview field. */
#define H2_GRPC_PREVIEW 256
/* Content codings undone per body, as HTTP/1 (http.c). */
#define H2_MAX_CODINGS 4

enum {
	H2E_PREFACE, H2E_BAD_PREFACE, H2E_TRUNCATED, H2E_FRAMING_LOST, H2E_HPACK_LOST, H2E_HPACK_ERROR, H2E_BAD_FRAME,
	H2E_FRAME_TOO_BIG, H2E_CONTINUATION_EXPECTED, H2E_STRAY_CONTINUATION, H2E_RST, H2E_GOAWAY, H2E_ZERO_WINDOW,
	H2E_FLOW_VIOLATION, H2E_FIELDS_CAPPED, H2E_STREAMS_CAPPED, H2E_DATA_NO_HEADERS, H2E_UNKNOWN_FRAME, H2E_PUSH,
	H2E_BODY_GAP, H2E_UNKNOWN_CODING, H2E_GRPC_CUT, H2E_STREAM_CUT, H2E_COUNT
};

static const struct app_event h2_events[H2E_COUNT + 1] = {
	[H2E_PREFACE] = { "http2.preface", SEV_CHAT, "the client's connection preface: HTTP/2 from here (RFC 9113 §3.4)" },
	[H2E_BAD_PREFACE] = { "http2.bad_preface", SEV_ERROR, "the client's first bytes are not the HTTP/2 connection preface" },
	[H2E_TRUNCATED] = { "http2.truncated", SEV_NOTE, "the stream ends inside a frame" },
	[H2E_FRAMING_LOST] = { "http2.framing_lost", SEV_NOTE, "bytes outside a DATA payload were not captured: the frames after them cannot be found" },
	[H2E_HPACK_LOST] = { "http2.hpack_lost", SEV_NOTE, "a header block after lost bytes: HPACK state is gone, the block cannot be decoded" },
	[H2E_HPACK_ERROR] = { "http2.hpack_error", SEV_ERROR, "a header block that does not decode (RFC 7541): COMPRESSION_ERROR" },
	[H2E_BAD_FRAME] = { "http2.bad_frame", SEV_ERROR, "a frame whose length, stream or padding breaks RFC 9113 §6" },
	[H2E_FRAME_TOO_BIG] = { "http2.frame_too_big", SEV_WARN, "a frame longer than the receiver's SETTINGS_MAX_FRAME_SIZE (FRAME_SIZE_ERROR)" },
	[H2E_CONTINUATION_EXPECTED] = { "http2.continuation_expected", SEV_ERROR, "a frame other than CONTINUATION inside a header block (RFC 9113 §6.10)" },
	[H2E_STRAY_CONTINUATION] = { "http2.stray_continuation", SEV_ERROR, "a CONTINUATION frame without a header block to continue" },
	[H2E_RST] = { "http2.rst_stream", SEV_NOTE, "a stream was reset (RST_STREAM) with an error code" },
	[H2E_GOAWAY] = { "http2.goaway", SEV_NOTE, "the sender is closing the connection (GOAWAY)" },
	[H2E_ZERO_WINDOW] = { "http2.zero_window", SEV_WARN, "a flow-control window reached zero: the sender must wait for WINDOW_UPDATE" },
	[H2E_FLOW_VIOLATION] = { "http2.flow_violation", SEV_ERROR, "DATA past the receiver's flow-control window (FLOW_CONTROL_ERROR)" },
	[H2E_FIELDS_CAPPED] = { "http2.fields_capped", SEV_NOTE, "more header fields than chattcp keeps (256 or 64 kB): the rest are decoded, not kept" },
	[H2E_STREAMS_CAPPED] = { "http2.streams_capped", SEV_NOTE, "more open streams than chattcp tracks (1024): this one is not made an exchange" },
	[H2E_DATA_NO_HEADERS] = { "http2.data_no_headers", SEV_NOTE, "DATA on a stream whose HEADERS were not seen (the capture began later, or they were lost)" },
	[H2E_UNKNOWN_FRAME] = { "http2.unknown_frame", SEV_CHAT, "a frame of a type RFC 9113 does not define: ignored, as §5.5 says" },
	[H2E_PUSH] = { "http2.push", SEV_CHAT, "a server push: the server promises a response to a request it made up (PUSH_PROMISE)" },
	[H2E_BODY_GAP] = { "http2.body_gap", SEV_NOTE, "body bytes that were not captured" },
	[H2E_UNKNOWN_CODING] = { "http2.unknown_coding", SEV_NOTE, "a content-encoding chattcp cannot undo: the body is kept as sent" },
	[H2E_GRPC_CUT] = { "http2.grpc_cut", SEV_NOTE, "a gRPC body that ends inside a length-prefixed message" },
	[H2E_STREAM_CUT] = { "http2.stream_cut", SEV_NOTE, "the connection ended before the stream did" },
	[H2E_COUNT] = { NULL, 0, NULL },
};
#define EV(x) (&h2_events[H2E_##x])

enum { FT_DATA, FT_HEADERS, FT_PRIORITY, FT_RST_STREAM, FT_SETTINGS, FT_PUSH_PROMISE, FT_PING, FT_GOAWAY,
       FT_WINDOW_UPDATE, FT_CONTINUATION };
enum { FL_END_STREAM = 1, FL_ACK = 1, FL_END_HEADERS = 4, FL_PADDED = 8, FL_PRIORITY = 0x20 };

static const char PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define PREFACE_LEN 24

static const char *const frame_names[] = { "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS",
					   "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION" };

/* RFC 9113 §7: the error codes, each with what it means for the reader. */
static const char *const err_names[][2] = {
	{ "NO_ERROR", "no error: a graceful close" },
	{ "PROTOCOL_ERROR", "the sender saw a protocol error" },
	{ "INTERNAL_ERROR", "the sender hit an internal error" },
	{ "FLOW_CONTROL_ERROR", "the peer broke flow control" },
	{ "SETTINGS_TIMEOUT", "SETTINGS were not acknowledged in time" },
	{ "STREAM_CLOSED", "a frame came on a stream already closed" },
	{ "FRAME_SIZE_ERROR", "a frame had a size it must not have" },
	{ "REFUSED_STREAM", "the stream was refused before any processing: safe to retry" },
	{ "CANCEL", "the stream is no longer needed" },
	{ "COMPRESSION_ERROR", "the HPACK state could not be kept" },
	{ "CONNECT_ERROR", "the CONNECT tunnel was reset or closed" },
	{ "ENHANCE_YOUR_CALM", "the peer is making too much load" },
	{ "INADEQUATE_SECURITY", "the TLS parameters are not good enough for HTTP/2" },
	{ "HTTP_1_1_REQUIRED", "the request must be made over HTTP/1.1" },
};

static void err_words(uint32_t code, char *buf, size_t n)
{
	if (code < sizeof err_names / sizeof err_names[0])
		snprintf(buf, n, "%s (%s)", err_names[code][0], err_names[code][1]);
	else
		snprintf(buf, n, "error code 0x%" PRIx32 " (not one RFC 9113 defines)", code);
}

static const char *setting_name(uint16_t id)
{
	static const char *const names[] = { NULL, "header_table_size", "enable_push", "max_concurrent_streams",
					     "initial_window_size", "max_frame_size", "max_header_list_size", NULL,
					     "enable_connect_protocol", "no_rfc7540_priorities" };
	return id < sizeof names / sizeof names[0] ? names[id] : NULL;
}

/* A gRPC body being split (application/grpc: 1 byte compressed flag, 4 bytes length,
 * the message; gRPC's PROTOCOL-HTTP2.md). */
struct grpc_rd {
	uint8_t hdr[5];
	uint8_t have;
	uint32_t left;     /* bytes of the current message still to come */
	uint32_t len;
	uint32_t seq;      /* messages begun */
	struct appmsg *m;  /* the message being read, or NULL */
};

struct h2_stream {
	uint32_t id;
	uint32_t req;                /* its request (or promised request), or APPMSG_NONE */
	struct appmsg *cur[2];       /* the message of each side still open, or NULL */
	struct layer *content[2];    /* its body's content layers, or NULL */
	int64_t win[2];              /* what each side may still send on it */
	uint8_t ended[2];            /* END_STREAM seen (or nothing will come: push) */
	uint8_t had_headers[2];
	uint8_t grpc, stalled_said[2];
	uint32_t stalls[2];          /* times its window reached 0, per side */
	struct grpc_rd *g[2];
};

struct h2_dir {
	nghttp2_hd_inflater *inf;    /* decodes the blocks this side sends; made at its first
				      * block (about 1.3 kB in libnghttp2: a side that sends none
				      * costs nothing) */
	uint32_t table_max;          /* the table size the receiver allowed before inf existed
				      * (UINT32_MAX: never said) */
	uint8_t need_preface;        /* the client side, until its 24 bytes are read */
	uint8_t dead;                /* framing lost: nothing more is read on this side */
	uint8_t hpack_broken;
	uint8_t stalled_said;
	uint64_t broken_at;          /* where (connection stream) the state was lost */
	/* a header block in progress (HEADERS or PUSH_PROMISE then CONTINUATIONs) */
	uint8_t hb_active, hb_type, hb_end_stream, hb_capped;
	uint32_t hb_stream, hb_promised;
	struct appmsg *hb_msg;       /* the message its fields go to (NULL: not kept) */
	size_t hb_kept;
	uint64_t hb_fields, hb_off;
	uint32_t hb_len;
	/* a DATA payload streaming through */
	uint8_t in_data, data_flags, data_pad_skip;
	uint32_t data_stream, data_left, pad_left;
	uint64_t data_end;           /* own-stream offset the DATA frame ends at */
	/* the run of DATA frames being shown as one message (kind "data"), or NULL */
	struct appmsg *run;
	uint32_t run_stream, run_frames;
	uint64_t run_bytes;
	uint8_t run_end_stream;
	int64_t conn_win;            /* what this side may still send on the connection */
	int64_t init_win;            /* initial stream window for this side (the peer's setting) */
	uint32_t max_frame;          /* the peer's SETTINGS_MAX_FRAME_SIZE */
	uint64_t frames;
};

struct h2_state {
	struct layer *L;
	struct h2_dir d[2];
	struct h2_stream **s;
	size_t n_s, cap_s;
	uint32_t upgrade_req;        /* h2c: the HTTP/1.1 request stream 1 answers */
	uint8_t streams_capped_said;
};

/* ---- libnghttp2's allocations, counted in the session's memory domain ---- */

static void *mem_malloc(size_t n, void *ud)
{
	(void)ud;
	return xmem_lib_alloc(n);
}
static void mem_free(void *p, void *ud)
{
	(void)ud;
	xmem_lib_free(p);
}
static void *mem_calloc(size_t k, size_t n, void *ud)
{
	(void)ud;
	if (n && k > SIZE_MAX / n)
		return NULL;
	void *p = xmem_lib_alloc(k * n);
	if (p)
		memset(p, 0, k * n);
	return p;
}
static void *mem_realloc(void *p, size_t n, void *ud)
{
	(void)ud;
	void *q = xmem_lib_alloc(n);
	if (!q)
		return NULL;
	if (p) {
		size_t old = malloc_usable_size(p);
		memcpy(q, p, old < n ? old : n);
		xmem_lib_free(p);
	}
	return q;
}
static nghttp2_mem h2_mem = { NULL, mem_malloc, mem_free, mem_calloc, mem_realloc };

/* ---- streams ---- */

static struct h2_stream *stream_find(struct h2_state *st, uint32_t id)
{
	for (size_t i = 0; i < st->n_s; i++)
		if (st->s[i]->id == id)
			return st->s[i];
	return NULL;
}

static struct h2_stream *stream_new(struct h2_state *st, uint32_t id, uint64_t at)
{
	if (st->n_s >= H2_STREAMS_MAX) {
		if (!st->streams_capped_said) {
			st->streams_capped_said = 1;
			struct appmsg *m = app_msg_begin(st->L, 0, "frame", at);
			appmsg_set_summary(m, "streams not tracked", 19);
			appmsg_note(m, EV(STREAMS_CAPPED), app_conn_off(st->L, 0, at),
				    "stream %" PRIu32 " and later ones past %d open streams are shown as frames only", id,
				    H2_STREAMS_MAX);
			app_msg_end(st->L, m, at);
			app_msg_done(st->L, m);
		}
		return NULL;
	}
	struct h2_stream *s = xcalloc(1, sizeof *s);
	s->id = id;
	s->req = APPMSG_NONE;
	s->win[0] = st->d[0].init_win;
	s->win[1] = st->d[1].init_win;
	xgrow(&st->s, &st->cap_s, st->n_s + 1, sizeof *st->s);
	st->s[st->n_s++] = s;
	return s;
}

static void grpc_end(struct h2_state *st, struct h2_stream *s, int dir, uint64_t end, int complete);

/* Finishes side dir's open message of s at own-stream offset end. */
static void msg_finish(struct h2_state *st, struct h2_stream *s, int dir, uint64_t end, int complete)
{
	struct appmsg *m = s->cur[dir];
	grpc_end(st, s, dir, end, complete);
	if (!m)
		return;
	if (s->stalls[dir] > 1)
		appmsg_note(m, EV(ZERO_WINDOW), app_conn_off(st->L, dir, end),
			    "stream %" PRIu32 "'s window reached 0 %" PRIu32 " times: the %s's receive window, not the network, "
			    "paced this body",
			    s->id, s->stalls[dir], dir ? "client" : "server");
	if (s->content[dir]) {
		if (!complete)
			app_write_gap(s->content[dir], dir, 0);
		app_write_end(s->content[dir], dir);
		app_close(s->content[dir]);
		s->content[dir] = NULL;
	}
	if (m->http) {
		m->http->body_complete = complete && !m->http->lost;
		if (!m->http->body_wire)
			m->http->no_body = complete;
	}
	if (!complete)
		m->flags |= AM_INCOMPLETE;
	app_msg_end(st->L, m, end > m->end ? end : m->end);
	app_msg_done(st->L, m);
	s->cur[dir] = NULL;
}

static void stream_drop(struct h2_state *st, struct h2_stream *s)
{
	for (size_t i = 0; i < st->n_s; i++)
		if (st->s[i] == s) {
			st->s[i] = st->s[--st->n_s];
			break;
		}
	if (s->req != APPMSG_NONE)
		app_msg_release(st->L, s->req);
	for (int d = 0; d < 2; d++)
		xfree(s->g[d]);
	xfree(s);
}

/* Both sides ended: the stream is closed and forgotten. */
static void stream_maybe_close(struct h2_state *st, struct h2_stream *s)
{
	if (s->ended[0] && s->ended[1] && !s->cur[0] && !s->cur[1])
		stream_drop(st, s);
}

/* ---- messages of frames ---- */

static struct appmsg *kind_msg(struct h2_state *st, int dir, const char *kind, uint64_t off, uint64_t end,
			       const char *sum)
{
	struct appmsg *m = app_msg_begin(st->L, dir, kind, off);
	appmsg_set_summary(m, sum, strlen(sum));
	app_msg_end(st->L, m, end);
	return m;
}

static struct appmsg *frame_msg(struct h2_state *st, int dir, uint64_t off, uint64_t end, const char *sum)
{
	struct appmsg *m = app_msg_begin(st->L, dir, "frame", off);
	appmsg_set_summary(m, sum, strlen(sum));
	app_msg_end(st->L, m, end);
	return m;
}

/* ---- bodies ---- */

/* Opens the content layers for m's body from its content-encoding (last applied first,
 * as http.c). Returns the first layer, or NULL (none needed, or a coding unknown: then
 * the body is kept as sent and said so). */
static struct layer *open_content(struct h2_state *st, struct appmsg *m, int dir, uint64_t off)
{
	const struct appkv *ce = appmsg_find(m, "content-encoding");
	if (!ce || !ce->value_len)
		return NULL;
	char names[H2_MAX_CODINGS][16];
	size_t nl = 0;
	int bad = 0;
	for (const char *s = ce->value; *s && !bad;) {
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
		if (nl == H2_MAX_CODINGS || k >= sizeof names[0]) {
			bad = 1;
			break;
		}
		memcpy(names[nl], b, k);
		names[nl][k] = '\0';
		if (!(strcasecmp(names[nl], "gzip") == 0 || strcasecmp(names[nl], "x-gzip") == 0 ||
		      strcasecmp(names[nl], "deflate") == 0 || strcasecmp(names[nl], "br") == 0 ||
		      strcasecmp(names[nl], "zstd") == 0))
			bad = 1;
		nl++;
	}
	if (m->http && !m->http->content_encoding)
		m->http->content_encoding = xstrdup(ce->value);
	if (bad) {
		appmsg_note(m, EV(UNKNOWN_CODING), app_conn_off(st->L, dir, off),
			    "content-encoding %s could not be undone: the body is kept as sent", ce->value);
		app_body(st->L, m)->failed = 1;
		return NULL;
	}
	if (!nl)
		return NULL;
	struct layer_open steps[H2_MAX_CODINGS];
	const struct layer_open *then[H2_MAX_CODINGS + 1];
	for (size_t i = 0; i < nl; i++) {
		memset(&steps[i], 0, sizeof steps[i]);
		steps[i].proto = "contenc";
		steps[i].param = names[nl - 1 - i];
	}
	for (size_t i = 1; i < nl; i++)
		then[i - 1] = &steps[i];
	then[nl - 1] = NULL;
	steps[0].msg[0] = steps[0].msg[1] = APPMSG_NONE;
	steps[0].owner = m->id;
	steps[0].one_way = 1;
	steps[0].dir = dir;
	steps[0].then = then;
	return app_open(st->L, &steps[0]);
}

/* gRPC: the body's bytes split into length-prefixed messages, each a message of its own. */
static void grpc_bytes(struct h2_state *st, struct h2_stream *s, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct grpc_rd *g = s->g[dir];
	if (!g)
		g = s->g[dir] = xcalloc(1, sizeof *g);
	while (n) {
		if (!g->m) {
			size_t need = (size_t)(5 - g->have);
			size_t k = need < n ? need : n;
			memcpy(g->hdr + g->have, p, k);
			if (g->have == 0) {
				g->m = app_msg_begin(st->L, dir, "grpc", off);
			}
			g->have = (uint8_t)(g->have + k);
			p += k, n -= k, off += k;
			if (g->have < 5)
				break;
			struct rd r = rd_make(g->hdr, 5);
			uint8_t comp = rd_u8(&r);
			g->len = g->left = rd_be32(&r);
			g->seq++;
			char sum[160];
			int w = snprintf(sum, sizeof sum, "gRPC message %" PRIu32 " on stream %" PRIu32 ": %" PRIu32 " bytes%s",
					 g->seq, s->id, g->len, comp ? ", compressed" : "");
			appmsg_set_summary(g->m, sum, (size_t)w);
			appmsg_kv(g->m, "compressed", comp ? "1" : "0", 1);
			if (!g->left)
				goto done;
			continue;
		}
		size_t k = g->left < n ? g->left : n;
		const struct appkv *pv = g->m->n_kv > 1 ? &g->m->kv[1] : NULL;
		size_t have = pv ? pv->value_len : 0;
		if (have < H2_GRPC_PREVIEW) {
			size_t t = H2_GRPC_PREVIEW - have < k ? H2_GRPC_PREVIEW - have : k;
			if (!pv)
				appmsg_kv(g->m, "data", (const char *)p, t);
			else
				appmsg_kv_append(g->m, 1, (const char *)p, t);
		}
		g->left -= (uint32_t)k;
		p += k, n -= k, off += k;
		if (g->left)
			break;
	done:
		app_msg_end(st->L, g->m, off);
		app_msg_done(st->L, g->m);
		g->m = NULL;
		g->have = 0;
	}
}

static void grpc_end(struct h2_state *st, struct h2_stream *s, int dir, uint64_t end, int complete)
{
	struct grpc_rd *g = s->g[dir];
	if (!g || !g->m)
		return;
	(void)complete;
	g->m->flags |= AM_INCOMPLETE;
	appmsg_note(g->m, EV(GRPC_CUT), app_conn_off(st->L, dir, end), "the body ends inside this gRPC message");
	app_msg_end(st->L, g->m, end);
	app_msg_done(st->L, g->m);
	g->m = NULL;
}

/* Payload bytes of a DATA frame of side dir (p[0] at own-stream offset off). */
static void data_bytes(struct h2_state *st, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct h2_stream *s = stream_find(st, st->d[dir].data_stream);
	if (!s || !n)
		return;
	struct appmsg *m = s->cur[dir];
	if (!m)
		return;
	if (m->http) {
		if (!m->http->body_wire)
			m->http->body_first_frame = app_frame_at(st->L, dir, off, NULL);
		m->http->body_wire += n;
		app_frame_at(st->L, dir, off + n - 1, &m->http->body_last_ts);
	}
	if (s->content[dir])
		app_write(s->content[dir], dir, p, n, off, off + n);
	else
		app_body_add(st->L, m, p, n);
	if (s->grpc)
		grpc_bytes(st, s, dir, p, n, off);
}

/* ---- header blocks ---- */

static void hb_field(struct h2_state *st, struct h2_dir *d, const nghttp2_nv *nv)
{
	d->hb_fields++;
	struct appmsg *m = d->hb_msg;
	if (!m)
		return;
	size_t cost = nv->namelen + nv->valuelen;
	if (m->n_kv >= H2_FIELDS_MAX || d->hb_kept + cost > H2_HEADER_LIST_MAX) {
		if (!d->hb_capped) {
			d->hb_capped = 1;
			appmsg_note(m, EV(FIELDS_CAPPED), app_conn_off(st->L, m->dir, d->hb_off),
				    "more header fields than chattcp keeps (%d fields or %d bytes): the rest are decoded, not kept",
				    H2_FIELDS_MAX, H2_HEADER_LIST_MAX);
		}
		return;
	}
	d->hb_kept += cost;
	char name[256];
	const char *pre = d->hb_type == 2 ? "trailer " : "";
	size_t pl = strlen(pre);
	size_t k = nv->namelen < sizeof name - 1 - pl ? nv->namelen : sizeof name - 1 - pl;
	memcpy(name, pre, pl);
	memcpy(name + pl, nv->name, k);
	name[pl + k] = '\0';
	appmsg_kv(m, name, (const char *)nv->value, nv->valuelen);
}

static const char *kv_str(const struct appmsg *m, const char *name, size_t *len)
{
	const struct appkv *kv = appmsg_find(m, name);
	*len = kv ? kv->value_len : 0;
	return kv ? kv->value : NULL;
}

/* The request or response m's fields are all in: its HTTP view (start line from the
 * pseudo-header fields, RFC 9113 §8.3). */
static void set_http(struct h2_state *st, struct appmsg *m, struct h2_stream *s, int is_request)
{
	size_t ml = 0, pl = 0, sl = 0;
	const char *meth = is_request ? kv_str(m, ":method", &ml) : NULL;
	const char *path = is_request ? kv_str(m, ":path", &pl) : NULL;
	const char *status = is_request ? NULL : kv_str(m, ":status", &sl);
	size_t room = (meth ? ml + 1 : 0) + (path ? pl + 1 : 0);
	struct app_http *h = xcalloc(1, sizeof *h + room);
	char *w = (char *)(h + 1);
	if (meth) {
		memcpy(w, meth, ml);
		w[ml] = '\0';
		h->method = w;
		w += ml + 1;
	}
	if (path) {
		memcpy(w, path, pl);
		w[pl] = '\0';
		h->uri = w;
	}
	h->version = "HTTP/2";
	h->request_msg = h->response_msg = APPMSG_NONE;
	h->is_request = (uint8_t)is_request;
	h->stream_id = s ? s->id : 0;
	if (status && sl == 3 && status[0] >= '1' && status[0] <= '9' && status[1] >= '0' && status[1] <= '9' &&
	    status[2] >= '0' && status[2] <= '9')
		h->status = (uint16_t)((status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0'));
	m->http = h;
	appmsg_count(m, sizeof *h + room + APPLOG_ALLOC_COST);
	char sum[512];
	int n;
	if (is_request) {
		size_t al;
		const char *auth = kv_str(m, ":authority", &al);
		n = snprintf(sum, sizeof sum, "%.*s %.*s%s%.*s (stream %" PRIu32 ")", (int)(meth ? ml : 1),
			     meth ? meth : "?", (int)(path ? (pl > 300 ? 300 : pl) : 1), path ? path : "?",
			     auth ? " on " : "", (int)(auth ? (al > 100 ? 100 : al) : 0), auth ? auth : "", h->stream_id);
	} else {
		n = snprintf(sum, sizeof sum, "%u (stream %" PRIu32 ")", h->status, h->stream_id);
	}
	appmsg_set_summary(m, sum, n > 0 && (size_t)n < sizeof sum ? (size_t)n : sizeof sum - 1);
	(void)st;
}

/* A header block begins (HEADERS: type 0 headers, PUSH_PROMISE: type 1; trailers are
 * type 2) on stream sid of side dir; at own-stream offset off. */
static void hb_begin(struct h2_state *st, int dir, uint32_t sid, uint32_t promised, int push, int end_stream,
		     uint64_t off)
{
	struct h2_dir *d = &st->d[dir];
	d->hb_active = 1;
	d->hb_stream = sid;
	d->hb_promised = promised;
	d->hb_end_stream = (uint8_t)end_stream;
	d->hb_capped = 0;
	d->hb_kept = 0;
	d->hb_fields = 0;
	d->hb_off = off;
	d->hb_msg = NULL;
	d->hb_type = push ? 1 : 0;
	uint32_t on = push ? promised : sid;
	struct h2_stream *s = stream_find(st, on);
	if (!s && push)
		s = stream_new(st, on, off);
	if (!s && !push)
		s = stream_new(st, on, off);
	if (!s)
		return;
	if (push) {
		struct appmsg *m = app_msg_begin(st->L, dir, "push_promise", off);
		d->hb_msg = m;
		return;
	}
	if (s->cur[dir] && s->had_headers[dir] && (dir == 0 || (s->cur[dir]->http && s->cur[dir]->http->status >= 200))) {
		d->hb_type = 2; /* trailers of the open message */
		d->hb_msg = s->cur[dir];
		return;
	}
	if (s->cur[dir])
		return;
	struct appmsg *m = app_msg_begin(st->L, dir, dir ? "response" : "request", off);
	d->hb_msg = m;
	s->cur[dir] = m;
}

/* The header block of side dir is complete (END_HEADERS) at own-stream offset end. */
static void hb_end(struct h2_state *st, int dir, uint64_t end)
{
	struct h2_dir *d = &st->d[dir];
	d->hb_active = 0;
	struct appmsg *m = d->hb_msg;
	d->hb_msg = NULL;
	uint32_t sid = d->hb_type == 1 ? d->hb_promised : d->hb_stream;
	struct h2_stream *s = stream_find(st, sid);
	if (!m || !s)
		return;
	if (d->hb_type == 2) {
		app_msg_end(st->L, m, end);
		char sum[96];
		snprintf(sum, sizeof sum, "stream %" PRIu32 ": %" PRIu64 " trailer field%s", sid, d->hb_fields,
			 d->hb_fields == 1 ? "" : "s");
		app_msg_done(st->L, kind_msg(st, dir, "trailers", d->hb_off, end, sum));
		return; /* trailers: END_STREAM finishes the message */
	}
	if (d->hb_type == 1) {
		/* The promised request: the server's response on stream `sid` answers it. */
		set_http(st, m, s, 1);
		{
			size_t ml, pl, al;
			const char *meth = kv_str(m, ":method", &ml), *path = kv_str(m, ":path", &pl);
			const char *auth = kv_str(m, ":authority", &al);
			char sum[512];
			int w = snprintf(sum, sizeof sum, "stream %" PRIu32 " promises stream %" PRIu32 ": %.*s %.*s%s%.*s",
					 d->hb_stream, sid, (int)(meth ? (ml > 20 ? 20 : ml) : 1), meth ? meth : "?",
					 (int)(path ? (pl > 300 ? 300 : pl) : 1), path ? path : "?", auth ? " on " : "",
					 (int)(auth ? (al > 100 ? 100 : al) : 0), auth ? auth : "");
			appmsg_set_summary(m, sum, w > 0 && (size_t)w < sizeof sum ? (size_t)w : sizeof sum - 1);
		}
		appmsg_note(m, EV(PUSH), app_conn_off(st->L, dir, d->hb_off),
			    "server push on stream %" PRIu32 ": the server promises stream %" PRIu32
			    " with this request's response",
			    d->hb_stream, sid);
		app_msg_end(st->L, m, end);
		app_msg_done(st->L, m);
		s->req = m->id;
		app_msg_hold(st->L, m->id);
		s->ended[0] = 1; /* the client sends nothing on a pushed stream */
		return;
	}
	s->had_headers[dir] = 1;
	set_http(st, m, s, dir == 0);
	m->http->header_len = (uint32_t)(end - d->hb_off > UINT32_MAX ? UINT32_MAX : end - d->hb_off);
	app_msg_end(st->L, m, end);
	if (dir == 0) {
		s->req = m->id;
		app_msg_hold(st->L, m->id);
		size_t cl;
		const char *ct = kv_str(m, "content-type", &cl);
		if (ct && cl >= 16 && strncasecmp(ct, "application/grpc", 16) == 0)
			s->grpc = 1;
	} else {
		m->http->request_msg = s->req;
		struct appmsg *rq = s->req != APPMSG_NONE ? app_msg(st->L, s->req) : NULL;
		if (m->http->status >= 100 && m->http->status < 200) {
			/* an interim answer: done now; the final one follows on the same stream */
			app_msg_done(st->L, m);
			s->cur[dir] = NULL;
			s->had_headers[dir] = 0;
			return;
		}
		if (rq && rq->http && (rq->http->response_msg == APPMSG_NONE || (s->id == 1 && s->req == st->upgrade_req)))
			rq->http->response_msg = m->id; /* h2c: this answers the upgraded request; its 101 was interim */
		size_t cl;
		const char *ct = kv_str(m, "content-type", &cl);
		if (ct && cl >= 16 && strncasecmp(ct, "application/grpc", 16) == 0)
			s->grpc = 1;
		if (rq && rq->http && rq->http->method && strcmp(rq->http->method, "HEAD") == 0)
			m->http->no_body = 1;
	}
	s->content[dir] = open_content(st, m, dir, end);
}

/* Inflates a fragment of side dir's header block. */
static void hb_fragment(struct h2_state *st, int dir, const uint8_t *p, size_t n, int final, uint64_t at)
{
	struct h2_dir *d = &st->d[dir];
	if (d->hpack_broken) {
		if (d->hb_msg && final) {
			appmsg_note(d->hb_msg, d->hpack_broken == 1 ? EV(HPACK_LOST) : EV(HPACK_ERROR),
				    app_conn_off(st->L, dir, d->hb_off),
				    d->hpack_broken == 1
					    ? "this header block cannot be decoded: the HPACK state of this side was lost at byte %" PRIu64
					      " (bytes not captured); its fields are not guessed"
					    : "this header block cannot be decoded: an earlier block of this side failed at byte %" PRIu64,
				    d->broken_at);
		}
		return;
	}
	if (!d->inf) {
		if (nghttp2_hd_inflate_new2(&d->inf, &h2_mem) != 0) {
			d->inf = NULL;
			d->hpack_broken = 2;
			d->broken_at = app_conn_off(st->L, dir, at);
			if (d->hb_msg)
				appmsg_note(d->hb_msg, EV(HPACK_ERROR), d->broken_at, "no memory for an HPACK table");
			return;
		}
		if (d->table_max != UINT32_MAX)
			nghttp2_hd_inflate_change_table_size(d->inf, d->table_max);
	}
	for (;;) {
		nghttp2_nv nv;
		int fl = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(d->inf, &nv, &fl, p, n, final);
		if (rv < 0) {
			d->hpack_broken = 2;
			d->broken_at = app_conn_off(st->L, dir, at);
			if (d->hb_msg)
				appmsg_note(d->hb_msg, EV(HPACK_ERROR), d->broken_at,
					    "the header block does not decode (%s): later blocks of this side cannot be read either",
					    nghttp2_strerror((int)rv));
			return;
		}
		p += rv;
		n -= (size_t)rv;
		if (fl & NGHTTP2_HD_INFLATE_EMIT)
			hb_field(st, d, &nv);
		if (fl & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inf);
			break;
		}
		if (!(fl & NGHTTP2_HD_INFLATE_EMIT) && n == 0)
			break;
	}
}

/* ---- flow control ---- */

static void window_check(struct h2_state *st, struct h2_stream *s, int dir, uint64_t at)
{
	struct h2_dir *d = &st->d[dir];
	struct appmsg *m = s ? s->cur[dir] : NULL;
	uint64_t co = app_conn_off(st->L, dir, at);
	if (s && (s->win[dir] < 0 || d->conn_win < 0) && m)
		appmsg_note(m, EV(FLOW_VIOLATION), co,
			    "DATA past the flow-control window (stream %" PRId64 ", connection %" PRId64 " bytes)",
			    s->win[dir], d->conn_win);
	else if (s && s->win[dir] == 0 && !s->stalled_said[dir] && m && !s->ended[dir] &&
		 !(st->d[dir].data_flags & FL_END_STREAM)) {
		s->stalled_said[dir] = 1;
		if (s->stalls[dir]++)
			return; /* said once; msg_finish says how often */
		appmsg_note(m, EV(ZERO_WINDOW), co,
			    "stream %" PRIu32 "'s window is 0: the %s must wait for the %s's WINDOW_UPDATE", s->id,
			    dir ? "server" : "client", dir ? "client" : "server");
	} else if (d->conn_win == 0 && !d->stalled_said && m && !(s && s->ended[dir])) {
		d->stalled_said = 1;
		appmsg_note(m, EV(ZERO_WINDOW), co,
			    "the connection's window is 0: the %s must wait for the %s's WINDOW_UPDATE on stream 0",
			    dir ? "server" : "client", dir ? "client" : "server");
	}
}

/* ---- frames ---- */

/* Side dir's run of DATA frames is over: its message says how many and how much. */
static void run_finish(struct h2_state *st, int dir)
{
	struct h2_dir *d = &st->d[dir];
	struct appmsg *m = d->run;
	if (!m)
		return;
	d->run = NULL;
	char sum[128];
	int w = snprintf(sum, sizeof sum, "stream %" PRIu32 ": %" PRIu32 " frame%s, %" PRIu64 " bytes%s", d->run_stream,
			 d->run_frames, d->run_frames == 1 ? "" : "s", d->run_bytes, d->run_end_stream ? ", END_STREAM" : "");
	appmsg_set_summary(m, sum, (size_t)w);
	app_msg_done(st->L, m);
}

/* A DATA frame header of side dir (stream sid, len payload bytes) at own offset at. */
static void run_add(struct h2_state *st, int dir, uint32_t sid, uint32_t len, uint8_t fl, uint64_t at)
{
	struct h2_dir *d = &st->d[dir];
	if (d->run && d->run_stream != sid)
		run_finish(st, dir);
	if (!d->run) {
		d->run = app_msg_begin(st->L, dir, "data", at);
		d->run_stream = sid;
		d->run_frames = 0;
		d->run_bytes = 0;
		d->run_end_stream = 0;
	}
	d->run_frames++;
	d->run_bytes += len;
	d->run_end_stream = !!(fl & FL_END_STREAM);
	app_msg_end(st->L, d->run, at + 9 + len);
}

static void set_dead(struct h2_state *st, int dir, uint64_t at, const char *why)
{
	struct h2_dir *d = &st->d[dir];
	if (d->dead)
		return;
	run_finish(st, dir);
	d->dead = 1;
	d->hpack_broken = 1;
	d->broken_at = app_conn_off(st->L, dir, at);
	struct appmsg *m = frame_msg(st, dir, at, at, "frames lost");
	m->flags |= AM_INCOMPLETE;
	appmsg_note(m, EV(FRAMING_LOST), d->broken_at, "%s: the %s's later frames cannot be found, and are not guessed", why,
		    dir ? "server" : "client");
	app_msg_done(st->L, m);
}

/* One whole control frame (header h: len, type, flags, sid) at own offset off; pl is
 * its payload (len bytes). */
static void control_frame(struct h2_state *st, int dir, uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *pl,
			  uint32_t len, uint64_t off)
{
	struct layer *L = st->L;
	struct h2_dir *d = &st->d[dir];
	uint64_t end = off + 9 + len;
	uint64_t co = app_conn_off(L, dir, off);
	char sum[512];
	char words[128];
	struct rd r = rd_make(pl, len);
	if (d->hb_active && type != FT_CONTINUATION) {
		struct appmsg *m = frame_msg(st, dir, off, end, "frame inside a header block");
		appmsg_note(m, EV(CONTINUATION_EXPECTED), co,
			    "a %s frame where CONTINUATION of stream %" PRIu32 "'s header block belongs",
			    type < 10 ? frame_names[type] : "unknown", d->hb_stream);
		app_msg_done(L, m);
		d->hb_active = 0;
		d->hb_msg = NULL;
	}
	switch (type) {
	case FT_HEADERS:
	case FT_PUSH_PROMISE: {
		uint8_t pad = 0;
		if (flags & FL_PADDED)
			pad = rd_u8(&r);
		uint32_t promised = 0;
		if (type == FT_PUSH_PROMISE)
			promised = rd_be32(&r) & 0x7fffffffu;
		else if (flags & FL_PRIORITY)
			rd_skip(&r, 5);
		if (!rd_ok(&r) || pad > rd_left(&r) || sid == 0) {
			struct appmsg *m = frame_msg(st, dir, off, end, type == FT_HEADERS ? "HEADERS (malformed)" : "PUSH_PROMISE (malformed)");
			appmsg_note(m, EV(BAD_FRAME), co, sid == 0 ? "a header block on stream 0" : "padding longer than the frame");
			app_msg_done(L, m);
			/* the block cannot be read: HPACK state cannot be kept */
			d->hpack_broken = 2;
			d->broken_at = co;
			return;
		}
		size_t blen = rd_left(&r) - pad;
		hb_begin(st, dir, sid, promised, type == FT_PUSH_PROMISE, (flags & FL_END_STREAM) && type == FT_HEADERS,
			 off);
		hb_fragment(st, dir, rd_here(&r), blen, !!(flags & FL_END_HEADERS), off);
		break;
	}
	case FT_CONTINUATION:
		if (!d->hb_active || sid != d->hb_stream) {
			struct appmsg *m = frame_msg(st, dir, off, end, "CONTINUATION without a header block");
			appmsg_note(m, EV(STRAY_CONTINUATION), co, "CONTINUATION on stream %" PRIu32 " with no header block open", sid);
			app_msg_done(L, m);
			return;
		}
		snprintf(sum, sizeof sum, "stream %" PRIu32 ": %" PRIu32 " more bytes of the header block%s", sid, len,
			 flags & FL_END_HEADERS ? ", END_HEADERS" : "");
		app_msg_done(L, kind_msg(st, dir, "continuation", off, end, sum));
		hb_fragment(st, dir, pl, len, !!(flags & FL_END_HEADERS), off);
		break;
	case FT_PRIORITY: {
		uint32_t dep = rd_be32(&r);
		uint8_t wt = rd_u8(&r);
		int n = snprintf(sum, sizeof sum, "stream %" PRIu32 " depends on %" PRIu32 "%s, weight %u", sid,
				 dep & 0x7fffffffu, dep >> 31 ? " (exclusive)" : "", wt + 1u);
		struct appmsg *m = kind_msg(st, dir, "priority", off, end, rd_ok(&r) && len == 5 ? sum : "malformed");
		(void)n;
		if (len != 5)
			appmsg_note(m, EV(BAD_FRAME), co, "PRIORITY of %" PRIu32 " bytes (must be 5)", len);
		app_msg_done(L, m);
		return;
	}
	case FT_RST_STREAM: {
		uint32_t code = rd_be32(&r);
		err_words(code, words, sizeof words);
		snprintf(sum, sizeof sum, "stream %" PRIu32 ": %s", sid, words);
		struct appmsg *m = kind_msg(st, dir, "rst_stream", off, end, sum);
		if (len != 4 || sid == 0)
			appmsg_note(m, EV(BAD_FRAME), co, "RST_STREAM of %" PRIu32 " bytes on stream %" PRIu32, len, sid);
		if (code == 8 && dir == 0)
			appmsg_note(m, EV(RST), co, "the client gave up on stream %" PRIu32 ": %s", sid, words);
		else if (code == 7 && dir == 1)
			appmsg_note(m, EV(RST), co,
				    "the server refused stream %" PRIu32 " before doing anything with it: the client may retry it", sid);
		else
			appmsg_note(m, EV(RST), co, "the %s reset stream %" PRIu32 ": %s", dir ? "server" : "client", sid, words);
		app_msg_done(L, m);
		struct h2_stream *s = stream_find(st, sid);
		if (s) {
			for (int k = 0; k < 2; k++) {
				if (s->cur[k])
					appmsg_note(s->cur[k], EV(RST), co, "stream %" PRIu32 " reset by the %s before this message ended: %s",
						    sid, dir ? "server" : "client", words);
				msg_finish(st, s, k, s->cur[k] ? s->cur[k]->end : 0, 0);
			}
			if (s->req != APPMSG_NONE && !s->had_headers[1]) {
				struct appmsg *rq = app_msg(L, s->req);
				if (rq && rq != s->cur[0])
					appmsg_note(rq, EV(RST), co, "stream %" PRIu32 " reset by the %s before a response: %s", sid,
						    dir ? "server" : "client", words);
			}
			stream_drop(st, s);
		}
		return;
	}
	case FT_SETTINGS: {
		if (flags & FL_ACK) {
			struct appmsg *m = kind_msg(st, dir, "settings", off, end, "ack: the peer's settings are in force");
			if (len)
				appmsg_note(m, EV(BAD_FRAME), co, "a SETTINGS ack with a payload");
			app_msg_done(L, m);
			return;
		}
		int n = 0;
		sum[0] = '\0';
		int bad = len % 6 != 0 || sid != 0;
		struct h2_dir *peer = &st->d[1 - dir];
		while (rd_left(&r) >= 6) {
			uint16_t id = rd_be16(&r);
			uint32_t v = rd_be32(&r);
			const char *nm = setting_name(id);
			if (n >= 0 && (size_t)n < sizeof sum - 64) {
				if (nm)
					n += snprintf(sum + n, sizeof sum - (size_t)n, "%s%s=%" PRIu32, n ? " " : "", nm, v);
				else
					n += snprintf(sum + n, sizeof sum - (size_t)n, "%s0x%x=%" PRIu32, n ? " " : "", id, v);
			}
			if (id == 1) { /* the table the peer's encoder may use to send to this side */
				peer->table_max = v < H2_HPACK_TABLE_MAX ? v : H2_HPACK_TABLE_MAX;
				if (peer->inf)
					nghttp2_hd_inflate_change_table_size(peer->inf, peer->table_max);
			} else if (id == 4 && v <= 0x7fffffffu) {
				int64_t delta = (int64_t)v - peer->init_win;
				peer->init_win = v;
				for (size_t i = 0; i < st->n_s; i++)
					st->s[i]->win[1 - dir] += delta;
			} else if (id == 5 && v >= 16384 && v <= H2_FRAME_MAX)
				peer->max_frame = v;
		}
		struct appmsg *m = kind_msg(st, dir, "settings", off, end, n == 0 ? "none: the defaults" : sum);
		if (bad)
			appmsg_note(m, EV(BAD_FRAME), co, "SETTINGS of %" PRIu32 " bytes on stream %" PRIu32 " (a multiple of 6 on stream 0)",
				    len, sid);
		app_msg_done(L, m);
		return;
	}
	case FT_PING: {
		uint64_t v = rd_be64(&r);
		snprintf(sum, sizeof sum, "%s0x%016" PRIx64, flags & FL_ACK ? "ack " : "", v);
		struct appmsg *m = kind_msg(st, dir, "ping", off, end, sum);
		if (len != 8 || sid)
			appmsg_note(m, EV(BAD_FRAME), co, "PING of %" PRIu32 " bytes on stream %" PRIu32 " (8 on stream 0)", len, sid);
		app_msg_done(L, m);
		return;
	}
	case FT_GOAWAY: {
		uint32_t last = rd_be32(&r) & 0x7fffffffu;
		uint32_t code = rd_be32(&r);
		err_words(code, words, sizeof words);
		size_t dl = rd_ok(&r) ? rd_left(&r) : 0;
		int n = snprintf(sum, sizeof sum, "last stream %" PRIu32 ": %s", last, words);
		if (dl && n > 0 && (size_t)n < sizeof sum - 20)
			snprintf(sum + n, sizeof sum - (size_t)n, ", debug '%.*s'", (int)(dl > 100 ? 100 : dl),
				 (const char *)rd_here(&r));
		struct appmsg *m = kind_msg(st, dir, "goaway", off, end, sum);
		if (len < 8 || sid)
			appmsg_note(m, EV(BAD_FRAME), co, "GOAWAY of %" PRIu32 " bytes on stream %" PRIu32, len, sid);
		if (dir)
			appmsg_note(m, EV(GOAWAY), co,
				    "the server closes the connection: streams above %" PRIu32
				    " were not processed and may be retried on a new one; %s",
				    last, words);
		else
			appmsg_note(m, EV(GOAWAY), co, "the client closes the connection (last pushed stream it took: %" PRIu32 "); %s",
				    last, words);
		app_msg_done(L, m);
		return;
	}
	case FT_WINDOW_UPDATE: {
		uint32_t inc = rd_be32(&r) & 0x7fffffffu;
		if (sid)
			snprintf(sum, sizeof sum, "stream %" PRIu32 " +%" PRIu32 " bytes", sid, inc);
		else
			snprintf(sum, sizeof sum, "connection (stream 0) +%" PRIu32 " bytes", inc);
		struct appmsg *m = kind_msg(st, dir, "window_update", off, end, sum);
		if (len != 4 || inc == 0)
			appmsg_note(m, EV(BAD_FRAME), co, len != 4 ? "WINDOW_UPDATE of %" PRIu32 " bytes (must be 4)"
								    : "WINDOW_UPDATE with increment 0 (PROTOCOL_ERROR)",
				    len);
		app_msg_done(L, m);
		struct h2_dir *peer = &st->d[1 - dir];
		if (sid == 0) {
			peer->conn_win += inc;
			if (peer->conn_win > 0)
				peer->stalled_said = 0;
		} else {
			struct h2_stream *s = stream_find(st, sid);
			if (s) {
				s->win[1 - dir] += inc;
				if (s->win[1 - dir] > 0)
					s->stalled_said[1 - dir] = 0;
			}
		}
		return;
	}
	default: {
		snprintf(sum, sizeof sum, "type 0x%02x on stream %" PRIu32 ", %" PRIu32 " bytes", type, sid, len);
		struct appmsg *m = kind_msg(st, dir, "unknown", off, end, sum);
		appmsg_note(m, EV(UNKNOWN_FRAME), co, "type 0x%02x is not defined by RFC 9113: ignored (§5.5)", type);
		app_msg_done(L, m);
		return;
	}
	}
	/* HEADERS, PUSH_PROMISE, CONTINUATION */
	if (!(flags & FL_END_HEADERS) && d->hb_active)
		return;
	if (d->hb_active || type == FT_CONTINUATION || type == FT_HEADERS || type == FT_PUSH_PROMISE) {
		int end_stream = d->hb_end_stream && d->hb_type != 1;
		uint32_t sid2 = d->hb_stream;
		hb_end(st, dir, end);
		if (end_stream) {
			struct h2_stream *s = stream_find(st, sid2);
			if (s) {
				s->ended[dir] = 1;
				msg_finish(st, s, dir, end, 1);
				stream_maybe_close(st, s);
			}
		}
	}
}

/* Reads side dir's frames out of p[0..n) (own offset off). */
static struct feed_res h2_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct h2_state *st = vst;
	st->L = L;
	struct h2_dir *d = &st->d[dir];
	size_t used = 0;
	int cut = !!(flags & (FEED_EOF | FEED_GAP));
	if (d->dead)
		return feed_took(n);
	static const uint8_t none[1];
	if (!p)
		p = none; /* an end with no bytes (n == 0) can still end a DATA frame's payload */
	while (used < n || d->in_data) {
		const uint8_t *q = p + used;
		size_t left = n - used;
		uint64_t at = off + used;
		if (d->need_preface) {
			size_t k = left < PREFACE_LEN ? left : PREFACE_LEN;
			if (memcmp(q, PREFACE, k) != 0) {
				struct appmsg *m = frame_msg(st, dir, at, at + left, "not the HTTP/2 preface");
				appmsg_note(m, EV(BAD_PREFACE), app_conn_off(L, dir, at),
					    "the client's first bytes are not \"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\"");
				app_msg_done(L, m);
				d->dead = 1;
				return feed_took(n);
			}
			if (left < PREFACE_LEN) {
				if (cut) {
					set_dead(st, dir, at, "the stream ends inside the connection preface");
					return feed_took(n);
				}
				return feed_need(used, PREFACE_LEN);
			}
			struct appmsg *m = frame_msg(st, dir, at, at + PREFACE_LEN, "HTTP/2 connection preface");
			appmsg_note(m, EV(PREFACE), app_conn_off(L, dir, at), "the client speaks HTTP/2 from here");
			app_msg_done(L, m);
			d->need_preface = 0;
			used += PREFACE_LEN;
			continue;
		}
		if (d->in_data) {
			size_t k = d->data_left < left ? d->data_left : left;
			data_bytes(st, dir, q, k, at);
			d->data_left -= (uint32_t)k;
			used += k;
			left -= k;
			q += k;
			if (d->data_left)
				break;
			size_t pk = d->pad_left < left ? d->pad_left : left;
			d->pad_left -= (uint32_t)pk;
			used += pk;
			if (d->pad_left)
				break;
			d->in_data = 0;
			if (d->data_flags & FL_END_STREAM)
				run_finish(st, dir);
			struct h2_stream *s = stream_find(st, d->data_stream);
			if (s && (d->data_flags & FL_END_STREAM)) {
				s->ended[dir] = 1;
				msg_finish(st, s, dir, d->data_end, 1);
				stream_maybe_close(st, s);
			}
			continue;
		}
		if (left < 9) {
			if (cut && left) {
				struct appmsg *m = frame_msg(st, dir, at, at + left, "part of a frame header");
				m->flags |= AM_INCOMPLETE;
				appmsg_note(m, EV(TRUNCATED), app_conn_off(L, dir, at), "the stream ends %zu bytes into a frame header",
					    left);
				app_msg_done(L, m);
				used = n;
				if (flags & FEED_GAP)
					d->dead = 2; /* gap() says what follows is lost */
			}
			return used == n ? feed_took(n) : feed_need(used, 9);
		}
		struct rd r = rd_make(q, left);
		uint32_t len = rd_be24(&r);
		uint8_t type = rd_u8(&r), fl = rd_u8(&r);
		uint32_t sid = rd_be32(&r) & 0x7fffffffu;
		d->frames++;
		if (d->run && (type != FT_DATA || sid != d->run_stream))
			run_finish(st, dir);
		if (len > d->max_frame) {
			char sum[96];
			snprintf(sum, sizeof sum, "%s frame of %" PRIu32 " bytes", type < 10 ? frame_names[type] : "unknown", len);
			struct appmsg *m = frame_msg(st, dir, at, at + 9, sum);
			appmsg_note(m, EV(FRAME_TOO_BIG), app_conn_off(L, dir, at),
				    "a frame of %" PRIu32 " bytes: the receiver allows %" PRIu32 " (SETTINGS_MAX_FRAME_SIZE)", len,
				    d->max_frame);
			app_msg_done(L, m);
		}
		if (type == FT_DATA) {
			uint8_t pad = 0;
			size_t hl = 9;
			if (fl & FL_PADDED) {
				if (left < 10 && !cut)
					return feed_need(used, 10);
				if (len < 1 || left < 10) {
					set_dead(st, dir, at, "a padded DATA frame too short for its pad length");
					return feed_took(n);
				}
				pad = q[9];
				hl = 10;
				if (pad > len - 1) {
					set_dead(st, dir, at, "DATA padding longer than the frame (PROTOCOL_ERROR)");
					return feed_took(n);
				}
			}
			struct h2_stream *s = sid ? stream_find(st, sid) : NULL;
			if (sid == 0) {
				set_dead(st, dir, at, "DATA on stream 0 (PROTOCOL_ERROR)");
				return feed_took(n);
			}
			run_add(st, dir, sid, len, fl, at);
			d->data_flags = fl; /* window_check reads END_STREAM */
			if (s && !s->cur[dir] && !s->ended[dir]) {
				/* DATA without HEADERS: the body of a message not seen to begin */
				struct appmsg *m = app_msg_begin(L, dir, "body", at);
				char sum[96];
				int w = snprintf(sum, sizeof sum, "DATA on stream %" PRIu32 " without HEADERS", sid);
				appmsg_set_summary(m, sum, (size_t)w);
				appmsg_note(m, EV(DATA_NO_HEADERS), app_conn_off(L, dir, at),
					    "DATA on stream %" PRIu32 " whose HEADERS were not seen", sid);
				s->cur[dir] = m;
			} else if (!s) {
				s = stream_new(st, sid, at);
				if (s) {
					struct appmsg *m = app_msg_begin(L, dir, "body", at);
					char sum[96];
					int w = snprintf(sum, sizeof sum, "DATA on stream %" PRIu32 " without HEADERS", sid);
					appmsg_set_summary(m, sum, (size_t)w);
					appmsg_note(m, EV(DATA_NO_HEADERS), app_conn_off(L, dir, at),
						    "DATA on stream %" PRIu32 " whose HEADERS were not seen", sid);
					s->cur[dir] = m;
				}
			}
			if (s) {
				s->win[dir] -= len;
				d->conn_win -= len;
				window_check(st, s, dir, at);
				if (s->cur[dir])
					app_msg_end(L, s->cur[dir], at + 9 + len);
			} else {
				d->conn_win -= len;
			}
			d->in_data = 1;
			d->data_stream = sid;
			d->data_flags = fl;
			d->data_left = len - (uint32_t)(hl - 9) - pad;
			d->pad_left = pad;
			d->data_end = at + 9 + len;
			used += hl;
			continue;
		}
		if (len > left - 9) {
			if (cut) {
				char sum[96];
				snprintf(sum, sizeof sum, "%s frame cut short", type < 10 ? frame_names[type] : "unknown");
				struct appmsg *m = frame_msg(st, dir, at, at + left, sum);
				m->flags |= AM_INCOMPLETE;
				appmsg_note(m, EV(TRUNCATED), app_conn_off(L, dir, at),
					    "the stream ends %zu bytes into a frame of %" PRIu32 " bytes", left - 9, len);
				app_msg_done(L, m);
				if (type == FT_HEADERS || type == FT_PUSH_PROMISE || type == FT_CONTINUATION) {
					d->hpack_broken = 1;
					d->broken_at = app_conn_off(L, dir, at);
				}
				if (flags & FEED_GAP)
					d->dead = 2;
				return feed_took(n);
			}
			return feed_need(used, 9 + (size_t)len);
		}
		control_frame(st, dir, type, fl, sid, q + 9, len, at);
		used += 9 + (size_t)len;
	}
	return feed_took(used);
}

static void h2_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct h2_state *st = vst;
	st->L = L;
	struct h2_dir *d = &st->d[dir];
	if (d->dead == 1)
		return;
	if (d->in_data && len <= d->data_left) {
		/* inside a DATA payload: body bytes lost, the framing and HPACK state kept */
		struct h2_stream *s = stream_find(st, d->data_stream);
		if (s && s->cur[dir]) {
			struct appmsg *m = s->cur[dir];
			if (m->http)
				m->http->lost += len;
			appmsg_note(m, EV(BODY_GAP), app_conn_off(L, dir, off), "%" PRIu64 " body bytes were not captured", len);
			if (s->content[dir])
				app_write_gap(s->content[dir], dir, len);
			else
				app_body(L, m)->incomplete = 1;
			struct grpc_rd *g = s->g[dir];
			if (g && g->m)
				grpc_end(st, s, dir, off, 0);
			if (s->g[dir])
				s->g[dir]->have = 0, s->g[dir]->left = 0;
			s->grpc = 0; /* message boundaries are lost with the bytes */
		}
		d->data_left -= (uint32_t)len;
		return;
	}
	d->dead = 0;
	set_dead(st, dir, off, "bytes outside a DATA payload were not captured");
}

static void h2_finish(void *vst, struct layer *L)
{
	struct h2_state *st = vst;
	st->L = L;
	run_finish(st, 0);
	run_finish(st, 1);
	while (st->n_s) {
		struct h2_stream *s = st->s[st->n_s - 1];
		for (int k = 0; k < 2; k++) {
			if (s->cur[k]) {
				appmsg_note(s->cur[k], EV(STREAM_CUT), app_conn_off(L, k, s->cur[k]->end),
					    "the connection ended before stream %" PRIu32 " did", s->id);
				msg_finish(st, s, k, s->cur[k]->end, 0);
			}
		}
		stream_drop(st, s);
	}
	for (int k = 0; k < 2; k++) {
		struct h2_dir *d = &st->d[k];
		if (d->hb_active && d->hb_type == 1 && d->hb_msg && !d->hb_msg->done) {
			d->hb_msg->flags |= AM_INCOMPLETE;
			app_msg_done(L, d->hb_msg);
		}
		d->hb_active = 0;
		d->hb_msg = NULL;
	}
}

static void h2_fini(void *vst)
{
	struct h2_state *st = vst;
	for (int k = 0; k < 2; k++) {
		if (st->d[k].inf)
			nghttp2_hd_inflate_del(st->d[k].inf);
		st->d[k].inf = NULL;
	}
	for (size_t i = 0; i < st->n_s; i++) {
		for (int d = 0; d < 2; d++)
			xfree(st->s[i]->g[d]);
		xfree(st->s[i]);
	}
	xfree(st->s);
	st->s = NULL;
	st->n_s = st->cap_s = 0;
}

static void h2_init(void *vst, struct layer *L, const struct layer_open *how)
{
	struct h2_state *st = vst;
	st->L = L;
	st->upgrade_req = APPMSG_NONE;
	for (int k = 0; k < 2; k++) {
		struct h2_dir *d = &st->d[k];
		d->inf = NULL; /* at the side's first header block */
		d->table_max = UINT32_MAX;
		d->conn_win = 65535;
		d->init_win = 65535;
		d->max_frame = 16384;
	}
	st->d[0].need_preface = 1;
	if (how && how->msg[0] != APPMSG_NONE) {
		/* h2c: stream 1 is the upgraded request, half closed by the client (RFC 7540 §3.2) */
		struct h2_stream *s = stream_new(st, 1, 0);
		if (s) {
			s->req = how->msg[0];
			app_msg_hold(L, s->req);
			s->ended[0] = 1;
			s->had_headers[0] = 1;
		}
		st->upgrade_req = how->msg[0];
	}
}

static int h2_probe(const uint8_t *p, size_t n, int dir)
{
	if (dir == 0) {
		size_t k = n < PREFACE_LEN ? n : PREFACE_LEN;
		if (memcmp(p, PREFACE, k) != 0)
			return PROBE_NO;
		return n >= PREFACE_LEN ? PROBE_YES : PROBE_MAYBE;
	}
	/* the server's first frame is SETTINGS on stream 0 (§3.4) */
	if (n < 9)
		return n >= 4 && p[3] != FT_SETTINGS ? PROBE_NO : PROBE_MAYBE;
	struct rd r = rd_make(p, 9);
	uint32_t len = rd_be24(&r);
	uint8_t type = rd_u8(&r), fl = rd_u8(&r);
	uint32_t sid = rd_be32(&r);
	return type == FT_SETTINGS && fl == 0 && sid == 0 && len % 6 == 0 ? PROBE_MAYBE : PROBE_NO;
}

const struct proto_desc proto_http2 = {
	.name = "http2",
	.what = "HTTP/2 frames, HPACK headers (libnghttp2) and streams as exchanges",
	.role = PROTO_STREAM,
	.transport = 6,
	.ports = { 0 },
	.events = h2_events,
	.probe = h2_probe,
	.state_size = sizeof(struct h2_state),
	.init = h2_init,
	.feed = h2_feed,
	.gap = h2_gap,
	.finish = h2_finish,
	.fini = h2_fini,
};
