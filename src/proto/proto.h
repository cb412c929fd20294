/* proto.h: the contract between the application-layer driver (proto/app.c) and one
 * decoder (proto/<name>.c). Adding a protocol is one file that defines
 * `const struct proto_desc proto_<name>` plus one line in proto/registry.c; start from
 * proto/template.c.
 *
 * Decoders stack. A decoder instance reads a pair of byte streams, one per direction:
 * the connection's reassembled TCP stream (or its UDP datagrams), or a stream that
 * another decoder opened and writes into (app_open/app_write): an HTTP body through a
 * content coding into an event stream, the rest of a connection after an HTTP Upgrade,
 * later the plaintext of TLS. A decoder never knows what is below or above it; the
 * driver names no protocol.
 *
 * Trust model: every byte a decoder sees is untrusted. Decoders read through struct rd
 * (base/rd.h) and never past n; every count and length taken from the wire is capped
 * by a named constant.
 *
 * Stream contract (Suricata's AppLayerResult consumed/needed, picohttpparser's
 * last_len): the driver keeps the bytes of each direction a decoder has not consumed
 * and calls feed() with all of them (p[0] sits at offset off of the decoder's own
 * stream) when more arrive. feed() says how many it consumed and, when it cannot go on,
 * how many it needs (from p[0]) before it is worth calling again; it keeps its own
 * place in a construct it has begun (a header block it scanned part of) so that it never
 * rescans bytes it has seen. A decoder that needs more than APP_BUF_MAX without
 * consuming gets a gap instead: it never waits forever. A decoder never prints and
 * never keeps pointers into p. */
#ifndef CHATTCP_PROTO_H
#define CHATTCP_PROTO_H

#include "../model/appmsg.h"
#include "../model/conn.h"
#include "../model/events.h"

#include <stddef.h>
#include <stdint.h>

enum probe_answer { PROBE_NO = 0, PROBE_MAYBE = 1, PROBE_YES = 2 };

enum feed_flag {
	FEED_EOF = 1,   /* no more bytes will come in this direction (FIN, end of capture, the
			 * writer closed the stream): take what can be taken, mark the rest
			 * incomplete */
	FEED_DGRAM = 2, /* p is exactly one datagram; unconsumed bytes are dropped */
	FEED_GAP = 4,   /* a gap follows these bytes: same as EOF for the message in
			 * progress, then gap() is called and decoding goes on after it */
};

/* What feed() did: consumed bytes of p are dropped by the driver; needed > n means
 * "call me again when at least `needed` bytes (counted from p[0]) are held" (0: any
 * new byte is worth a call). */
struct feed_res {
	size_t consumed;
	size_t needed;
};

static inline struct feed_res feed_took(size_t consumed)
{
	struct feed_res r = { consumed, 0 };
	return r;
}

static inline struct feed_res feed_need(size_t consumed, size_t needed)
{
	struct feed_res r = { consumed, needed };
	return r;
}

struct layer; /* one decoder instance and the streams it reads (the driver's) */

/* How a stream is opened by the decoder below it (app_open). */
struct layer_open {
	const char *proto;  /* decoder to run, by registry name; NULL: detect by content */
	const char *param;  /* for that decoder (a content coding's name), or NULL */
	uint32_t msg[2];    /* messages the new decoder may read at init (an Upgrade's request
			     * and 101 response), or APPMSG_NONE; held for it until init returns */
	uint32_t owner;     /* the message whose content this stream is: the bytes that come
			     * out of its content layers become that message's body; or APPMSG_NONE */
	int one_way;        /* only direction `dir` will carry bytes (a message body) */
	int dir;
	/* Content layers (PROTO_CONTENT decoders) after this one, outermost first: what the
	 * new decoder writes goes through them in turn; NULL-terminated, copied by app_open. */
	const struct layer_open *const *then;
};

enum proto_role {
	PROTO_STREAM = 0,  /* decodes a connection or a stream: probe, --decode-as */
	PROTO_CONTENT = 1, /* transforms content it is given (a content coding): only opened by
			    * name; what it writes is the same content, decoded */
	PROTO_CONSUMER = 2,/* interprets content it is given (an event stream): opened by name */
};

