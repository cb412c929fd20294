/* diag.h: per-connection diagnosis. A packet sink (fed by the engine after state and
 * analysis) measures each TCP connection: handshake RTT, ACK latency, retransmissions,
 * duplicate ACKs, zero-window periods, keep-alive cadence, time to first byte, how it
 * ended; diag_findings() then names the likely cause of what it saw, in words. The
 * rules are explained in docs/diagnosis.md; src/out/report.c renders the report. */
#ifndef CHATTCP_TCP_DIAG_H
#define CHATTCP_TCP_DIAG_H

#include "../base/strbuf.h"
#include "../base/ts.h"
#include "../model/conn.h"
#include "../model/events.h"
#include "analysis.h"

/* Distinct duplicate-ACK numbers remembered per direction; the rest are summed in
 * dup_other (a summary line, not a log). */
#define DIAG_DUP_VALUES 8
/* Recent segments remembered per direction to time repeated sends (RTO backoff);
 * a retransmission of an older one is counted but not timed. */
#define DIAG_RECENT 32
/* Gaps kept for one retransmitted segment: 8 backoffs is 255 x the first RTO. */
#define DIAG_GAPS 8
/* Holes (bytes not seen yet) remembered per side to time how soon each is filled; a
 * hole past the 8th is not timed (a capture losing that much is told by the counts). */
#define DIAG_HOLES 8

struct diag_chain {          /* one segment sent again and again */
	uint32_t rseq;           /* relative sequence number */
	uint32_t sends;          /* 1 + retransmissions */
	int64_t last_ts;
	int64_t gap_ns[DIAG_GAPS];
	uint8_t syn;
};

/* What diag_get shows of one side. It is a view: the state kept per connection is
 * smaller (diag.c keeps the rarely used parts only for the sides that need them). */
struct diag_dir {            /* what one side sent */
	uint64_t pkts, bytes, retx_pkts, retx_bytes;
	uint32_t retx_unseen;    /* "retransmissions" of bytes never seen before in the capture */
	uint32_t spurious;       /* retransmissions of bytes the peer had already acknowledged */
	uint32_t unseen_first;   /* frame of the first such segment */
	uint32_t fast_retx;      /* fast retransmissions (after duplicate ACKs) */
	uint32_t fast_first;     /* frame of the first */
	uint32_t dup_rack[DIAG_DUP_VALUES], dup_n[DIAG_DUP_VALUES];
	uint32_t n_dup_values, dup_total, dup_other;
	/* zero window advertised by this side */
	uint32_t zw_periods, zw_probes_recv;
	int64_t zw_start, zw_total_ns, zw_max_ns;
	uint8_t zw_open;         /* in a zero-window period now */
	/* keep-alives sent by this side */
	uint32_t ka_n, ka_gaps;
	int64_t ka_last, ka_gap_min, ka_gap_max, ka_idle_ns;
	ts_total ka_gap_sum;     /* base/ts.h: the average gap is exact */
	struct diag_chain worst; /* the segment sent most often (of the last DIAG_RECENT) */
	/* ACKs of small segments that took a delayed-ACK time (counted for the sender) */
	uint32_t small_acked, stall_40, stall_200;
	int64_t stall_max_ns;      /* the longest such wait beyond the path's round trip */
	uint32_t stall_first;      /* frame of the first ACK that ended a stall */
	/* holes in what this side sent, as seen here, and how soon each was filled: sooner
	 * than half a round trip cannot be a repeat asked for by the receiver (reordering) */
	uint32_t fill_early, fill_late, fill_early_first, fill_late_first;
	int64_t fill_early_max_ns, fill_late_min_ns;
	/* timer retransmissions of the last segment sent (nothing after it to make
	 * duplicate ACKs): tail loss */
	uint32_t tail_retx, tail_first, tail_orig, tail_dsack; /* tail_dsack: shown received by a D-SACK */
	int64_t tail_wait_ns;
	/* segments that filled the peer's receive window, and the largest window this
	 * side offered (bytes, scaled) */
	uint32_t win_full, win_full_first, data_segs;
	uint64_t max_win;
	/* segment sizes of new data (repeats are not counted): the largest sent, the largest
	 * of the last DIAG_LEN_RING and how many of those had it (the steady size at the end),
	 * the largest retransmitted by timer, how many new segments came after the
	 * connection's first timer retransmission */
	uint32_t len_max, len_end, len_end_n, rto_len_max, new_after_rto;
	/* bytes of this side the peer acknowledged that the capture never saw */
	uint32_t missed, missed_frame;
};

