/* state.h: each endpoint's TCP state (RFC 9293 section 3.3.2) as seen on the wire. */
#ifndef CHATTCP_TCP_STATE_H
#define CHATTCP_TCP_STATE_H

#include "../model/conn.h"

struct tcp_track {
	uint8_t started;
	uint8_t syn_seen[2], synack_seen, hs3_seen;
	uint8_t fin_sent[2], fin_acked[2];
	uint8_t confirmed[2];    /* sent something other than SYN/RST after its handshake */
	uint8_t synack_repeated; /* the last server packet was a repeated SYN+ACK */
	uint8_t hs3_lost;        /* the server re-sent SYN+ACK after the client's third handshake */
	uint8_t waves;           /* wave events so far (bits EV_WAVE1..4 >> 4) */
	uint32_t iss[2];         /* initial sequence number of each side, when its SYN was seen */
	uint8_t iss_known[2];
	uint32_t fin_seq[2];     /* sequence number the FIN occupies */
	uint32_t high_ack[2];    /* highest acknowledgment sent by each side */
	uint8_t ack_known[2];
};

/* Applies one segment sent by side dir (0 client, 1 server) of c; fills rec's
 * state, peer_state and events. Updates c->state, handshake/close summaries. */
void tcp_state_packet(struct conn *c, struct tcp_track *t, int dir, const struct pkt *pk, struct pktrec *rec);

#endif
