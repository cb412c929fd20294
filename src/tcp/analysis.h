/* analysis.h: per-packet TCP sequence analysis with Wireshark's labels
 * (retransmission, duplicate ACK, zero window, keep-alive, ...; see model/labels.h
 * and docs/analysis.md for the rules in words), plus the per-direction numbers the
 * diagnosis needs that only this pass can measure (ACK latency per segment). */
#ifndef CHATTCP_TCP_ANALYSIS_H
#define CHATTCP_TCP_ANALYSIS_H

#include "../base/ts.h"
#include "../model/conn.h"

struct tcp_analysis;

/* Latency from sending a segment to the first ACK that covers all of it, for the
 * segments one side sent (RFC 6298 section 3 sampling; see ack latency in
 * docs/analysis.md). A segment sent more than once is timed from its last send
 * (Karn's problem: the ACK may answer an earlier copy), and counted in n_karn. */
struct tcp_latency {
	uint64_t n;            /* samples */
	uint64_t n_karn;       /* of which were retransmitted segments, timed from the last send */
	uint64_t n_untracked;  /* segments not timed because the tracking table was full */
	int64_t min_ns, max_ns;
	ts_total sum_ns;       /* room for every sample: the average is exact (base/ts.h) */
};

/* What the ACK in the packet just analysed covered (for sinks that look at it right
 * after tcp_analysis_packet: the diagnosis). n == 0 when it covered no tracked segment.
 * It is the caller's (one per engine, not per connection). */
struct tcp_ack_result {
	uint32_t n;            /* segments newly covered */
	uint32_t newest_len;   /* payload of the most recently sent one of them (a length past
				* 2^31 - 1, which only a jumbogram claims, reads as 2^31 - 1) */
	uint32_t newest_frame;
	uint8_t newest_karn;   /* it had been retransmitted */
	int64_t newest_ns;     /* its latency: ACK time - its last send time */
};

/* The state of one connection is made at its first segment, for the side that sent it;
 * the other side's half is added when that side first sends (the state may move then).
 * A connection one side never answers (a scan, a flood, a capture's last requests)
 * keeps one half: 96 bytes, plus 24 a segment in flight. ACK latency is measured only
 * when `latency` is set (the diagnosis reads it; nothing else does). */
struct tcp_analysis *tcp_analysis_new(int first_dir, int latency);
/* Frees a and everything it owns; NULL is a no-op. */
void tcp_analysis_free(struct tcp_analysis *a);

/* Analyses one TCP segment of c sent by side dir (0 client, 1 server), in capture
 * order; *ap is c's state (from tcp_analysis_new; it may be moved). Sets rec->labels
 * (LB_BIT set), rec->ref_frame and rec->dup_num, and *ack to what its ACK covered. The
 * connection's base sequence numbers (c->base_seq) are already set for this packet.
 * Never allocates per packet: the segment table grows by doubling up to a cap. */
void tcp_analysis_packet(struct tcp_analysis **ap, struct conn *c, int dir, const struct pkt *pk, struct pktrec *rec,
			 struct tcp_ack_result *ack);

/* Client and server of the connection changed places (conn_swap_sides): what a
 * belongs to side 0 now belongs to side 1 and the other way round. NULL is a no-op. */
void tcp_analysis_swap_sides(struct tcp_analysis *a);

/* Where side dir's data has been seen without a hole so far (the end of its contiguous
 * data, FIN included, from the segments analysed before the current one; Wireshark's
 * "max seq to be acked"). Returns 0 when side dir has not sent. */
int tcp_analysis_contig_end(const struct tcp_analysis *a, int dir, uint32_t *end);

/* ACK latency of the segments side dir sent (all zero when not measured); never NULL. */
const struct tcp_latency *tcp_analysis_latency(const struct tcp_analysis *a, int dir);
/* Initial RTT (first SYN answered -> third handshake), 0 when the handshake was not seen. */
int64_t tcp_analysis_irtt_ns(const struct tcp_analysis *a);

#endif