struct proto_desc {
	const char *name;   /* "http": --decode-as name, JSON "proto", prefix of its event names */
	const char *what;   /* one line for help */
	uint8_t role;       /* enum proto_role */
	uint8_t transport;  /* 6 TCP, 17 UDP, 0 both (PROTO_STREAM only) */
	uint16_t ports[4];  /* server ports that hint at this protocol (0 ends) */
	/* Its events: a table ending in a NULL name (model/events.h). */
	const struct app_event *events;
	/* Looks at the first n bytes side dir sent (n may be small); answers yes/no/maybe.
	 * Content decides first; ports only break ties among maybes. NULL: never detected. */
	int (*probe)(const uint8_t *p, size_t n, int dir);
	size_t state_size;  /* per-instance state, zeroed by the driver before init */
	/* how is NULL on a connection's own stream; the messages in how->msg may be read. */
	void (*init)(void *st, struct layer *L, const struct layer_open *how);
	struct feed_res (*feed)(void *st, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				int flags);
	/* len bytes at off (own stream) of direction dir are missing (lost, not captured) */
	void (*gap)(void *st, struct layer *L, int dir, uint64_t off, uint64_t len);
	/* no more bytes will come in either direction (both got FEED_EOF already) */
	void (*finish)(void *st, struct layer *L);
	void (*fini)(void *st); /* frees what the state owns (not the state itself) */
};

/* Bytes of one direction the driver holds for a decoder that has not consumed them.
 * Decoders consume bodies as they come, so only one header block, one Redis value or
 * one DNS message waits here: 16 MB is far above any of those in practice (Redis's own
 * proto-max-bulk-len default is 512 MB, but its inline/multibulk header limit is
 * 64 KB) and bounds memory per stream. */
#define APP_BUF_MAX ((size_t)16 << 20)
/* Stacked decoders per connection (an HTTP body in a content coding in TLS...): a
 * bound on the recursion an attacker can make (Suricata caps its layers the same way);
 * an open past it is refused and the bytes are kept as the owner's plain content. */
#define APP_MAX_DEPTH 8

/* Decoded bytes (what content codings and WebSocket permessage-deflate make out of
 * what was sent): a 1 kB gzip bomb inflates to a gigabyte, and inflating, hashing and
 * parsing every byte costs time even when nothing is kept. So each decoding stream
 * stops at APP_DECODE_MAX (per body, per content layer, per WebSocket message: far
 * above real documents and messages), and all decoding in a capture stops once it has
 * made APP_DECODE_FREE plus APP_DECODE_RATIO times the stream bytes read so far (real
 * traffic compresses text 3-10 times and most of it is not compressed at all; a bomb
 * is ~1,000 times). Past either, the rest is not decoded, and the message says so
 * (contenc.capped, websocket.inflate_capped): its decoded size is then a lower bound. */
#define APP_DECODE_MAX ((uint64_t)64 << 20)
#define APP_DECODE_FREE ((uint64_t)64 << 20)
#define APP_DECODE_RATIO 8
/* The least allowance worth starting a decode with: a decoder can spend a window's work
 * (brotli's 16 MiB) to make its first byte, so 99 bombs given 3 KB of room each cost
 * 3.6 s. Below it the allowance counts as spent (the message says so). */
#define APP_DECODE_GRAIN ((uint64_t)1 << 20)

/* --- messages --- */

/* Starts a message of side dir whose first byte is at offset off of this decoder's
 * stream; its first frame and time are filled in now. The pointer stays valid. */
struct appmsg *app_msg_begin(struct layer *L, int dir, const char *kind, uint64_t off);
/* The message ends before offset end of this decoder's stream (its last frame is the
 * one that carried byte end-1). */
void app_msg_end(struct layer *L, struct appmsg *m, uint64_t end);
/* The message is complete: no decoder adds to it any more. Its body (if any) is final.
 * The session may hand it to clients now, and, in live sessions, free its contents
 * once nobody holds it (app_msg_hold). */
