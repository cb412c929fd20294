/* conn.h: a connection (TCP) or conversation (UDP) as every output sees it, and the
 * compact per-packet record the chat views are drawn from. */
#ifndef CHATTCP_CONN_H
#define CHATTCP_CONN_H

#include "../decode/pkt.h"
#include "labels.h"

#include <stdint.h>

enum tcp_state {
	TS_CLOSED, TS_LISTEN, TS_SYN_SENT, TS_SYN_RCVD, TS_ESTABLISHED, TS_FIN_WAIT_1,
	TS_FIN_WAIT_2, TS_CLOSE_WAIT, TS_CLOSING, TS_LAST_ACK, TS_TIME_WAIT, TS_COUNT
};
const char *tcp_state_name(int st);

/* What a packet did to the connection, found by tcp/state.c; the chat note is made
 * from these, the flags and the analysis labels. */
enum pkt_event {
	EV_HS1 = 1 << 0,        /* first handshake: SYN */
	EV_HS2 = 1 << 1,        /* second handshake: SYN+ACK */
	EV_HS3 = 1 << 2,        /* third handshake: the ACK of the SYN+ACK */
	EV_SIMOPEN = 1 << 3,    /* SYN crossing the peer's SYN (simultaneous open) */
	EV_WAVE1 = 1 << 4,      /* first FIN of the connection */
	EV_WAVE2 = 1 << 5,      /* ACK of the first FIN */
	EV_WAVE3 = 1 << 6,      /* the second FIN */
	EV_WAVE4 = 1 << 7,      /* ACK of the second FIN */
	EV_SIMCLOSE = 1 << 8,   /* FIN sent before the peer's FIN was acknowledged (FINs crossed) */
	EV_RST = 1 << 9,
	EV_RST_REFUSED = 1 << 10,   /* RST answering a SYN: nothing listens on the port */
	EV_RST_HALFOPEN = 1 << 11,  /* RST from a side that never reached ESTABLISHED */
	EV_MIDSTREAM = 1 << 12,     /* first packet of a connection whose start was not captured */
	EV_HS3_RETX = 1 << 13,      /* the third handshake again, answering a repeated SYN+ACK */
	EV_HS_RETX = 1 << 14,       /* a handshake packet sent again */
	EV_FIN_RETX = 1 << 15,      /* a FIN sent again */
};

/* One packet in the per-packet index: 64 bytes, no pointers, enough to draw the
 * chat bubble without decoding the packet again; the payload is read back through
 * `off` when shown. */
struct pktrec {
	uint64_t off;        /* record offset in the capture file */
	int64_t ts_ns;
	uint32_t frame;
	uint32_t conn;       /* index into the capture's connection table */
	uint32_t seq, ack;
	uint32_t rseq, rack; /* relative, as Wireshark counts them, with the bases the
			      * connection had when this packet came (0 rack without ACK) */
	uint32_t len;        /* payload bytes on the wire */
	uint32_t labels;     /* LB_BIT() set of analysis labels */
	uint32_t ref_frame;  /* duplicate_ack: the frame it duplicates; retransmission: the original */
	uint16_t events;     /* enum pkt_event */
	uint16_t flags;      /* the TCP flags (enum tcp_flag), and PR_FLAG_WSCALE_UNKNOWN */
	uint16_t win;        /* raw window field */
	uint16_t dup_num;    /* duplicate_ack: how many so far */
	uint8_t dir;         /* 0: client -> server, 1: server -> client */
	uint8_t state;       /* sender's TCP state after this packet */
	uint8_t peer_state;  /* receiver's TCP state after this packet */
	uint8_t pflags;      /* PR_ bits, and the window scale in force (PR_WSCALE_SHIFT) */
};

enum {
	PR_TRUNCATED = 1, PR_MALFORMED = 2, PR_REASSEMBLED = 4,
	/* Bits 3-7: 1 + the window scale both SYNs agreed and this packet's window is
	 * scaled by (RFC 7323 section 2.3: never a SYN's), 0 when not scaled. Known at
	 * the packet: a later packet must not change how an earlier window reads. */
	PR_WSCALE_SHIFT = 3,
	PR_WSCALE_MASK = 15,
	/* The connection was seen without its SYN, its sides were a guess from the ports,
	 * and this packet's payload decided them (engine.side_hint): confirmed, or swapped,
	 * and then a live view showed the packets before it the other way round. */
	PR_SIDES_DECIDED = 128,
};
_Static_assert((PR_WSCALE_MASK << PR_WSCALE_SHIFT) < PR_SIDES_DECIDED, "pflags: the window scale's bits end below PR_SIDES_DECIDED");

