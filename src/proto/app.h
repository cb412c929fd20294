/* app.h: the application layer a session runs: it reassembles each TCP connection
 * (tcp/reasm.c), picks its decoder (content first, port as a hint, or --decode-as),
 * runs the stack of decoders (proto.h) and fills the session's applog.
 *
 * Usage: app_init(), then app_packet() for every TCP/UDP packet in capture order,
 * app_end() once at the end (it delivers what reassembly still holds and finishes every
 * decoder), app_fini(). Messages go into a->log; a->on_done, when set, hears of each
 * as it is finished. Ownership: the log and every connection's decoder state belong to
 * struct app; the connections (struct conn) are the caller's and must outlive it. */
#ifndef CHATTCP_APP_H
#define CHATTCP_APP_H

#include "../decode/pkt.h"
#include "../model/appmsg.h"
#include "proto.h"

struct app_conn; /* per-connection state (app.c) */

struct app {
	struct applog log;
	/* --decode-as: this decoder for the connections force_sel accepts (all when NULL) */
	const struct proto_desc *force;
	int (*force_sel)(void *ctx, const struct conn *c);
	void *force_ctx;
	/* Else, a decoder picked per connection before any probe (--plugin: proto/plugin.h),
	 * or NULL: detect. */
	const struct proto_desc *(*pick)(void *ctx, const struct conn *c);
	void *pick_ctx;
	/* A tap on every byte of a connection's own stream as delivered (raw views), for
	 * the connections tap_sel accepts; a gap is a call with p == NULL. */
	void (*tap)(void *ctx, const struct conn *c, int dir, const uint8_t *p, size_t n, uint64_t off);
	int (*tap_sel)(void *ctx, const struct conn *c);
	void *tap_ctx;
	/* A message was finished (app_msg_done). The hook may hold it (app_hold). */
	void (*on_done)(void *ctx, struct appmsg *m);
	void *on_done_ctx;
	/* A connection's decoders are finished and their state freed (both FINs delivered,
	 * reset and quiet, or app_end): no message of it follows. Same ctx as on_done. */
	void (*on_conn_ended)(void *ctx, const struct conn *c);
	/* A decoder read the start of a PDU it could not finish in the packet being
	 * processed (app_pdu_begins): Wireshark names the protocol on such a frame (a TLS
	 * record's first segment). NULL: nobody asks. */
	void (*on_pdu_begins)(void *ctx, const struct conn *c, const char *proto);
	/* Secrets to decrypt with (a key log: --keylog, pcapng Decryption Secrets), or
	 * NULL; the session's. Decoders ask for it with app_keylog(). */
	const struct keylog *keylog;
	/* Bodies: keep this many decoded bytes per message (0: none), and hash them. */
	size_t body_keep;
	int body_hash;
	/* Live: a finished message nobody holds has its contents freed, and a connection
	 * that ended (both FINs delivered, or reset and quiet for APP_RELEASE_AFTER_NS of
	 * capture time) has its reassembly and decoder state freed, so memory follows the
	 * messages and connections in progress, not the file. */
	int release;
	/* ... except the messages of these decoders ("tls http2", names separated by
	 * spaces), kept whole to the end, or NULL. */
	const char *release_keep;
	/* The packet being processed (for messages' begin and done frames). */
	uint32_t cur_frame, cur_conn;
	int in_packet;
	struct app_conn **conns;  /* every connection seen (owned) */
	size_t n_conns, cap_conns;
	size_t n_dead;            /* of them, evicted (app_conn_free): freed at the next compaction */
	struct app_conn **by_idx; /* by conn.idx (not owned; NULL: none): lookups in O(1) */
	size_t cap_by_idx;
	struct app_ended { struct app_conn *ac; int64_t ts; } *ended;
	size_t ended_head, n_ended, cap_ended;
	uint64_t n_gaps;
	/* decoding work (proto.h APP_DECODE_FREE): stream bytes read, decoded bytes made */
	uint64_t stream_in, decoded;
	uint64_t n_decode_capped; /* streams that stopped at a decode cap */
};

void app_init(struct app *a);
/* One packet of connection c (pk decoded, rec its record: frame, time, direction). */
void app_packet(struct app *a, struct conn *c, const struct pkt *pk, const struct pktrec *rec);
/* Delivers what reassembly still holds, finishes every decoder and frees their state
 * (call once, after the last packet). */
void app_end(struct app *a);
void app_fini(struct app *a);
/* Live eviction (session opts.evict), for connection c only: app_conn_end delivers
 * what reassembly holds and finishes its decoders, as app_end does (messages it
 * completes go to on_done); app_conn_free then frees its state and retires its
 * messages (applog_conn_retire): nothing may look them up after. */
void app_conn_end(struct app *a, struct conn *c);
void app_conn_free(struct app *a, struct conn *c);
/* A client's hold on a message's contents (see struct app.release). */
void app_hold(struct app *a, struct appmsg *m);
void app_release(struct app *a, struct appmsg *m);
/* Which side sent p[0..n), the first payload of connection c (sent by side dir), by
 * its content: 1 the client (it reads as a request), 2 the server (it reads only as an
 * answer), 0 cannot tell. Asked of the decoder --decode-as names for c, else of every
 * stream decoder's probe, both ways round: the sides change only when no decoder
 * finds the bytes plausible from the side they came from and one is sure of them from
 * the other. For a connection whose sides were guessed from its ports (no SYN). */
int app_side_hint(const struct app *a, const struct conn *c, int dir, const uint8_t *p, size_t n);
/* Client and server of c changed places (conn_swap_sides) before any payload: the
 * reassembly and held state of each side move with it. The decoders have been fed no
 * bytes yet, so their state (as init made it) belongs to neither side. */
void app_swap_sides(struct app *a, struct conn *c);
/* 1 when c's decoders are finished (end_conn: both FINs delivered, reset and quiet, or
 * app_end), or no byte of it reached this layer: no message of it follows. */
int app_conn_ended(const struct app *a, const struct conn *c);
/* The decoders a connection was decoded with, bottom first ("http", "websocket"),
 * written into buf ("http > websocket"); "" when none. */
void app_stack_of(const struct app *a, const struct conn *c, char *buf, size_t n);
/* The connection's own decoder ("http"), or NULL. */
const char *app_proto_of(const struct app *a, const struct conn *c);

/* For unit tests and fuzzing, without a capture: decodes n chunks of a made-up
 * connection (transport 6 TCP or 17 UDP) with decoder d (NULL: detect by content),
 * chunk i sent by side dirs[i] as frame i+1, each TCP chunk one in-order segment.
 * The messages are in a->log (app_init(a) first; app_fini after). */
void app_decode_chunks(struct app *a, const struct proto_desc *d, int transport, const uint8_t *const *chunks,
		       const size_t *lens, const int *dirs, size_t n);

#endif
