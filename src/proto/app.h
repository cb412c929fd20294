/* app.h: the application-layer driver the commands use: an engine sink that
 * reassembles each TCP connection (tcp/reasm.c), detects its protocol (content first,
 * port as a hint, or --decode-as) and runs the decoder, filling an applog.
 *
 * Usage: app_init(), app_attach() before engine_run(), app_end() after it; the
 * messages are then in app->log until app_fini(). */
#ifndef CHATTCP_APP_H
#define CHATTCP_APP_H

#include "../engine/engine.h"
#include "../model/appmsg.h"
#include "proto.h"

struct app {
	struct applog log;
	struct engine *en;
	/* --decode-as: this decoder for the connections force_sel accepts (all when NULL) */
	const struct proto_desc *force;
	int (*force_sel)(void *ctx, const struct conn *c);
	void *force_ctx;
	/* a tap on every delivered byte (stream --raw-out), for the connections tap_sel
	 * accepts; gap calls have p == NULL */
	void (*tap)(void *ctx, const struct conn *c, int dir, const uint8_t *p, size_t n, uint64_t off);
	int (*tap_sel)(void *ctx, const struct conn *c);
	void *tap_ctx;
	/* Sink mode (export), off when msg_sink is NULL: msg_sink gets each HTTP message
	 * once, as soon as its body is final (proto.h app_msg_done; app_end hands over any
	 * left), with the log to read it and its request from. Its body is then freed
	 * (body NULL, body_len 0), and as soon as no decoder or sink will read them again a
	 * response and its request are cleared (appmsg_clear): memory follows the messages
	 * in progress, not the file. A 101 response and its request stay (the WebSocket
	 * decoder reads them); so do messages of other protocols. */
	void (*msg_sink)(void *ctx, const struct applog *l, uint32_t ix);
	void *msg_sink_ctx;
	/* Sink mode: a connection whose two FINs are delivered is finished and its
	 * reassembly and decoder state freed at once; one reset (or closed with bytes
	 * still held) waits here, oldest first, until quiet for APP_RELEASE_AFTER_NS
	 * (app.c). So that state follows the connections in progress. */
	struct app_ended { struct app_out *o; int64_t ts; } *ended;
	size_t ended_head, n_ended, cap_ended;
	uint64_t n_gaps;
	struct app_out **conns; /* every connection seen (owned; freed by app_fini) */
	/* With msg_sink: keep the messages (headers, sizes, timing) for a listing at the
	 * end, but hash each body into body_sha256 and drop it once handed over, so a
	 * listing's memory does not grow with the bytes transferred (http). */
	int keep_messages;
	size_t n_conns, cap_conns;
};

void app_init(struct app *a, struct engine *en);
void app_attach(struct app *a);
/* Delivers what reassembly still holds, finishes every decoder and frees their
 * state (call once, after engine_run). */
void app_end(struct app *a);
void app_fini(struct app *a);
/* The protocol a connection was decoded as ("http"), or NULL. Valid after app_end. */
const char *app_proto_of(const struct app *a, const struct conn *c);

/* For unit tests and fuzzing, without a capture: decodes n chunks of a made-up
 * connection (transport 6 TCP or 17 UDP) with decoder d (NULL: detect by content),
 * chunk i sent by side dirs[i] as frame i+1, each TCP chunk one in-order segment.
 * The messages are in a->log (app_init(a, NULL) first; app_fini after). */
void app_decode_chunks(struct app *a, const struct proto_desc *d, int transport, const uint8_t *const *chunks,
		       const size_t *lens, const int *dirs, size_t n);

#endif