/* What the newer rules measure of a connection (kept apart: the state behind it is made
 * at the connection's first SYN+ACK, RST or packet of its second side, so a lone SYN or
 * a one-sided connection costs nothing more). */
struct diag_evidence {
	/* The handshake's halves, paired as they answered each other: the SYN+ACK the
	 * third handshake answered, and the SYN that SYN+ACK answered (0 when not seen). */
	int64_t leg_syn_ns, leg_synack_ns;
	uint32_t hs_syn_frame, hs_synack_frame, hs3_frame, syn_first_frame, synack_first_frame;
	int64_t first_synack_after_ns;   /* the first SYN+ACK: how long after the first SYN */
	uint16_t mss[2];                 /* from each side's SYN; 0 unknown */
	/* requests and answers: the slowest answer after the server's TCP acknowledged the
	 * request (the server's application), the slowest request to arrive whole (the client) */
	uint32_t slow_answers, slow_ans_req_frame, slow_ans_ack_frame, slow_ans_frame;
	int64_t slow_ans_ack_ns, slow_ans_wait_ns;
	uint32_t slow_requests, slow_req_pieces, slow_req_first_frame, slow_req_last_frame;
	int64_t slow_req_ns, slow_req_answer_ns;
	/* the first RST: its evidence */
	uint32_t rst_frame, rst_answers_frame, rst_data_after;
	int64_t rst_quiet_ns;      /* silence before the packet the RST answered */
	uint8_t rst_has_ack, rst_ttl, rst_side_ttl, rst_ttl_known, rst_noconn, rst_answers_data;
	uint8_t rst_side_fin;      /* the RST's sender had sent a FIN before */
	uint8_t rst_reopened;      /* the RST's sender sent a SYN after it (ports reused) */
	uint64_t rst_peer_bytes;   /* bytes the RST's receiver had sent by then */
	/* the longest run of the server's writes paced by its application (each after a
	 * pause with nothing in flight, no client data between them): a stream of events */
	uint32_t stream_pieces, stream_first_frame, stream_last_frame;
	int64_t stream_span_ns, stream_gap_min_ns, stream_gap_max_ns;
	/* the connection's first timer retransmission (either side) */
	uint32_t first_rto_frame;
	/* set across connections (diag_findings): connections to the same listener whose
	 * SYN was sent again within one second of this one's and then answered; the number
	 * of connections of this host pair that all lost packets of the same side; how many
	 * connections to this listener sent their SYN again within one second of this one's
	 * (at least LISTEN_MIN: the listener was overflowing when this one connected) */
	uint32_t listen_group, path_group, path_loss_side, listen_busy;
};

struct diag_conn {
	struct diag_dir d[2];
	uint32_t syn_n, synack_n, hs3_n;
	int64_t syn_first, syn_last, synack_first, synack_last, hs3_ts;
	uint8_t refused, three_pkt_close, rst_after_fin, fin_seen;
	uint8_t rst_dir;         /* 0 none, 1 client, 2 server */
	/* time to first byte: from the start of a request to the first answer byte */
	int64_t req_start, ttfb_first, ttfb_max;
	ts_total ttfb_sum;
	uint32_t ttfb_n;
	uint8_t awaiting;        /* a request is waiting for its first answer byte */
	uint8_t last_data_dir;   /* 0 none, 1 client, 2 server */
	struct tcp_latency lat[2]; /* copied from the analysis at the end */
	int64_t irtt_ns;
	struct diag_evidence e;
};

struct diag;

struct diag *diag_new(void);
/* Frees d and every per-connection record; NULL is a no-op. */
/* The findings across connections (a path losing for many, a busy listener) are
 * worked out over every connection held, O(n log n): a live session that asks for one
 * connection's findings as each is evicted asks for them again at most every ns of
 * capture time (DIAG_CROSS_LIVE_NS), so they may be that stale; 0 (the default, and at
 * the end): fresh every time. */
