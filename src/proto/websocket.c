/* websocket.c: WebSocket (RFC 6455) after an HTTP/1.1 Upgrade (http.c hands the
 * connection over): the handshake check (Sec-WebSocket-Accept = base64(SHA-1(key +
 * GUID)), §4.2.2), then frames (§5.2): FIN, RSV1-3, opcode, mask bit and key, 7/16/64-
 * bit payload length, the unmasked payload; close code and reason (§5.5.1, §7.4);
 * fragmented messages reassembled (§5.4); permessage-deflate (RFC 7692) inflated,
 * with or without context takeover.
 *
 * Trust model: untrusted input; the header is read through struct rd; the 64-bit
 * length is capped (WS_FRAME_KEEP) before anything is allocated: longer payloads are
 * counted and skipped, not stored. Rule violations (unmasked client frame, fragmented
 * control frame, reserved opcode...) are notes with the byte offset. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/sha.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* Payload bytes of one frame kept (and shown): frames past this are skipped as they
 * stream by; a 64-bit length can claim exabytes. */
#define WS_FRAME_KEEP ((uint64_t)1 << 20)
/* A reassembled (fragmented) message kept up to this size. */
#define WS_MSG_MAX ((size_t)16 << 20)
/* Inflated size of one message: RFC 7692 data is as bomb-prone as gzip. Inflating
 * stops there (or where the capture's decode allowance ends, proto.h APP_DECODE_FREE):
 * the note websocket.inflate_capped says so. */
#define WS_INFLATE_MAX ((size_t)16 << 20)
/* Inflated bytes kept (and shown) per message: what a frame keeps; the rest of what
 * inflated is counted. */
#define WS_INFLATE_KEEP ((size_t)WS_FRAME_KEEP)

enum {
	WE_ACCEPT_OK, WE_ACCEPT_BAD, WE_ACCEPT_MISSING, WE_TRUNCATED, WE_CLIENT_UNMASKED, WE_SERVER_MASKED, WE_RSV_WITHOUT_EXTENSION, WE_RSV_BITS, WE_RESERVED_OPCODE, WE_BAD_CONTROL, WE_FRAME_SKIPPED, WE_BAD_CLOSE_CODE, WE_CLOSE_ONE_BYTE, WE_INTERLEAVED, WE_STRAY_CONTINUATION, WE_MESSAGE_CUT, WE_INFLATED, WE_INFLATE_FAILED, WE_INFLATE_CAPPED, WE_BAD_LENGTH, WE_COUNT
};

static const struct app_event ws_events[WE_COUNT + 1] = {
	[WE_ACCEPT_OK] = { "websocket.accept_ok", SEV_CHAT, "Sec-WebSocket-Accept matches the key (RFC 6455 §4.2.2)" },
	[WE_ACCEPT_BAD] = { "websocket.accept_bad", SEV_ERROR, "Sec-WebSocket-Accept does not match the key: a client must fail the connection" },
	[WE_ACCEPT_MISSING] = { "websocket.accept_missing", SEV_NOTE, "the handshake lacks Sec-WebSocket-Key or Sec-WebSocket-Accept" },
	[WE_TRUNCATED] = { "websocket.truncated", SEV_NOTE, "the stream ends inside a frame" },
	[WE_CLIENT_UNMASKED] = { "websocket.client_unmasked", SEV_ERROR, "a client frame not masked (RFC 6455 §5.1: the server must close)" },
	[WE_SERVER_MASKED] = { "websocket.server_masked", SEV_ERROR, "a server frame masked (RFC 6455 §5.1: the client must close)" },
	[WE_RSV_WITHOUT_EXTENSION] = { "websocket.rsv_without_extension", SEV_ERROR, "RSV1 set but no extension was negotiated" },
	[WE_RSV_BITS] = { "websocket.rsv_bits", SEV_ERROR, "RSV2 or RSV3 set: no extension defines them" },
	[WE_RESERVED_OPCODE] = { "websocket.reserved_opcode", SEV_ERROR, "a reserved opcode (RFC 6455 §5.2)" },
	[WE_BAD_CONTROL] = { "websocket.bad_control", SEV_ERROR, "a control frame longer than 125 bytes or fragmented (RFC 6455 §5.5)" },
	[WE_FRAME_SKIPPED] = { "websocket.frame_skipped", SEV_NOTE, "a frame payload larger than chattcp keeps (1 MiB): counted, not kept" },
	[WE_BAD_CLOSE_CODE] = { "websocket.bad_close_code", SEV_WARN, "a close code that must not be sent (RFC 6455 §7.4.1)" },
	[WE_CLOSE_ONE_BYTE] = { "websocket.close_one_byte", SEV_ERROR, "a close payload of 1 byte: a code needs 2 (RFC 6455 §5.5.1)" },
	[WE_INTERLEAVED] = { "websocket.interleaved", SEV_ERROR, "a new data frame inside a fragmented message (RFC 6455 §5.4)" },
	[WE_STRAY_CONTINUATION] = { "websocket.stray_continuation", SEV_ERROR, "a continuation frame without a message to continue" },
	[WE_MESSAGE_CUT] = { "websocket.message_cut", SEV_NOTE, "a fragmented message larger than chattcp keeps (16 MiB): only its start is kept" },
	[WE_INFLATED] = { "websocket.inflated", SEV_CHAT, "a permessage-deflate message, inflated (RFC 7692)" },
	[WE_INFLATE_FAILED] = { "websocket.inflate_failed", SEV_ERROR, "permessage-deflate data that does not inflate" },
	[WE_INFLATE_CAPPED] = { "websocket.inflate_capped", SEV_NOTE, "a permessage-deflate message inflates past what chattcp inflates (16 MiB a message, and an allowance per capture): the rest is not inflated" },
	[WE_BAD_LENGTH] = { "websocket.bad_length", SEV_ERROR, "a 64-bit payload length with its most significant bit set, or a length not in its shortest form (RFC 6455 §5.2)" },
	[WE_COUNT] = { NULL, 0, NULL },
};

