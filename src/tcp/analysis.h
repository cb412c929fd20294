/* analysis.h: per-packet TCP sequence analysis with Wireshark's labels
 * (retransmission, duplicate ACK, zero window, keep-alive, ...; see model/labels.h). */
#ifndef CHATTCP_TCP_ANALYSIS_H
#define CHATTCP_TCP_ANALYSIS_H

#include "../model/conn.h"

struct tcp_analysis;

struct tcp_analysis *tcp_analysis_new(void);
void tcp_analysis_free(struct tcp_analysis *a);

/* Analyses one TCP segment of c sent by side dir (0 client, 1 server), in capture
 * order. Sets rec->labels (LB_BIT set), rec->ref_frame and rec->dup_num; adds to
 * c->label_count. The connection's base sequence numbers (c->base_seq) are already
 * set for this packet. */
void tcp_analysis_packet(struct tcp_analysis *a, struct conn *c, int dir, const struct pkt *pk, struct pktrec *rec);

#endif
