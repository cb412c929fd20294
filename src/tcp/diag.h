/* diag.h: per-connection diagnosis. A packet sink (fed by the engine after state and
 * analysis) measures each TCP connection: handshake RTT, ACK latency, retransmissions,
 * duplicate ACKs, zero-window periods, keep-alive cadence, time to first byte, how it
 * ended; diag_findings() then names the likely cause of what it saw, in words. The
 * rules are explained in docs/analysis.md; src/cli/diag.c renders the report. */
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
	int64_t stall_max_ns;
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
};

struct diag;

struct diag *diag_new(void);
/* Frees d and every per-connection record; NULL is a no-op. */
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
	DIAG_KEEPALIVE, DIAG_RST_AFTER_FIN, DIAG_DELAYED_ACK, DIAG_UNSEEN_RETX, DIAG_FAST_RETX, DIAG_RULE_COUNT
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
 * diag_findings_fini. Returns the set of rules found (bit 1 << enum diag_rule). */
uint32_t diag_findings(struct diag *d, const struct conn *c, struct diag_findings *out);
void diag_findings_fini(struct diag_findings *f);

/* How the connection ended, in words ("four-packet close, the client closed first"). */
void diag_end_words(const struct diag_conn *dc, const struct conn *c, struct strbuf *out);

#endif