#define EV(x) (&ws_events[WE_##x])

static const char WS_GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; /* RFC 6455 §1.3 */

struct ws_dir {
	uint64_t skip;       /* payload bytes of an oversized frame still to pass */
	int in_msg;          /* inside a fragmented message */
	int msg_opcode, msg_compressed;
	uint8_t *msg;
	size_t msg_len;
	int msg_cut;
	z_stream z;
	int z_on;
};

struct ws_state {
	struct ws_dir d[2];
	int budget_said[2];          /* a payload was cut for the memory budget (said once) */
	int deflate;                 /* permessage-deflate negotiated */
	int no_takeover[2];          /* client_/server_no_context_takeover, by sender */
	uint64_t n_frames[2];
};

static const char *const opnames[16] = {
	"continuation", "text", "binary", "reserved-3", "reserved-4", "reserved-5", "reserved-6", "reserved-7",
	"close", "ping", "pong", "reserved-B", "reserved-C", "reserved-D", "reserved-E", "reserved-F",
};

static int ws_probe(const uint8_t *p, size_t n, int dir)
{
	(void)p, (void)n, (void)dir;
	return PROBE_NO; /* only after an Upgrade, or with --decode-as websocket */
}


static void ws_fini(void *vst)
{
	struct ws_state *st = vst;
	for (int i = 0; i < 2; i++) {
		xfree(st->d[i].msg);
		if (st->d[i].z_on)
			inflateEnd(&st->d[i].z);
	}
}

/* The handshake this connection switched with (how->msg: the Upgrade request and the
 * 101 response): the Accept check, and RFC 7692 §7.1.2 parameters in the server's
 * Sec-WebSocket-Extensions answer. */
static void ws_init(void *vst, struct layer *L, const struct layer_open *how)
{
	struct ws_state *st = vst;
	if (!how || how->msg[1] == APPMSG_NONE)
		return; /* --decode-as websocket: no handshake seen */
	uint32_t req = how->msg[0], resp = how->msg[1];
	const struct appkv *key = req != APPMSG_NONE ? appmsg_find(app_msg(L, req), "Sec-WebSocket-Key") : NULL;
	struct appmsg *rm = app_msg(L, resp);
	const struct appkv *acc = appmsg_find(rm, "Sec-WebSocket-Accept");
	if (key && acc) {
		char buf[256];
		uint8_t d[20];
		char want[32];
		int n = snprintf(buf, sizeof buf, "%s%s", key->value, WS_GUID);
		sha1(buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : 0, d);
		base64_encode(d, 20, want);
		if (strcmp(want, acc->value) == 0)
			appmsg_note(rm, EV(ACCEPT_OK), rm->off, "Sec-WebSocket-Accept matches the key (RFC 6455 §4.2.2)");
		else
			appmsg_note(rm, EV(ACCEPT_BAD), rm->off,
				    "Sec-WebSocket-Accept is %s, the key gives %s: a client must fail the connection",
				    acc->value, want);
	} else {
		appmsg_note(rm, EV(ACCEPT_MISSING), rm->off, "handshake without %s",
			    key ? "Sec-WebSocket-Accept" : "Sec-WebSocket-Key (request not seen?)");
	}
	const struct appkv *ext = appmsg_find(rm, "Sec-WebSocket-Extensions");
	if (ext && strstr(ext->value, "permessage-deflate")) {
		st->deflate = 1;
		st->no_takeover[0] = strstr(ext->value, "client_no_context_takeover") != NULL;
		st->no_takeover[1] = strstr(ext->value, "server_no_context_takeover") != NULL;
	}
}

