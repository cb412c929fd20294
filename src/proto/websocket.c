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
/* Inflated size of one message: RFC 7692 data is as bomb-prone as gzip. */
#define WS_INFLATE_MAX ((size_t)16 << 20)

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

static void ws_init(void *st) { (void)st; }

static void ws_fini(void *vst)
{
	struct ws_state *st = vst;
	for (int i = 0; i < 2; i++) {
		xfree(st->d[i].msg);
		if (st->d[i].z_on)
			inflateEnd(&st->d[i].z);
	}
}

/* RFC 7692 §7.1.2 parameters in the server's Sec-WebSocket-Extensions answer. */
static void ws_upgrade(void *vst, struct app_out *o, uint32_t req, uint32_t resp)
{
	struct ws_state *st = vst;
	const struct appkv *key = req != UINT32_MAX ? appmsg_find(app_msg(o, req), "Sec-WebSocket-Key") : NULL;
	struct appmsg *rm = app_msg(o, resp);
	const struct appkv *acc = appmsg_find(rm, "Sec-WebSocket-Accept");
	if (key && acc) {
		char buf[256];
		uint8_t d[20];
		char want[32];
		int n = snprintf(buf, sizeof buf, "%s%s", key->value, WS_GUID);
		sha1(buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : 0, d);
		base64_encode(d, 20, want);
		if (strcmp(want, acc->value) == 0)
			appmsg_note(rm, "ws.accept_ok", rm->off, "Sec-WebSocket-Accept matches the key (RFC 6455 §4.2.2)");
		else {
			rm->flags |= AM_MALFORMED;
			appmsg_note(rm, "ws.accept_bad", rm->off,
				    "Sec-WebSocket-Accept is %s, the key gives %s: a client must fail the connection",
				    acc->value, want);
		}
	} else {
		appmsg_note(rm, "ws.accept_missing", rm->off, "handshake without %s",
			    key ? "Sec-WebSocket-Accept" : "Sec-WebSocket-Key (request not seen?)");
	}
	const struct appkv *ext = appmsg_find(rm, "Sec-WebSocket-Extensions");
	if (ext && strstr(ext->value, "permessage-deflate")) {
		st->deflate = 1;
		st->no_takeover[0] = strstr(ext->value, "client_no_context_takeover") != NULL;
		st->no_takeover[1] = strstr(ext->value, "server_no_context_takeover") != NULL;
	}
}

/* Inflates one compressed message (RFC 7692 §7.2.2: append 00 00 ff ff, inflate raw
 * deflate; keep the window between messages unless no_context_takeover). */
static int inflate_msg(struct ws_state *st, int dir, const uint8_t *p, size_t n, struct strbuf *out)
{
	struct ws_dir *d = &st->d[dir];
	if (!d->z_on) {
		memset(&d->z, 0, sizeof d->z);
		if (inflateInit2(&d->z, -15) != Z_OK)
			return -1;
		d->z_on = 1;
	} else if (st->no_takeover[dir]) {
		inflateReset(&d->z);
	}
	static const uint8_t tail[4] = { 0, 0, 0xff, 0xff };
	uint8_t buf[8192];
	for (int part = 0; part < 2; part++) {
		d->z.next_in = (Bytef *)(uintptr_t)(part ? tail : p);
		d->z.avail_in = (uInt)(part ? 4 : n);
		while (d->z.avail_in) {
			d->z.next_out = buf;
			d->z.avail_out = sizeof buf;
			int rc = inflate(&d->z, Z_SYNC_FLUSH);
			if (out->len + (sizeof buf - d->z.avail_out) > WS_INFLATE_MAX)
				return -2;
			sb_add(out, (const char *)buf, sizeof buf - d->z.avail_out);
			if (rc == Z_STREAM_END || rc == Z_BUF_ERROR)
				break;
			if (rc != Z_OK)
				return -1;
		}
	}
	return 0;
}