/* In pktrec.flags, above the nine TCP flags (pflags has no bit left): the window is
 * not scaled by what is known at the packet, but no SYN said that there is no scaling
 * (the handshake was not captured), so the field may be scaled: Wireshark's window
 * scale -1, "unknown". Known at the packet, as the scale is. */
#define PR_FLAG_WSCALE_UNKNOWN 0x8000
_Static_assert(PR_FLAG_WSCALE_UNKNOWN > TH_NS, "PR_FLAG_WSCALE_UNKNOWN lies above the TCP flags");

/* The window scale of r's window field, or -1 when it is not scaled. */
static inline int pktrec_wscale(const struct pktrec *r)
{
	return ((r->pflags >> PR_WSCALE_SHIFT) & PR_WSCALE_MASK) - 1;
}

struct endpoint {
	struct ipaddr addr;
	uint16_t port;
};

enum hs_kind { HS_NONE, HS_INCOMPLETE, HS_COMPLETE };
enum close_kind { CLOSE_NONE, CLOSE_FIN, CLOSE_RST, CLOSE_HALF };

enum conn_tag {
	TAG_HS_INCOMPLETE = 1 << 0,   /* "3-way incomplete" */
	TAG_CLOSE_INCOMPLETE = 1 << 1,/* "4-way incomplete" */
	TAG_RST = 1 << 2,
	TAG_RETRANS = 1 << 3,
	TAG_MIDSTREAM = 1 << 4,
	TAG_REFUSED = 1 << 5,
	TAG_ZERO_WINDOW = 1 << 6,
	TAG_DUP_ACK = 1 << 7,
	TAG_KEEPALIVE = 1 << 8,
	TAG_TRUNCATED = 1 << 9,
	TAG_SIMCLOSE = 1 << 10,
	TAG_REUSED = 1 << 11,
	TAG_LOST = 1 << 12,
	TAG_OOO = 1 << 13,
	TAG_COUNT_ = 14
};
const char *conn_tag_name(int bit_index);

/* What the state machine (tcp/state.c) remembers of each endpoint between packets.
 * Kept inside struct conn (it lives as long as the connection): 32 bytes. */
struct tcp_track {
	uint32_t iss[2];         /* initial sequence number of each side, when its SYN was seen */
	uint32_t fin_seq[2];     /* sequence number the FIN occupies */
	uint8_t started;
	uint8_t syn_seen[2], synack_seen, hs3_seen;
	uint8_t fin_sent[2], fin_acked[2];
	uint8_t confirmed[2];    /* sent something other than SYN/RST after its handshake */
	uint8_t synack_repeated; /* the last server packet was a repeated SYN+ACK */
	uint8_t hs3_lost;        /* the server re-sent SYN+ACK after the client's third handshake */
	uint8_t waves;           /* bits 0-3: wave events so far (EV_WAVE1..4 >> 4); bit 4 + s
				  * (TRK_FIN_HEARD): side s's FIN has reached its peer in
				  * sequence, as far as the capture shows (the peer's state
				  * moved on it, tcp/state.c) */
	uint8_t iss_known[2];
};

#define TRK_FIN_HEARD(side) (1u << (4 + (side)))

/* Why the client was chosen without a SYN (conn.client_guessed), in words. */
enum conn_guess {
	GUESS_NONE,              /* a SYN said it, or UDP (the first sender is the client) */
	GUESS_TCP_SERVICE_PORT,  /* no SYN seen: the side on a well-known service port serves */
	GUESS_UDP_SERVICE_PORT,  /* the same for UDP */
	GUESS_TCP_LOWER_PORT,    /* no SYN seen, no service port: the lower port serves */
	GUESS_TCP_CONTENT,       /* no SYN seen: the first bytes sent read as a request from one
				  * side (or an answer from the other), whatever the ports say */
};

struct tcp_analysis; /* tcp/analysis.c */