/* The end offset of a frame: off + hl + len can pass 2^64 (a 64-bit length near it),
 * so it saturates instead of wrapping to an offset before the frame. */
static uint64_t frame_end(uint64_t off, size_t hl, uint64_t len)
{
	uint64_t e;
	if (__builtin_add_overflow(off, (uint64_t)hl, &e) || __builtin_add_overflow(e, len, &e))
		return UINT64_MAX;
	return e;
}

/* Payload bytes message m may keep: WS_INFLATE_KEEP, or none once the memory budget is
 * spent (said on the first message it cuts, per direction). */
static size_t payload_keep(struct ws_state *st, struct layer *L, struct appmsg *m, int dir, size_t want)
{
	int spent = app_budget_spent(L);
	if (!spent)
		return want;
	if (!st->budget_said[dir]) {
		st->budget_said[dir] = 1;
		appmsg_note(m, &appmsg_events[APPEV_BUDGET_EXHAUSTED], m->off,
			    "payloads of this and later messages this way are not kept: the %s memory budget is spent "
			    "(payload_len still says how long each was)",
			    spent == 2 ? "capture's" : "connection's");
	}
	return 0;
}

/* Inflates one compressed message (RFC 7692 §7.2.2: append 00 00 ff ff, inflate raw
 * deflate; keep the window between messages unless no_context_takeover). Keeps the
 * first `keep` inflated bytes in out and counts all of them in *total. Returns 0, -1
 * when the data does not inflate, -2 when inflating stopped at the cap (*why: 1 the
 * per-message cap, 2 the capture's allowance). */
static int inflate_msg(struct ws_state *st, struct layer *L, int dir, const uint8_t *p, size_t n, struct strbuf *out,
		       size_t keep, uint64_t *total, int *why)
{
	struct ws_dir *d = &st->d[dir];
	*total = 0;
	if (!d->z_on) {
		memset(&d->z, 0, sizeof d->z);
		if (inflateInit2(&d->z, -15) != Z_OK)
			return -1;
		d->z_on = 1;
	} else if (st->no_takeover[dir]) {
		inflateReset(&d->z);
	}
	*why = 1;
	uint64_t max = app_decode_room(L, 0, why);
	if (max > WS_INFLATE_MAX) {
		max = WS_INFLATE_MAX;
		*why = 1;
	}
	static const uint8_t tail[4] = { 0, 0, 0xff, 0xff };
	uint8_t buf[8192];
	int rc_out = 0;
	for (int part = 0; part < 2 && !rc_out; part++) {
		d->z.next_in = (Bytef *)(uintptr_t)(part ? tail : p);
		d->z.avail_in = (uInt)(part ? 4 : n);
		while (d->z.avail_in) {
			d->z.next_out = buf;
			d->z.avail_out = sizeof buf;
			int rc = inflate(&d->z, Z_SYNC_FLUSH);
			size_t got = sizeof buf - d->z.avail_out;
			if (*total + got > max) {
				got = (size_t)(max - *total);
				rc_out = -2;
			}
			if (out->len < keep)
				sb_add(out, (const char *)buf, got < keep - out->len ? got : keep - out->len);
			*total += got;
			if (rc_out)
				break;
			if (rc == Z_STREAM_END || rc == Z_BUF_ERROR)
				break;
			if (rc != Z_OK) {
				rc_out = -1;
				break;
			}
		}
	}
	app_decoded(L, *total);
	if (rc_out == -2)
		inflateReset(&d->z); /* the rest of this message was not inflated: its window is gone */
	return rc_out;
}