/* Adds the message payload (decoded when compressed) to frame message ix. */
static void message_payload(struct ws_state *st, struct app_out *o, uint32_t ix, int dir, int opcode, int compressed,
			    const uint8_t *p, size_t n, const char *field)
{
	struct appmsg *m = app_msg(o, ix);
	if (compressed) {
		struct strbuf b;
		sb_init(&b);
		int rc = inflate_msg(st, dir, p, n, &b);
		m = app_msg(o, ix);
		if (rc == 0) {
			appmsg_kv(m, field, b.s ? b.s : "", b.len);
			appmsg_note(m, "ws.inflated", m->off, "permessage-deflate: %zu bytes inflated to %zu (RFC 7692)", n, b.len);
		} else {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "ws.inflate_failed", m->off, rc == -2 ? "inflated message passes %zu bytes: cut" :
				    "permessage-deflate data does not inflate", WS_INFLATE_MAX);
			appmsg_kv(m, field, (const char *)p, n);
		}
		p = (const uint8_t *)m->kv[m->n_kv - 1].value;
		n = m->kv[m->n_kv - 1].value_len;
		sb_fini(&b);
	} else {
		appmsg_kv(m, field, (const char *)p, n);
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

static size_t ws_feed(void *vst, struct app_out *o, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	struct ws_state *st = vst;
	struct ws_dir *d = &st->d[dir];
	if (d->skip) {
		size_t k = n < d->skip ? n : (size_t)d->skip;
		d->skip -= k;
		return k;
	}
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
				return 0;
			uint32_t ix = app_msg_begin(o, dir, "websocket", "partial", off);
			struct appmsg *m = app_msg(o, ix);
			m->flags |= AM_INCOMPLETE;
			appmsg_set_summary(m, "frame cut short", 15);
			appmsg_note(m, "ws.truncated", off, "the stream ends inside a frame (%zu bytes of it seen)", n);
			app_msg_end(o, ix, off + n);
			return n;
		}
		return 0;
	}
	int fin = b0 >> 7, rsv = (b0 >> 4) & 7, opcode = b0 & 15;
	uint32_t ix = app_msg_begin(o, dir, "websocket", "frame", off);
	struct appmsg *m = app_msg(o, ix);
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
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "ws.client_unmasked", off, "client frame not masked (RFC 6455 §5.1: the server must close)");
	} else if (dir == 1 && masked) {
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "ws.server_masked", off, "server frame masked (RFC 6455 §5.1: the client must close)");
	}
	if ((rsv & 4) && !st->deflate) {
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "ws.rsv_without_extension", off, "RSV1 set but no extension was negotiated");
	}
	if (rsv & 3) {
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "ws.rsv_bits", off, "RSV2/RSV3 set: no extension defines them");
	}
	if ((opcode >= 3 && opcode <= 7) || opcode >= 11) {
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "ws.reserved_opcode", off, "reserved opcode %d (RFC 6455 §5.2)", opcode);
	}
	if (opcode >= 8 && (len > 125 || !fin)) {
		m->flags |= AM_MALFORMED;
		appmsg_note(m, "ws.bad_control", off, "control frame %s (RFC 6455 §5.5)",
			    len > 125 ? "longer than 125 bytes" : "fragmented");
	}
	if (len > WS_FRAME_KEEP) {
		appmsg_note(m, "ws.frame_skipped", off, "payload of %" PRIu64 " bytes not kept (over %" PRIu64 ")", len,
			    (uint64_t)WS_FRAME_KEEP);
		size_t have = rd_left(&r);
		size_t k = (uint64_t)have < len ? have : (size_t)len;
		d->skip = len - k;
		app_msg_end(o, ix, off + hl + len);
		return hl + k;
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
				appmsg_note(m, "ws.bad_close_code", off, "close code %u must not be sent (RFC 6455 §7.4.1)", code);
		} else if (len == 1) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "ws.close_one_byte", off, "close payload of 1 byte: a code needs 2 (RFC 6455 §5.5.1)");
		}
	} else if (opcode == 0 || opcode == 1 || opcode == 2) {
		if (opcode != 0 && d->in_msg) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "ws.interleaved", off, "new data frame inside a fragmented message (RFC 6455 §5.4)");
			d->in_msg = 0;
			d->msg_len = 0;
		}
		if (opcode == 0 && !d->in_msg) {
			m->flags |= AM_MALFORMED;
			appmsg_note(m, "ws.stray_continuation", off, "continuation frame without a message to continue");
		}
		if (opcode != 0 && fin) {
			message_payload(st, o, ix, dir, opcode, (rsv & 4) && st->deflate, un, (size_t)len, "payload");
		} else {
			/* A fragment: show it raw, collect it for the whole message. */
			appmsg_kv(app_msg(o, ix), "payload", (const char *)un, (size_t)len);
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
					m = app_msg(o, ix);
					sb_init(&s);
					sb_printf(&s, "%s, ends a %s message of %zu bytes", m->summary, opnames[d->msg_opcode], d->msg_len);
					appmsg_set_summary(m, s.s, s.len);
					sb_fini(&s);
					message_payload(st, o, ix, dir, d->msg_opcode, d->msg_compressed, d->msg, d->msg_len, "message");
					if (d->msg_cut)
						appmsg_note(app_msg(o, ix), "ws.message_cut", off, "message over %zu bytes: only its start is kept",
							    WS_MSG_MAX);
					d->in_msg = 0;
					d->msg_len = 0;
				}
			}
		}
	} else if (len) {
		appmsg_kv(app_msg(o, ix), "payload", (const char *)un, (size_t)len);
	}
	xfree(un);
	app_msg_end(o, ix, off + hl + len);
	return hl + (size_t)len;
}

static void ws_gap(void *vst, struct app_out *o, int dir, uint64_t off, uint64_t len)
{
	struct ws_state *st = vst;
	struct ws_dir *d = &st->d[dir];
	(void)o, (void)off;
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

static void ws_finish(void *st, struct app_out *o) { (void)st, (void)o; }

const struct proto_desc proto_websocket = {
	.name = "websocket",
	.what = "WebSocket frames after an HTTP Upgrade (RFC 6455, RFC 7692 permessage-deflate)",
	.transport = 6,
	.ports = { 0 },
	.probe = ws_probe,
	.state_size = sizeof(struct ws_state),
	.init = ws_init,
	.feed = ws_feed,
	.gap = ws_gap,
	.finish = ws_finish,
	.fini = ws_fini,
	.upgrade = ws_upgrade,
};
