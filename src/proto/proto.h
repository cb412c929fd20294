/* proto.h: the contract between the application-layer driver (proto/app.c) and one
 * protocol decoder (proto/<name>.c). Adding a protocol is one file that defines a
 * `const struct proto_desc proto_<name>` plus one line in proto/registry.c; start
 * from proto/template.c.
 *
 * Trust model: every byte a decoder sees is untrusted. Decoders read through
 * struct rd (base/rd.h) or explicit length checks and never past n; every count and
 * length taken from the wire is capped by a named constant.
 *
 * Stream contract (after Suricata's AppLayerResult and picohttpparser): the driver
 * keeps the unconsumed bytes of each direction and calls feed() with all of them
 * (p[0] sits at stream offset off) each time more arrive. feed() returns how many
 * bytes it consumed; what it leaves is offered again, with more, next time. A decoder
 * that needs more than APP_BUF_MAX without consuming gets a gap instead: it never
 * waits forever. A decoder never prints and never keeps pointers into p. */
#ifndef CHATTCP_PROTO_H
#define CHATTCP_PROTO_H

#include "../model/appmsg.h"
#include "../model/conn.h"

#include <stddef.h>
#include <stdint.h>

enum probe_answer { PROBE_NO = 0, PROBE_MAYBE = 1, PROBE_YES = 2 };

enum feed_flag {
	FEED_EOF = 1,   /* no more bytes will come in this direction (FIN or end of capture):
			 * take what can be taken, mark the rest incomplete */
	FEED_DGRAM = 2, /* p is exactly one UDP datagram; unconsumed bytes are dropped */
	FEED_GAP = 4,   /* a gap follows these bytes: same as EOF for the message in
			 * progress, then gap() is called and decoding goes on after it */
};

struct app_out; /* the driver's side: where decoders put messages (see below) */

struct proto_desc {
	const char *name;   /* "http": --decode-as name, JSON "proto" */
	const char *what;   /* one line for help */
	uint8_t transport;  /* 6 TCP, 17 UDP, 0 both */
	uint16_t ports[4];  /* server ports that hint at this protocol (0 ends) */
	/* Looks at the first n bytes side dir sent (n may be small); answers yes/no/maybe.
	 * Content decides first; ports only break ties among maybes. */
	int (*probe)(const uint8_t *p, size_t n, int dir);
	size_t state_size;  /* per-connection state, zeroed by the driver before init */
	void (*init)(void *st);
	size_t (*feed)(void *st, struct app_out *o, int dir, const uint8_t *p, size_t n, uint64_t off, int flags);
	/* len bytes at off in direction dir are missing (lost or not captured) */
	void (*gap)(void *st, struct app_out *o, int dir, uint64_t off, uint64_t len);
	/* the connection is over (both directions got FEED_EOF already) */
	void (*finish)(void *st, struct app_out *o);
	void (*fini)(void *st); /* frees what the state owns (not the state itself) */
	/* Optional: the connection switched to this protocol after an HTTP Upgrade;
	 * req/resp are the log indexes of the upgrade request and the 101 response. */
	void (*upgrade)(void *st, struct app_out *o, uint32_t req, uint32_t resp);
};

/* Bytes of one direction the driver holds for a decoder that has not consumed them.
 * Decoders consume bodies as they come, so only one header block, one Redis value
 * or one DNS message waits here: 16 MB is far above any of those in practice
 * (Redis's own proto-max-bulk-len default is 512 MB, but its inline/multibulk header
 * limit is 64 KB) and bounds memory per connection. */
#define APP_BUF_MAX ((size_t)16 << 20)

/* --- what decoders call --- */

/* Starts a message of side dir whose first byte is at stream offset off; returns its
 * log index (the first frame and time are filled in now). */
uint32_t app_msg_begin(struct app_out *o, int dir, const char *proto, const char *kind, uint64_t off);
/* The message ends before stream offset end (its last frame is the one that carried
 * byte end-1). */
void app_msg_end(struct app_out *o, uint32_t ix, uint64_t end);
/* The body of message ix is final (it ended, or was cut): in sink mode (app.h) the
 * message goes to the sink now and its body is freed, so the decoder must not touch
 * ix's body after this call. The rest of the message stays readable for as long as
 * the decoder can still refer to it (a pending request, a 101 response). */
void app_msg_done(struct app_out *o, uint32_t ix);
/* The message at log index ix (valid until the next app_msg_begin). */
struct appmsg *app_msg(struct app_out *o, uint32_t ix);
/* Frame (and time) that carried byte off of side dir; 0 when unknown. */
uint32_t app_frame_at(struct app_out *o, int dir, uint64_t off, int64_t *ts);
/* The connection being decoded. */
const struct conn *app_conn(struct app_out *o);
/* After this feed returns, the connection continues as protocol `name` (HTTP
 * Upgrade). Bytes not consumed are offered to the new decoder. */
void app_switch(struct app_out *o, const char *name, uint32_t req, uint32_t resp);

/* The registry (proto/registry.c). */
extern const struct proto_desc *const proto_registry[];
const struct proto_desc *proto_find(const char *name);

#endif