/* Adds the message payload (decoded when compressed) to frame message ix. */
static void message_payload(struct ws_state *st, struct layer *L, struct appmsg *m, int dir, int opcode,
			    int compressed, const uint8_t *p, size_t n, const char *field)
{
	if (compressed) {
		struct strbuf b;
		sb_init(&b);
		uint64_t total = 0;
		int why = 1;
		int rc = inflate_msg(st, L, dir, p, n, &b, payload_keep(st, L, m, dir, WS_INFLATE_KEEP), &total, &why);
		if (rc == 0) {
			appmsg_kv(m, field, b.s ? b.s : "", b.len);
			if (total > b.len)
				appmsg_note(m, EV(INFLATED), m->off,
					    "permessage-deflate: %zu bytes inflated to %" PRIu64 " (RFC 7692); the first %zu are kept",
					    n, total, b.len);
			else
				appmsg_note(m, EV(INFLATED), m->off, "permessage-deflate: %zu bytes inflated to %zu (RFC 7692)",
					    n, b.len);
		} else if (rc == -2) {
			appmsg_kv(m, field, b.s ? b.s : "", b.len);
			if (why == 2)
				appmsg_note(m, EV(INFLATE_CAPPED), m->off,
					    "permessage-deflate: inflating stopped after %" PRIu64 " bytes because the capture's "
					    "decode allowance is spent; the rest is not inflated (%zu bytes kept)",
					    total, b.len);
			else
				appmsg_note(m, EV(INFLATE_CAPPED), m->off,
					    "permessage-deflate: the message inflates past %zu bytes, the most chattcp inflates "
					    "per message; the rest is not inflated (%zu bytes kept)",
					    WS_INFLATE_MAX, b.len);
		} else {
			appmsg_note(m, EV(INFLATE_FAILED), m->off, "permessage-deflate data does not inflate");
			appmsg_kv(m, field, (const char *)p, payload_keep(st, L, m, dir, n));
		}
		p = (const uint8_t *)m->kv[m->n_kv - 1].value;
		n = m->kv[m->n_kv - 1].value_len;
		sb_fini(&b);
	} else {
		appmsg_kv(m, field, (const char *)p, payload_keep(st, L, m, dir, n));
		n = m->kv[m->n_kv - 1].value_len;
	}
	/* summary: opcode and the start of text */
	struct strbuf s;
	sb_init(&s);
	sb_puts(&s, m->summary ? m->summary : "");
	if (opcode == 1 && n) {
		size_t k = n < 60 ? n : 60;
		sb_puts(&s, " '");
		for (size_t i = 0; i < k; i++)
			sb_putc(&s, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
		sb_puts(&s, k < n ? "...'" : "'");
	}
	appmsg_set_summary(m, s.s, s.len);
	sb_fini(&s);
}

static struct feed_res ws_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
			       int flags)
{
	struct ws_state *st = vst;
	struct ws_dir *d = &st->d[dir];
	if (d->skip) {
		size_t k = n < d->skip ? n : (size_t)d->skip;
		d->skip -= k;
		return feed_took(k);
	}
	/* notes name the byte in the connection's stream */
	uint64_t at = app_conn_off(L, dir, off);
	struct rd r = rd_make(p, n);
	uint8_t b0 = rd_u8(&r), b1 = rd_u8(&r);
	uint64_t len = b1 & 0x7f;
	if (len == 126)
		len = rd_be16(&r);
	else if (len == 127)
		len = rd_be64(&r);
	uint8_t key[4] = { 0, 0, 0, 0 };
	int masked = (b1 & 0x80) != 0;
	if (masked) {
		const uint8_t *k = rd_bytes(&r, 4);
		if (k)
			memcpy(key, k, 4);
	}
	size_t hl = r.off;
	int whole = rd_ok(&r) && (len <= WS_FRAME_KEEP ? len <= rd_left(&r) : 1);
	if (!whole) {
		if (flags & (FEED_EOF | FEED_GAP)) {
			if (!n)
				return feed_took(0);
			struct appmsg *m = app_msg_begin(L, dir, "partial", off);
			m->flags |= AM_INCOMPLETE;
			appmsg_set_summary(m, "frame cut short", 15);
			appmsg_note(m, EV(TRUNCATED), at, "the stream ends inside a frame (%zu bytes of it seen)", n);
			app_msg_end(L, m, off + n);
			app_msg_done(L, m);
			return feed_took(n);
		}
		/* Wait for the whole frame (its header says how long) without reading it again. */
		return feed_need(0, rd_ok(&r) ? hl + (size_t)len : r.needed);
	}
	int fin = b0 >> 7, rsv = (b0 >> 4) & 7, opcode = b0 & 15;
	/* which length form the header used: 7 bits, 16 or 64 (RFC 6455 §5.2 asks for the
	 * shortest, and a 64-bit one with its top bit clear) */
	int len_form = (b1 & 0x7f) < 126 ? 7 : (b1 & 0x7f) == 126 ? 16 : 64;
	struct appmsg *m = app_msg_begin(L, dir, "frame", off);
	char v[64];
	snprintf(v, sizeof v, "%d", fin);
	appmsg_kv(m, "fin", v, strlen(v));
	snprintf(v, sizeof v, "%d", rsv);
	appmsg_kv(m, "rsv", v, strlen(v));
	snprintf(v, sizeof v, "%d", opcode);
	appmsg_kv(m, "opcode", v, strlen(v));
	snprintf(v, sizeof v, "%d", masked);
	appmsg_kv(m, "mask", v, strlen(v));
	if (masked) {
		snprintf(v, sizeof v, "%02x%02x%02x%02x", key[0], key[1], key[2], key[3]);
		appmsg_kv(m, "masking_key", v, strlen(v));
	}
	snprintf(v, sizeof v, "%" PRIu64, len);
	appmsg_kv(m, "payload_len", v, strlen(v));
	struct strbuf s;
	sb_init(&s);
	sb_printf(&s, "%s%s%s len %" PRIu64, opnames[opcode], fin ? "" : " (more fragments follow)", rsv & 4 ? " compressed" : "",
		  len);
	appmsg_set_summary(m, s.s, s.len);
	sb_fini(&s);
	st->n_frames[dir]++;
	/* RFC 6455 §5.1: client frames masked, server frames not. */
	if (dir == 0 && !masked) {
		appmsg_note(m, EV(CLIENT_UNMASKED), at, "client frame not masked (RFC 6455 §5.1: the server must close)");
	} else if (dir == 1 && masked) {
		appmsg_note(m, EV(SERVER_MASKED), at, "server frame masked (RFC 6455 §5.1: the client must close)");
	}
	if ((rsv & 4) && !st->deflate) {
		appmsg_note(m, EV(RSV_WITHOUT_EXTENSION), at, "RSV1 set but no extension was negotiated");
	}
	if (rsv & 3) {
		appmsg_note(m, EV(RSV_BITS), at, "RSV2/RSV3 set: no extension defines them");
	}
	if (len_form == 64 && (len >> 63))
		appmsg_note(m, EV(BAD_LENGTH), at, "the 64-bit payload length %" PRIu64 " has its most significant bit set (it must be 0)", len);
	else if ((len_form == 16 && len < 126) || (len_form == 64 && len <= 0xffff))
		appmsg_note(m, EV(BAD_LENGTH), at, "the payload length %" PRIu64 " is sent in %d bits where a shorter form holds it", len, len_form);
	if ((opcode >= 3 && opcode <= 7) || opcode >= 11) {
		appmsg_note(m, EV(RESERVED_OPCODE), at, "reserved opcode %d (RFC 6455 §5.2)", opcode);
	}
	if (opcode >= 8 && (len > 125 || !fin)) {
		appmsg_note(m, EV(BAD_CONTROL), at, "control frame %s (RFC 6455 §5.5)",
			    len > 125 ? "longer than 125 bytes" : "fragmented");
	}
	if (len > WS_FRAME_KEEP) {
		appmsg_note(m, EV(FRAME_SKIPPED), at, "payload of %" PRIu64 " bytes not kept (over %" PRIu64 ")", len,
			    (uint64_t)WS_FRAME_KEEP);
		size_t have = rd_left(&r);
		size_t k = (uint64_t)have < len ? have : (size_t)len;
		d->skip = len - k;
		app_msg_end(L, m, frame_end(off, hl, len));
		app_msg_done(L, m);
		return feed_took(hl + k);
	}
	const uint8_t *pl = rd_bytes(&r, (size_t)len);
	uint8_t *un = xmalloc(len ? (size_t)len : 1);
	for (size_t i = 0; i < len; i++)
		un[i] = pl[i] ^ (masked ? key[i & 3] : 0);
	if (opcode == 8) {
		if (len >= 2) {
			unsigned code = (unsigned)un[0] << 8 | un[1];
			snprintf(v, sizeof v, "%u", code);
			appmsg_kv(m, "close_code", v, strlen(v));
			appmsg_kv(m, "close_reason", (const char *)un + 2, (size_t)len - 2);
			sb_init(&s);
			sb_printf(&s, "%s code %u%s%.*s", m->summary, code, len > 2 ? " " : "", (int)(len - 2), (const char *)un + 2);
			appmsg_set_summary(m, s.s, s.len);
			sb_fini(&s);
			if (code < 1000 || code == 1004 || code == 1005 || code == 1006 || code == 1015 || (code > 1014 && code < 3000))
				appmsg_note(m, EV(BAD_CLOSE_CODE), at, "close code %u must not be sent (RFC 6455 §7.4.1)", code);
		} else if (len == 1) {
			appmsg_note(m, EV(CLOSE_ONE_BYTE), at, "close payload of 1 byte: a code needs 2 (RFC 6455 §5.5.1)");
		}
	} else if (opcode == 0 || opcode == 1 || opcode == 2) {
		if (opcode != 0 && d->in_msg) {
			appmsg_note(m, EV(INTERLEAVED), at, "new data frame inside a fragmented message (RFC 6455 §5.4)");
			d->in_msg = 0;
			d->msg_len = 0;
		}
		if (opcode == 0 && !d->in_msg) {
			appmsg_note(m, EV(STRAY_CONTINUATION), at, "continuation frame without a message to continue");
		}
		if (opcode != 0 && fin) {
			message_payload(st, L, m, dir, opcode, (rsv & 4) && st->deflate, un, (size_t)len, "payload");
		} else {
			/* A fragment: show it raw, collect it for the whole message. */
			appmsg_kv(m, "payload", (const char *)un, payload_keep(st, L, m, dir, (size_t)len));
			if (opcode != 0) {
				d->in_msg = 1;
				d->msg_opcode = opcode;
				d->msg_compressed = (rsv & 4) && st->deflate;
				d->msg_len = 0;
				d->msg_cut = 0;
			}
			if (d->in_msg) {
				size_t room = WS_MSG_MAX - d->msg_len;
				size_t k = len < room ? (size_t)len : room;
				if (k < len)
					d->msg_cut = 1;
				d->msg = xrealloc(d->msg, d->msg_len + k + 1);
				memcpy(d->msg + d->msg_len, un, k);
				d->msg_len += k;
				if (fin) {
					sb_init(&s);
					sb_printf(&s, "%s, ends a %s message of %zu bytes", m->summary, opnames[d->msg_opcode], d->msg_len);
					appmsg_set_summary(m, s.s, s.len);
					sb_fini(&s);
					message_payload(st, L, m, dir, d->msg_opcode, d->msg_compressed, d->msg, d->msg_len, "message");
					if (d->msg_cut)
						appmsg_note(m, EV(MESSAGE_CUT), at, "message over %zu bytes: only its start is kept",
							    WS_MSG_MAX);
					d->in_msg = 0;
					d->msg_len = 0;
				}
			}
		}
	} else if (len) {
		appmsg_kv(m, "payload", (const char *)un, payload_keep(st, L, m, dir, (size_t)len));
	}
	xfree(un);
	app_msg_end(L, m, frame_end(off, hl, len));
	app_msg_done(L, m);
	return feed_took(hl + (size_t)len);
}

static void ws_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct ws_state *st = vst;
	struct ws_dir *d = &st->d[dir];
	(void)L, (void)off;
	/* Frame boundaries are lost with the bytes: resume only if the gap ends inside a
	 * payload being skipped; otherwise the next bytes are read as a frame header and
	 * a note will say if they make no sense. */
	if (d->skip >= len)
		d->skip -= len;
	else
		d->skip = 0;
	d->in_msg = 0;
	d->msg_len = 0;
}


const struct proto_desc proto_websocket = {
	.name = "websocket",
	.what = "WebSocket frames after an HTTP Upgrade (RFC 6455, RFC 7692 permessage-deflate)",
	.role = PROTO_STREAM,
	.transport = 6,
	.ports = { 0 },
	.events = ws_events,
	.probe = ws_probe,
	.state_size = sizeof(struct ws_state),
	.init = ws_init,
	.feed = ws_feed,
	.gap = ws_gap,
	.fini = ws_fini,
};