/* A connection. The table holds one per connection of the capture, and a capture may
 * hold hundreds of thousands at once (tests/lib/hostile.py many_conns: 200,000), so
 * every byte here is paid that many times: what only some connections need (label
 * counts, the analysis state) hangs off a pointer made at first need, flags are
 * bytes, and CONN_SIZE_MAX below keeps it from growing back unnoticed. */
struct conn {
	uint32_t idx;        /* creation order among all connections */
	uint32_t id;         /* user-facing id within its protocol: tshark's tcp.stream / udp.stream
			      * (also the order among connections of its protocol) */
	int64_t first_ts, last_ts;
	uint32_t first_frame, last_frame;
	uint64_t pkts[2];    /* packets sent by client [0] / server [1] */
	uint64_t bytes[2];   /* payload bytes */
	uint64_t wire[2];    /* frame bytes, as tshark's conversation table counts them */
	struct endpoint ep[2];   /* [0] client, [1] server */
	uint32_t base_seq[2];/* relative sequence numbers count from here (Wireshark's rules) */
	uint16_t tags;       /* enum conn_tag (TAG_COUNT_ bits) */
	uint8_t proto;       /* 6 TCP, 17 UDP */
	uint8_t client_guessed; /* enum conn_guess: GUESS_NONE, or why the client was chosen by
				 * ports (no SYN seen); conn_guess_why() says it in words */
	uint8_t handshake;   /* enum hs_kind */
	uint8_t close;       /* enum close_kind */
	uint8_t rst_by;      /* 0 none, 1 client, 2 server (the first reset) */
	uint8_t reset_then_syn; /* a SYN came after a reset: the connection was tried again */
	uint8_t fin_first_by;/* 0 none, 1 client, 2 server */
	uint8_t base_set[2];
	int8_t wscale[2];    /* window scale from the SYNs; -1 unknown, -2 not used */
	uint8_t state[2];    /* current TCP state of client and server */
	uint8_t superseded : 1;  /* a later connection took over its 4-tuple */
	uint8_t ended_queued : 1;/* waiting in the engine's queue of ended connections */
	uint8_t quoted_only : 1; /* made for a 5-tuple an ICMP error quoted; no packet of its own
				  * yet (it takes an id, as in Wireshark, but nothing lists it) */
	uint8_t carrier : 1;     /* its datagrams carry a UDP tunnel (VXLAN, Geneve, GTP-U): a
				  * frame whose content is TCP or UDP is shown in that inner
				  * conversation, so the chat says where they went */
	struct tcp_track trk;    /* TCP state machine memory (tcp/state.c) */
	uint32_t *label_count;   /* [LB_COUNT] packets per analysis label; NULL until the
				  * first label (most connections of a scan or flood have none):
				  * read through conn_label_count() */
	struct tcp_analysis *ta; /* NULL before the first TCP packet and after release */
	void *app;           /* application decoder state (proto/) */
};

/* Bytes a struct conn may take. 200,000 open connections cost 200 bytes each here,
 * 40 MB; a field added without thought shows up as a build error, so the cost is seen
 * (tests/lib/hostile.py many_conns holds the whole TCP side under 400 bytes a
 * connection, docs/performance.md). */
#define CONN_SIZE_MAX 200
_Static_assert(sizeof(struct conn) <= CONN_SIZE_MAX, "struct conn grew past CONN_SIZE_MAX: see its comment");

/* Packets of c that carried analysis label l (enum label). */
static inline uint32_t conn_label_count(const struct conn *c, int l)
{
	return c->label_count && l >= 0 && l < LB_COUNT ? c->label_count[l] : 0;
}

/* Why the client of c was guessed (no SYN seen), NULL when it was not. */
const char *conn_guess_why(const struct conn *c);

/* Swaps client and server of c: every per-side field of the connection and of its
 * state machine memory (not c->ta: tcp_analysis_swap_sides). For a connection whose
 * sides were guessed and that has carried no payload yet (engine_packet). */
void conn_swap_sides(struct conn *c);

/* The relative sequence number of a sequence number sent by side dir of c. */
static inline uint32_t conn_rel(const struct conn *c, int dir, uint32_t seq)
{
	return seq - c->base_seq[dir];
}

#endif