#define DIAG_CROSS_LIVE_NS TS_NS_PER_SEC
void diag_cross_every(struct diag *d, int64_t ns);
/* Live eviction: forgets connection c (its idx is reused by the next connection). */
void diag_conn_free(struct diag *d, const struct conn *c);
void diag_free(struct diag *d);
/* Client and server of c changed places (conn_swap_sides, before any payload): what
 * the diagnosis holds of each side moves with it. */
void diag_swap_sides(struct diag *d, const struct conn *c);
/* The sink function: ctx is a struct diag; ack is what the packet's ACK covered (the
 * engine's last_ack: tcp_analysis_packet). Per-connection state is allocated once per
 * TCP connection, never per packet. */
void diag_packet(void *ctx, const struct pkt *pk, struct conn *c, const struct pktrec *rec,
		 const struct tcp_ack_result *ack);
/* The measurements of c (NULL when it is not TCP or had no packet). The record is
 * put together for the call: it is d's, valid until the next diag_get or
 * diag_findings on d. */
const struct diag_conn *diag_get(struct diag *d, const struct conn *c);

enum diag_rule {
	DIAG_SYN_UNANSWERED, DIAG_REFUSED, DIAG_HS3_LOST, DIAG_ZERO_WINDOW, DIAG_RTO_BACKOFF,
	DIAG_KEEPALIVE, DIAG_RST_AFTER_FIN, DIAG_DELAYED_ACK, DIAG_UNSEEN_RETX, DIAG_FAST_RETX,
	DIAG_HS_SLOW, DIAG_LISTEN_OVERFLOW, DIAG_PATH_LOSS, DIAG_TAIL_LOSS, DIAG_REORDER, DIAG_RWND_LIMITED,
	DIAG_BUFFERBLOAT, DIAG_PMTU_BLACKHOLE, DIAG_SLOW_SERVER, DIAG_SLOW_CLIENT, DIAG_ABORT_RST,
	DIAG_HALF_OPEN, DIAG_INJECTED_RST, DIAG_CAPTURE_MISSED, DIAG_STREAM,
	/* TLS rules: named here with the rest (one table of rule names), found by the session
	 * from the TLS layer's messages (session/tlsdiag.c); diag_findings never adds them. */
	DIAG_TLS_HANDSHAKE, DIAG_TLS_FAILED, DIAG_TLS_DOWNGRADE, DIAG_TLS_SNI_MISMATCH, DIAG_TLS_CERT_EXPIRED,
	DIAG_TLS_CERT_NOT_YET, DIAG_H2_STALLED, DIAG_H2_RESET, DIAG_RULE_COUNT
};
/* The rules: stable JSON name ("syn_unanswered"), severity, meaning (model/events.h). */
extern const struct app_event diag_rules[DIAG_RULE_COUNT + 1];
const char *diag_rule_name(int rule);

/* One finding: which rule, and the words with the figures of this connection. */
struct diag_finding {
	int rule;                  /* enum diag_rule */
	const struct app_event *ev;/* &diag_rules[rule] */
	struct strbuf text;
};

/* The findings of one connection; each rule at most once. */
struct diag_findings {
	struct diag_finding f[DIAG_RULE_COUNT];
	size_t n;
	struct strbuf spare; /* internal */
};

/* Fills out with the diagnosis of c (out->n may be 0: nothing unusual); free with
 * diag_findings_fini. Returns the set of rules found (bit 1 << enum diag_rule). The
 * findings across connections (a listener's overflow, a lossy path) are worked out
 * over every connection d measured, once after the last packet fed. */
uint32_t diag_findings(struct diag *d, const struct conn *c, struct diag_findings *out);
void diag_findings_fini(struct diag_findings *f);
/* Adds a finding of rule to out (filled by diag_findings): its words go into the
 * returned buffer. For rules found above this layer (the TLS rules). */
struct strbuf *diag_finding_add(struct diag_findings *out, int rule);

/* Where the capture was taken, from the handshake's halves: "client", "server",
 * "between" or NULL when the handshake was not seen whole. */
const char *diag_capture_point(const struct diag_conn *dc);

/* How the connection ended, in words ("four-packet close, the client closed first"). */
void diag_end_words(const struct diag_conn *dc, const struct conn *c, struct strbuf *out);

#endif