void app_msg_done(struct layer *L, struct appmsg *m);
/* The message with this id (one of this connection's). */
struct appmsg *app_msg(struct layer *L, uint32_t id);
/* A decoder that will read message id later (a request until its response has been
 * framed) holds it; a held message keeps its contents. */
void app_msg_hold(struct layer *L, uint32_t id);
void app_msg_release(struct layer *L, uint32_t id);
/* The body of m (made on first use with the session's keep and hash choices). Its
 * decoder writes content into it through app_open (owner) or, for content it has in
 * hand, directly with app_body_add (counted as both written and decoded). */
struct appbody *app_body(struct layer *L, struct appmsg *m);
void app_body_add(struct layer *L, struct appmsg *m, const uint8_t *p, size_t n);

/* The memory budget (model/appmsg.h APPLOG_KEEP_MAX): 0 while this connection's
 * messages may keep more, 1 when the connection's budget is spent, 2 the capture's. A
 * decoder that makes messages out of decoded bytes (an SSE event) makes no more then. */
int app_budget_spent(struct layer *L);
/* Decoded bytes a decoder may still make for one stream that has made `done` so far:
 * what APP_DECODE_MAX and the capture's allowance leave (0: stop decoding). *why is
 * set to 1 when the per-stream cap is the limit, 2 when the capture's allowance is. */
uint64_t app_decode_room(struct layer *L, uint64_t done, int *why);
/* n decoded bytes were made: counted against the capture's allowance. */
void app_decoded(struct layer *L, uint64_t n);

/* --- where bytes are --- */

/* Frame (and time) that carried byte off of this decoder's stream, side dir; 0 when
 * unknown. */
uint32_t app_frame_at(struct layer *L, int dir, uint64_t off, int64_t *ts);
/* L read the first byte of a PDU of its own at stream offset off of side dir and waits
 * for the rest: when that byte came in the packet being processed, the session hears of
 * it (struct app.on_pdu_begins; Wireshark names the protocol on such a frame). Calling
 * it again for the same PDU in a later packet is harmless: only the packet that carried
 * the byte counts. */
void app_pdu_begins(struct layer *L, int dir, uint64_t off);
/* The offset in the connection's stream (side dir) of byte off of this decoder's. */
uint64_t app_conn_off(struct layer *L, int dir, uint64_t off);
/* The connection being decoded. */
const struct conn *app_conn(struct layer *L);
/* The session's key log (proto/keylog.h), or NULL when none was given. */
struct keylog;
const struct keylog *app_keylog(struct layer *L);

/* --- stacking --- */

/* Opens a stream above this decoder and starts the decoder `how` names on it. Returns
 * a handle to write into, or NULL when the decoder is unknown or the stack is full
 * (then write nothing; the content stays plain). The handle is valid until
 * app_close(). */
struct layer *app_open(struct layer *L, const struct layer_open *how);
/* n bytes of the child's stream of side dir, made from bytes [lo, hi) of this
 * decoder's own stream (hi - lo == n when the bytes are passed through unchanged). */
void app_write(struct layer *child, int dir, const uint8_t *p, size_t n, uint64_t lo, uint64_t hi);
/* len bytes of the child's side dir are missing (the bytes below were lost). */
void app_write_gap(struct layer *child, int dir, uint64_t len);
/* No more bytes for side dir of the child. */
void app_write_end(struct layer *child, int dir);
/* Ends both directions that are still open, finishes and frees the child. */
void app_close(struct layer *child);
/* For a content layer (PROTO_CONTENT): n decoded bytes of side dir, made from bytes
 * [lo, hi) of its own stream. They go on to the next content layer the opener asked
 * for, and become the owner's body where the content layers end. */
void app_emit(struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t lo, uint64_t hi);
/* For a content layer: the message whose content it decodes (APPMSG_NONE if none), so
 * it can note what went wrong there, and mark the body failed or incomplete. */
struct appmsg *app_owner(struct layer *L);

/* The registry (proto/registry.c). */
extern const struct proto_desc *const proto_registry[];
const struct proto_desc *proto_find(const char *name);

#endif
