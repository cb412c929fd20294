/* state.h: each endpoint's TCP state (RFC 9293 section 3.3.2) as seen on the wire. */
#ifndef CHATTCP_TCP_STATE_H
#define CHATTCP_TCP_STATE_H

#include "../model/conn.h"

/* struct tcp_track (the state machine's memory) is in model/conn.h: it lives inside
 * struct conn. */

/* Applies one segment sent by side dir (0 client, 1 server) of c; fills rec's
 * state, peer_state and events. Updates c->state, handshake/close summaries.
 * contig_end is where side dir's data was seen without a hole before this segment
 * (tcp_analysis_contig_end; contig_known 0 when nothing is known): a FIN moves its
 * receiver's state only once every byte before it was sent. */
void tcp_state_packet(struct conn *c, struct tcp_track *t, int dir, const struct pkt *pk, struct pktrec *rec,
		      int contig_known, uint32_t contig_end);

#endif
