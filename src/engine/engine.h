/* engine.h: what happens to one packet record: decode -> connection -> TCP state and
 * analysis. Push-fed: the caller (the session) hands records one at a time, from a
 * file, a pipe or a live source, and gets back the decoded packet, its connection and
 * its 64-byte record. Memory grows with connections, not packets: an ended
 * connection's analysis state is released once it has been quiet for a while. */
#ifndef CHATTCP_ENGINE_H
#define CHATTCP_ENGINE_H

#include "../base/err.h"
#include "../base/ts.h"
#include "../capture/capfile.h"
#include "../decode/pkt.h"
#include "../flow/conntab.h"
#include "../model/conn.h"
#include "../tcp/analysis.h"

#include <stddef.h>
#include <stdint.h>

/* Kinds of packets that are not TCP/UDP counted by name: a file has a handful. */
#define ENGINE_MAX_OTHER 32

struct other_count {
	const char *name;
	uint64_t n;
};

struct engine {
	struct conntab ct;
	struct ipfrag *frag;
	/* The UDP conversation the packet just processed quotes (an ICMP error), or NULL:
	 * Wireshark gives that frame the quoted conversation's udp.stream. */
	const struct conn *quoted_now;
	/* counts */
	uint64_t n_frames, n_tcp, n_udp, n_fragments, n_bad, n_truncated, n_malformed;
	uint64_t n_other;
	struct other_count other[ENGINE_MAX_OTHER];
	size_t n_other_kinds;
	int64_t first_ts, last_ts;
	/* Connections that ended, oldest first: their analysis state is released once
	 * they have been quiet for ENGINE_RELEASE_AFTER_NS (capture time), so memory
	 * follows the connections in progress, not all the connections of the file. */
	int keep_analysis_state;   /* set by views that read it at the end (diag): also
				    * measures ACK latency */
	struct tcp_ack_result last_ack; /* what the last TCP packet's ACK covered (diag reads it) */
	struct ended { uint32_t conn; int64_t ts; } *ended;
	size_t ended_head, n_ended, cap_ended;
	uint64_t n_released;
	/* Sides by content (set by the layer that knows the protocols, the session): a TCP
	 * connection seen without its SYN has its client guessed from the ports; at its
	 * first payload side_hint says who sent it (1 the client, 2 the server, 0 cannot
	 * tell). When that is the other side, sides_swapped lets the caller move what it
	 * holds of each side, then the engine swaps the connection and its analysis and
	 * the packet is the other side's. NULL: ports decide. */
	/* Live sessions: connections that ended (both sides closed, or reset) and have been
	 * quiet for ENGINE_EVICT_LINGER_NS, and any quiet for ENGINE_EVICT_IDLE_TCP_NS /
	 * _UDP_NS, are given back (capture time), so a capture of hours holds what is
	 * open, not all it saw. Before its slot is freed, on_evict lets the caller say what
	 * it has to of the connection and free what it holds of it (by c->idx, which the
	 * next connection made reuses). 0: never (batch: every connection to the end). */
	int evict;
	void (*on_evict)(void *ctx, struct conn *c);
	void *evict_ctx;
	int64_t next_sweep;        /* capture time of the next look for connections to evict */
	uint64_t n_evicted, n_evicted_quoted;
	int (*side_hint)(void *ctx, const struct conn *c, int dir, const struct pkt *pk);
	void (*sides_swapped)(void *ctx, struct conn *c);
	void *side_ctx;
};

void engine_init(struct engine *en);
void engine_fini(struct engine *en);

/* Processes one record (its frame number is en->n_frames + 1). Fills *pk (slices of
 * rec and of the fragment table: valid until the next call) and, for TCP and UDP,
 * *c and *r. Returns pk->kind: PK_TCP or PK_UDP (c, r set), or PK_OTHER, PK_BAD,
 * PK_FRAGMENT (counted; c NULL). A link type the decoder does not know returns -1 with
 * e set (the caller stops there, as at any damage). */
int engine_packet(struct engine *en, const struct cap_rec *rec, const char *name, struct pkt *pk, struct conn **c,
		  struct pktrec *r, struct err *e);
/* No more packets: settles the connections' tags (incomplete handshake or close). */
/* How long an ended connection keeps its analysis state: a FIN or ACK repeated after
 * the close still needs it (Linux holds TIME_WAIT for 60 s; twice that covers stacks
 * that wait 2 MSL of 60 s). A packet after that starts a fresh analysis. */
#define ENGINE_RELEASE_AFTER_NS (120 * TS_NS_PER_SEC)

void engine_end(struct engine *en);
/* 1 when TCP connection c has ended (reset, or both sides closed): what the engine
 * waits on before it releases the analysis state (ENGINE_RELEASE_AFTER_NS quiet). */
int engine_conn_over(const struct conn *c);
/* The tags of c that engine_end gives every connection (an incomplete handshake or
 * close), given now: c is over and quiet, and a view tells it before the end. */
void engine_end_conn(struct engine *en, struct conn *c);
/* The same for one connection (before it is evicted). */
void engine_conn_settle(struct conn *c);

/* 1 when decode_packet() reads this link type (a pcap file's one link type is checked
 * at open). */
int engine_linktype_ok(uint16_t linktype);

#endif
