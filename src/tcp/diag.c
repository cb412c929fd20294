/* diag.c: see diag.h. Measurements follow RFC 9293 (handshake, close), RFC 6298
 * (retransmission timer and its exponential backoff, Karn), RFC 5681 (duplicate ACKs),
 * RFC 1122 sections 4.2.3.2 (delayed ACK) and 4.2.3.6 (keep-alive), RFC 896 (Nagle).
 * Every wait is measured with ts_elapsed (base/ts.h): saturated where two timestamps
 * are 2^63 ns apart, 0 where the capture's clock went backwards. */
#include "diag.h"

#include "../base/ts.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MS TS_NS_PER_MS
#define SEC TS_NS_PER_SEC

/* Delayed-ACK windows: Linux acknowledges a lone small segment after its delayed-ACK
 * timer (40 ms minimum, TCP_DELACK_MIN); Windows and the BSDs after ~200 ms
 * (RFC 1122 section 4.2.3.2 allows up to 500 ms). */
#define DELACK40_LO (30 * MS)
#define DELACK40_HI (60 * MS)
#define DELACK200_LO (150 * MS)
#define DELACK200_HI (260 * MS)
/* A "small" segment: less than a typical MSS; Nagle holds writes below one MSS. */
#define SMALL_SEG 536
/* One slow ACK is noise; a pattern needs at least two. */
#define STALL_MIN 2
/* The next small segment follows an ACK that Nagle waited for within the round trip
 * back to its sender plus this much (scheduling, the capture's clock). */
#define NAGLE_SLACK (5 * MS)
/* Last data segment sizes kept per side to tell the steady segment size at the end. */
#define DIAG_LEN_RING 8
/* A segment sent again sooner than this, or than half the round trip, is a copy (the
 * capture saw the frame twice, or the network duplicated it), not a repeat: no timer
 * fires that soon (Linux's tail-loss probe waits at least 2 x SRTT + 2 ms, its RTO
 * 200 ms; RFC 6298 1 s), and duplicate ACKs need a round trip to come back. */
#define REPEAT_MIN (1 * MS)
/* A SYN sent again sooner than this is a copy: the SYN timer waits 1 s (RFC 6298
 * section 2, Linux's TCP_TIMEOUT_INIT), and no stack's RTO is below 200 ms. */
#define SYN_REPEAT_MIN (100 * MS)
/* RFC 7323 section 2.3: a window scale above 14 is taken as 14. */
#define WSCALE_MAX 14

/* The state kept per TCP connection is what every connection needs (a few counters,
 * the time to first byte in progress, the end: 88 bytes, carved from blocks); what only
 * some need comes when it is first needed: the handshake times with the first
 * handshake packet, the ring of recent segments one send at a time up to DIAG_RECENT,
 * the rest of struct diag_dir (retransmissions, duplicate ACKs, zero window,
 * keep-alive, stalls, the worst chain, the gaps of repeated sends) with the side's
 * first such event, and the working state of the rules that need both sides (struct
 * dg_work, ~220 bytes) with the first packet that makes a conversation; its own parts
 * (the handshake's pairing, holes, stalls, the request in progress, answer times, slow
 * answers, the RST, timer retransmissions) again at their first use. Packet and byte
 * counts are the connection's own (struct conn: every packet of a diagnosed connection
 * comes here). 200,000 connections of one segment each cost ~20 MB, not 1.4 GB;
 * diag_get puts the full record together. */

struct dg_sent {             /* one segment in the ring of recent sends */
	uint32_t rseq;
	uint32_t sends : 31;     /* 1 + retransmissions (stops at 2^31 - 1); 0: unused */
	uint32_t syn : 1;
	int64_t last_ts;
};

/* The ring doubles up to DIAG_RECENT exactly, and its counters are bytes. */
_Static_assert(DIAG_RECENT <= 128 && (DIAG_RECENT & (DIAG_RECENT - 1)) == 0, "DIAG_RECENT: a power of two <= 128");

struct dg_rare {             /* the rarely used part of one side */
	struct diag_dir v;       /* what diag_get shows, but for pkts, bytes and what dg_side keeps */
	int64_t (*gaps)[DIAG_GAPS]; /* DIAG_RECENT rows, beside the ring, at the first repeat */
};

struct dg_dir {
	uint32_t small_acked;
	uint8_t ring_cap, ring_next;       /* ring_cap doubles from 1 up to DIAG_RECENT */
	struct dg_sent *ring;
	struct dg_rare *rare;              /* at the first event that needs it */
};

struct dg_handshake {        /* made at the first handshake packet */
	int64_t syn_first, syn_last, synack_first, synack_last, hs3_ts;
	uint32_t syn_n, synack_n, hs3_n;
	uint32_t syn_first_frame, syn_last_frame;
	uint16_t mss0;           /* the client's MSS option */
};

/* The handshake's halves paired as they answered each other (made at the first SYN+ACK). */
struct dg_pairing {
	int64_t leg_syn_ns, leg_synack_ns, first_synack_after_ns;
	uint32_t hs_syn_frame, hs_synack_frame, hs3_frame, synack_first_frame, synack_last_frame;
	uint32_t listen_group;   /* set across connections: see struct diag_evidence */
	uint32_t listen_busy;
	uint16_t mss1;           /* the server's MSS option */
};

struct dg_answers {          /* time to first byte, made at the first answer */
	ts_total sum;
	int64_t first, max;
	uint32_t n;
};

/* What the rules that need both sides follow of one side, for every packet. */
struct dg_side {
	int64_t quiet_before;    /* the silence before this side's last packet */
	uint32_t last_frame, last_ack_raw;
	uint32_t high_end, ack_max;  /* the end of what it sent, the most it acknowledged */
	uint32_t max_win;        /* the largest window it offered (bytes, scaled: below 2^30) */
	uint32_t data_segs, len_max;
	uint16_t recent_len[DIAG_LEN_RING];  /* the last data segment sizes (path-MTU rule) */
	uint8_t recent_next, last_data, last_ack_ok, ttl, ttl_seen, ttl_mixed, fin_sent;
	uint8_t high_known, ack_known;
};

struct dg_hole { uint32_t start, end; int64_t ts; };

struct dg_holes {            /* bytes not seen yet, per side (at the first hole) */
	struct dg_hole h[2][DIAG_HOLES];
	uint8_t n[2];
};

/* A delayed ACK of a side's small segment, waiting to see whether the side's next
 * segment followed it at once (Nagle held it); made at the first such ACK. */
struct dg_stall {
	int64_t ack_ts[2], excess[2];
	uint32_t frame[2];
	uint8_t class[2];        /* 0 none, 1 ~40 ms, 2 ~200 ms */
};

struct dg_request {          /* the request in progress (at the first request) */
	int64_t first, last, ack_ts;
	int64_t idle_ns;         /* its waits with nothing in flight: the client's own */
	uint32_t pieces, first_frame, last_frame, ack_frame;
	uint8_t retx;
};

struct dg_slow {             /* the slowest answer and request (at the first slow one) */
	uint32_t answers, ans_req_frame, ans_ack_frame, ans_frame;
	int64_t ans_ack_ns, ans_wait_ns;
	uint32_t requests, req_pieces, req_first_frame, req_last_frame;
	int64_t req_ns, req_answer_ns;
};

/* The server's writes paced by its application (at the first such write). */
struct dg_stream {
	uint32_t pieces, first_frame, last_frame;        /* the run in progress */
	int64_t first_ts, last_ts, gap_min, gap_max;
	uint32_t best_pieces, best_first, best_last;     /* the longest run */
	int64_t best_span, best_gap_min, best_gap_max;
};

struct dg_rst {              /* the first RST's evidence (at the first RST) */
	uint32_t frame, answers_frame, data_after;
	int64_t quiet_ns;
	uint64_t peer_bytes;
	uint8_t has_ack, ttl, side_ttl, ttl_known, noconn, answers_data, side_fin, reopened;
};

struct dg_loss {             /* timer retransmissions (at the first) */
	uint32_t first_rto_frame;
	uint32_t rto_len_max[2];
	uint32_t new_after[2];   /* new data segments of each side after the first timeout */
	uint32_t tail_seq_raw[2], tail_end_raw[2];  /* the last tail retransmission of each side */
};

/* The working state of the rules that need both sides, made at the connection's first
 * SYN+ACK, RST, or packet of its second side (a lone SYN or segment never needs it). */
struct dg_work {
	const struct conn *conn;           /* for the findings across connections */
	int64_t any_last_ts;
	struct dg_side s[2];
	struct dg_pairing *pair;
	struct dg_holes *holes;
	struct dg_stall *stall;
	struct dg_request *req;
	struct dg_answers *ttfb;
	struct dg_slow *slow;
	struct dg_rst *rst;
	struct dg_loss *loss;
	struct dg_stream *stream;
	uint32_t path_group;               /* set across connections */
	uint8_t path_loss_side;            /* 0 none, 1 client, 2 server */
	uint8_t sent_idle;       /* this packet's side had nothing unacknowledged before it */
};
_Static_assert(sizeof(struct dg_work) <= 224, "struct dg_work grew: every conversation pays for it");

struct dg_conn {
	struct dg_dir d[2];
	int64_t last_other_ts;   /* last packet that was not a keep-alive or its ACK */
	int64_t req_start;       /* the request waiting for its answer began then */
	struct dg_handshake *hs;
	struct dg_work *w;       /* the conversation's working state (answer times in it) */
	uint8_t refused, three_pkt_close, rst_after_fin, fin_seen, rst_dir;
	uint8_t awaiting, last_data_dir;
	uint8_t made;            /* this slot of its block is in use */
};
_Static_assert(sizeof(struct dg_conn) <= 88, "struct dg_conn grew: every diagnosed connection pays for it");

/* Per-connection states are carved from blocks of this many, by conn idx. */
#define DG_BLOCK_SHIFT 10
#define DG_BLOCK ((size_t)1 << DG_BLOCK_SHIFT)

struct diag {
	struct dg_conn **blocks;  /* blocks[i]: DG_BLOCK states from conn idx i * DG_BLOCK on */
	size_t cap_blocks;
	struct diag_conn view;    /* what diag_get returns */
	uint8_t cross_done;       /* the findings across connections are up to date */
	/* diag_cross_every: work them out again at most this often (capture time, from
	 * the last packet's) while packets come; 0: before every diag_findings that
	 * follows a packet */
	int64_t cross_every_ns, last_ts, cross_ts;
};

struct diag *diag_new(void) { return xcalloc(1, sizeof(struct diag)); }

static void work_free(struct dg_work *w)
{
	if (!w)
		return;
	xfree(w->pair);
	xfree(w->holes);
	xfree(w->stall);
	xfree(w->req);
	xfree(w->ttfb);
	xfree(w->slow);
	xfree(w->rst);
	xfree(w->loss);
	xfree(w->stream);
	xfree(w);
}

static void dg_conn_fini(struct dg_conn *dc)
{
	for (int s = 0; s < 2; s++) {
		xfree(dc->d[s].ring);
		if (dc->d[s].rare)
			xfree(dc->d[s].rare->gaps);
		xfree(dc->d[s].rare);
	}
	xfree(dc->hs);
	work_free(dc->w);
}

void diag_free(struct diag *d)
{
	if (!d)
		return;
	for (size_t b = 0; b < d->cap_blocks; b++) {
		if (!d->blocks[b])
			continue;
		for (size_t i = 0; i < DG_BLOCK; i++)
			if (d->blocks[b][i].made)
				dg_conn_fini(&d->blocks[b][i]);
		xfree(d->blocks[b]);
	}
	xfree(d->blocks);
	xfree(d);
}

/* c's state; NULL when it has none and make is 0. */
static struct dg_conn *conn_state(struct diag *d, const struct conn *c, int make)
{
	size_t b = c->idx >> DG_BLOCK_SHIFT;
	if (b >= d->cap_blocks || !d->blocks[b]) {
		if (!make)
			return NULL;
		size_t old = d->cap_blocks;
		if (b >= old) {
			xgrow(&d->blocks, &d->cap_blocks, b + 1, sizeof *d->blocks);
			memset(d->blocks + old, 0, (d->cap_blocks - old) * sizeof *d->blocks);
		}
		d->blocks[b] = xcalloc(DG_BLOCK, sizeof *d->blocks[b]);
	}
	struct dg_conn *dc = &d->blocks[b][c->idx & (DG_BLOCK - 1)];
	if (!dc->made) {
		if (!make)
			return NULL;
		dc->made = 1;
	}
	return dc;
}

void diag_cross_every(struct diag *d, int64_t ns)
{
	d->cross_every_ns = ns;
	d->cross_ts = INT64_MIN;
}

void diag_conn_free(struct diag *d, const struct conn *c)
{
	struct dg_conn *dc = conn_state(d, c, 0);
	if (!dc)
		return;
	dg_conn_fini(dc);
	memset(dc, 0, sizeof *dc);
	d->cross_done = 0;
}

static struct dg_rare *rare_of(struct dg_dir *s)
{
	if (!s->rare)
		s->rare = xcalloc(1, sizeof *s->rare);
	return s->rare;
}

/* The rarely used part of side s, made at its first use. */
static struct diag_dir *rare(struct dg_dir *s) { return &rare_of(s)->v; }

static struct dg_handshake *handshake(struct dg_conn *dc)
{
	if (!dc->hs)
		dc->hs = xcalloc(1, sizeof *dc->hs);
	return dc->hs;
}

static struct dg_work *work(struct dg_conn *dc, const struct conn *c)
{
	if (!dc->w) {
		dc->w = xcalloc(1, sizeof *dc->w);
		dc->w->conn = c;
	}
	return dc->w;
}

/* A part of the work state, made at its first use: PART(w, holes). */
#define PART(w, f) ((w)->f ? (w)->f : ((w)->f = xcalloc(1, sizeof *(w)->f)))

/* The round trip from the capture point through side s and back, without the
 * peer's delays: the handshake's half on that side (SYN -> SYN+ACK through the server,
 * SYN+ACK -> ACK through the client), else the fastest ACK s gave. 0 when unknown. */
static int64_t rtt_via(const struct dg_conn *dc, const struct conn *c, int s)
{
	if (dc->w && dc->w->pair) {
		int64_t leg = s == 1 ? dc->w->pair->leg_syn_ns : dc->w->pair->leg_synack_ns;
		if (leg > 0)
			return leg;
	}
	if (c->ta) {
		const struct tcp_latency *L = tcp_analysis_latency(c->ta, 1 - s);
		if (L->n)
			return L->min_ns;
	}
	return 0;
}

/* The evidence of the rules that need both sides, into the view. */
static void work_view(const struct dg_work *w, struct diag_conn *v)
{
	struct diag_evidence *e = &v->e;
	if (w->pair) {
		const struct dg_pairing *p = w->pair;
		e->leg_syn_ns = p->leg_syn_ns;
		e->leg_synack_ns = p->leg_synack_ns;
		e->first_synack_after_ns = p->first_synack_after_ns;
		e->hs_syn_frame = p->hs_syn_frame;
		e->hs_synack_frame = p->hs_synack_frame;
		e->hs3_frame = p->hs3_frame;
		e->synack_first_frame = p->synack_first_frame;
		e->mss[1] = p->mss1;
		e->listen_group = p->listen_group;
		e->listen_busy = p->listen_busy;
	}
	if (w->slow) {
		const struct dg_slow *q = w->slow;
		e->slow_answers = q->answers;
		e->slow_ans_req_frame = q->ans_req_frame;
		e->slow_ans_ack_frame = q->ans_ack_frame;
		e->slow_ans_frame = q->ans_frame;
		e->slow_ans_ack_ns = q->ans_ack_ns;
		e->slow_ans_wait_ns = q->ans_wait_ns;
		e->slow_requests = q->requests;
		e->slow_req_pieces = q->req_pieces;
		e->slow_req_first_frame = q->req_first_frame;
		e->slow_req_last_frame = q->req_last_frame;
		e->slow_req_ns = q->req_ns;
		e->slow_req_answer_ns = q->req_answer_ns;
	}
	if (w->rst) {
		const struct dg_rst *t = w->rst;
		e->rst_frame = t->frame;
		e->rst_answers_frame = t->answers_frame;
		e->rst_data_after = t->data_after;
		e->rst_quiet_ns = t->quiet_ns;
		e->rst_has_ack = t->has_ack;
		e->rst_ttl = t->ttl;
		e->rst_side_ttl = t->side_ttl;
		e->rst_ttl_known = t->ttl_known;
		e->rst_noconn = t->noconn;
		e->rst_answers_data = t->answers_data;
		e->rst_side_fin = t->side_fin;
		e->rst_reopened = t->reopened;
		e->rst_peer_bytes = t->peer_bytes;
	}
	if (w->loss)
		e->first_rto_frame = w->loss->first_rto_frame;
	if (w->stream) {
		const struct dg_stream *q = w->stream;
		e->stream_pieces = q->best_pieces;
		e->stream_first_frame = q->best_first;
		e->stream_last_frame = q->best_last;
		e->stream_span_ns = q->best_span;
		e->stream_gap_min_ns = q->best_gap_min;
		e->stream_gap_max_ns = q->best_gap_max;
	}
	e->path_group = w->path_group;
	e->path_loss_side = w->path_loss_side;
	if (w->ttfb) {
		v->ttfb_first = w->ttfb->first;
		v->ttfb_max = w->ttfb->max;
		v->ttfb_sum = w->ttfb->sum;
		v->ttfb_n = w->ttfb->n;
	}
	for (int s = 0; s < 2; s++) {
		const struct dg_side *x = &w->s[s], *peer = &w->s[1 - s];
		struct diag_dir *o = &v->d[s];
		/* bytes the peer acknowledged beyond what this side was seen to send, and the
		 * holes never filled */
		if (x->high_known && peer->ack_known && (int32_t)(peer->ack_max - x->high_end) > 0)
			o->missed += peer->ack_max - x->high_end;
		for (uint32_t h = 0; w->holes && h < w->holes->n[s]; h++)
			o->missed += w->holes->h[s][h].end - w->holes->h[s][h].start;
		uint32_t mx = 0, at = 0;
		for (int k = 0; k < DIAG_LEN_RING; k++)
			if (x->recent_len[k] > mx)
				mx = x->recent_len[k];
		for (int k = 0; k < DIAG_LEN_RING; k++)
			at += mx && x->recent_len[k] == mx;
		o->len_end = mx;
		o->len_end_n = at;
		o->len_max = x->len_max;
		o->data_segs = x->data_segs;
		o->max_win = x->max_win;
		o->rto_len_max = w->loss ? w->loss->rto_len_max[s] : 0;
		o->new_after_rto = w->loss ? w->loss->new_after[s] : 0;
	}
}

const struct diag_conn *diag_get(struct diag *d, const struct conn *c)
{
	if (c->proto != 6)
		return NULL;
	const struct dg_conn *dc = conn_state(d, c, 0);
	if (!dc)
		return NULL;
	struct diag_conn *v = &d->view;
	memset(v, 0, sizeof *v);
	for (int s = 0; s < 2; s++) {
		const struct dg_dir *x = &dc->d[s];
		struct diag_dir *o = &v->d[s];
		if (x->rare)
			*o = x->rare->v;
		o->pkts = c->pkts[s];
		o->bytes = c->bytes[s];
		o->small_acked = x->small_acked;
	}
	if (dc->hs) {
		v->syn_n = dc->hs->syn_n;
		v->synack_n = dc->hs->synack_n;
		v->hs3_n = dc->hs->hs3_n;
		v->syn_first = dc->hs->syn_first;
		v->syn_last = dc->hs->syn_last;
		v->synack_first = dc->hs->synack_first;
		v->synack_last = dc->hs->synack_last;
		v->hs3_ts = dc->hs->hs3_ts;
		v->e.syn_first_frame = dc->hs->syn_first_frame;
		v->e.mss[0] = dc->hs->mss0;
	}
	v->refused = dc->refused;
	v->three_pkt_close = dc->three_pkt_close;
	v->rst_after_fin = dc->rst_after_fin;
	v->fin_seen = dc->fin_seen;
	v->rst_dir = dc->rst_dir;
	v->req_start = dc->req_start;
	v->awaiting = dc->awaiting;
	v->last_data_dir = dc->last_data_dir;
	if (dc->w)
		work_view(dc->w, v);
	if (c->ta) {
		v->lat[0] = *tcp_analysis_latency(c->ta, 0);
		v->lat[1] = *tcp_analysis_latency(c->ta, 1);
		v->irtt_ns = tcp_analysis_irtt_ns(c->ta);
	}
	return v;
}

static void count_dup(struct diag_dir *s, uint32_t rack)
{
	s->dup_total++;
	for (uint32_t i = 0; i < s->n_dup_values; i++) {
		if (s->dup_rack[i] == rack) {
			s->dup_n[i]++;
			return;
		}
	}
	if (s->n_dup_values < DIAG_DUP_VALUES) {
		s->dup_rack[s->n_dup_values] = rack;
		s->dup_n[s->n_dup_values++] = 1;
	} else {
		s->dup_other++;
	}
}

/* A segment sent: a new one starts a chain in the recent ring; a retransmission
 * extends the chain of the same first byte. */
static void chain_send(struct dg_dir *s, uint32_t rseq, int retx, int syn, int64_t ts)
{
	if (retx) {
		for (uint32_t i = 0; i < s->ring_cap; i++) {
			struct dg_sent *ch = &s->ring[i];
			if (!ch->sends || ch->rseq != rseq || ch->syn != syn)
				continue;
			struct dg_rare *rr = rare_of(s);
			if (!rr->gaps)
				rr->gaps = xcalloc(DIAG_RECENT, sizeof *rr->gaps);
			if (ch->sends - 1 < DIAG_GAPS)
				rr->gaps[i][ch->sends - 1] = ts_elapsed(ts, ch->last_ts);
			if (ch->sends < 0x7fffffffu)
				ch->sends++;
			ch->last_ts = ts;
			struct diag_chain *w = &rr->v.worst;
			if (ch->sends > w->sends) {
				w->rseq = ch->rseq;
				w->sends = ch->sends;
				w->last_ts = ch->last_ts;
				w->syn = ch->syn;
				memcpy(w->gap_ns, rr->gaps[i], sizeof w->gap_ns);
			}
			return;
		}
		return;
	}
	/* The ring fills in order, so until it wraps the next entry is the first unused
	 * one: it is allocated as it is reached. */
	if (s->ring_next == s->ring_cap && s->ring_cap < DIAG_RECENT) {
		uint32_t ncap = s->ring_cap ? s->ring_cap * 2u : 1u;
		s->ring = xrealloc(s->ring, ncap * sizeof *s->ring);
		memset(s->ring + s->ring_cap, 0, (ncap - s->ring_cap) * sizeof *s->ring);
		s->ring_cap = (uint8_t)ncap;
	}
	uint32_t i = s->ring_next;
	s->ring_next = (uint8_t)((i + 1) % DIAG_RECENT);
	struct dg_sent *ch = &s->ring[i];
	ch->rseq = rseq;
	ch->sends = 1;
	ch->last_ts = ts;
	ch->syn = syn != 0;
	if (s->rare && s->rare->gaps)
		memset(s->rare->gaps[i], 0, sizeof s->rare->gaps[i]);
}

/* Swaps the two halves of a per-side field (a[0] and a[1], each at most a side's
 * share of the work state). */
static void swap_halves(void *a, size_t half)
{
	unsigned char t[sizeof(struct dg_hole) * DIAG_HOLES > sizeof(struct dg_side) ? sizeof(struct dg_hole) * DIAG_HOLES
										      : sizeof(struct dg_side)];
	unsigned char *p = a;
	memcpy(t, p, half);
	memcpy(p, p + half, half);
	memcpy(p + half, t, half);
}
#define SWAP_SIDES(a) swap_halves((a), sizeof(a)[0])
_Static_assert(sizeof(struct dg_dir) <= sizeof(struct dg_side), "swap_halves's buffer holds a side");

void diag_swap_sides(struct diag *d, const struct conn *c)
{
	struct dg_conn *dc = conn_state(d, c, 0);
	if (!dc)
		return;
	SWAP_SIDES(dc->d);
	if (dc->rst_dir)
		dc->rst_dir = (uint8_t)(3 - dc->rst_dir); /* dir + 1 */
	struct dg_work *w = dc->w;
	if (!w)
		return;
	/* (the sides change places only before any payload and without a SYN: no
	 * handshake, request or answer is held yet) */
	SWAP_SIDES(w->s);
	if (w->holes) {
		SWAP_SIDES(w->holes->h);
		SWAP_SIDES(w->holes->n);
	}
	if (w->stall) {
		SWAP_SIDES(w->stall->ack_ts);
		SWAP_SIDES(w->stall->excess);
		SWAP_SIDES(w->stall->frame);
		SWAP_SIDES(w->stall->class);
	}
	if (w->loss) {
		SWAP_SIDES(w->loss->rto_len_max);
		SWAP_SIDES(w->loss->new_after);
		SWAP_SIDES(w->loss->tail_seq_raw);
		SWAP_SIDES(w->loss->tail_end_raw);
	}
}

/* Minimum silence before data that a RST answers, for "the peer lost the connection":
 * an idle connection whose other end restarted (a busy one would have been reset at once). */
#define HALF_OPEN_QUIET (1 * SEC)

static void hole_add(struct dg_work *w, int s, uint32_t start, uint32_t end, int64_t ts)
{
	struct dg_holes *H = PART(w, holes);
	if (H->n[s] < DIAG_HOLES) {
		H->h[s][H->n[s]].start = start;
		H->h[s][H->n[s]].end = end;
		H->h[s][H->n[s]++].ts = ts;
	}
}

/* A segment of side s at rseq: when it falls in a hole, how long after the hole
 * opened (-1: not in a hole). The hole is then forgotten: its first filler tells. */
static int64_t hole_fill(struct dg_work *w, int s, uint32_t rseq, int64_t ts)
{
	struct dg_holes *H = w->holes;
	for (uint32_t h = 0; H && h < H->n[s]; h++) {
		if ((int32_t)(rseq - H->h[s][h].start) < 0 || (int32_t)(rseq - H->h[s][h].end) >= 0)
			continue;
		int64_t t = ts_elapsed(ts, H->h[s][h].ts);
		H->h[s][h] = H->h[s][--H->n[s]];
		return t;
	}
	return -1;
}

/* A wait counts as slow from this long (a person notices ~100-200 ms; below it, a
 * finding would name normal work) and when it is this many round trips. */
#define SLOW_MIN (200 * MS)
#define SLOW_RTT_FACTOR 10

/* The first byte of an answer: was the wait the server's (its TCP acknowledged the
 * request, then its application took long) or the client's (the request itself
 * came in pieces over a long time, and the server answered the last piece at once)? */
static void answer_seen(struct dg_conn *dc, const struct conn *c, struct dg_work *w, const struct pktrec *r)
{
	const struct dg_request *q = w->req;
	int64_t ts = r->ts_ns;
	int64_t rtt = ts_add(rtt_via(dc, c, 0), rtt_via(dc, c, 1));
	int64_t floor = ts_cmp_scaled(rtt, SLOW_RTT_FACTOR, SLOW_MIN, 1) > 0 ? ts_mul(rtt, SLOW_RTT_FACTOR) : SLOW_MIN;
	if (q->ack_ts && !q->retx) {
		int64_t wait = ts_elapsed(ts, q->ack_ts);
		if (wait >= floor) {
			struct dg_slow *e = PART(w, slow);
			if (!e->answers++ || wait > e->ans_wait_ns) {
				e->ans_wait_ns = wait;
				e->ans_ack_ns = ts_elapsed(q->ack_ts, q->last);
				e->ans_req_frame = q->last_frame;
				e->ans_ack_frame = q->ack_frame;
				e->ans_frame = r->frame;
			}
		}
	}
	int64_t send = ts_elapsed(q->last, q->first), after = ts_elapsed(ts, q->last);
	/* only the waits with nothing in flight are the client's: a big upload through a slow
	 * path also takes long, but its pieces wait for ACKs */
	if (q->pieces >= 2 && q->idle_ns >= floor && ts_cmp_scaled(after, 4, send, 1) < 0) {
		struct dg_slow *e = PART(w, slow);
		if (!e->requests++ || send > e->req_ns) {
			e->req_ns = send;
			e->req_answer_ns = after;
			e->req_pieces = q->pieces;
			e->req_first_frame = q->first_frame;
			e->req_last_frame = q->last_frame;
		}
	}
}

/* Is r, labelled a retransmission, a copy of the frame it repeats (see REPEAT_MIN)? */
static int is_copy(const struct dg_conn *dc, const struct conn *c, const struct pktrec *r)
{
	uint32_t L = r->labels;
	if (!(L & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION) | LB_BIT(LB_SPURIOUS_RETRANSMISSION))))
		return 0;
	int syn = (r->flags & TH_SYN) != 0;
	const struct dg_dir *x = &dc->d[r->dir];
	for (uint32_t i = 0; i < x->ring_cap; i++) {
		const struct dg_sent *ch = &x->ring[i];
		if (!ch->sends || ch->rseq != r->rseq || ch->syn != syn)
			continue;
		int64_t gap = ts_elapsed(r->ts_ns, ch->last_ts);
		if (syn)
			return gap < SYN_REPEAT_MIN;
		int64_t half = ts_add(rtt_via(dc, c, 0), rtt_via(dc, c, 1)) / 2;
		return gap < (half > REPEAT_MIN ? half : REPEAT_MIN);
	}
	return 0;
}

/* The measurements of the rules that need both sides. Returns 1 when r fills a hole
 * sooner than half a round trip after it opened: not a repeat the receiver asked for,
 * a late original. */
static int evidence_packet(struct dg_conn *dc, const struct conn *c, const struct pkt *pk, const struct pktrec *r, int copy)
{
	int dir = r->dir, early = 0;
	uint32_t L = r->labels;
	int64_t ts = r->ts_ns;
	int syn = (r->flags & TH_SYN) != 0, ackf = (r->flags & TH_ACK) != 0, rst = (r->flags & TH_RST) != 0;
	int fin = (r->flags & TH_FIN) != 0;
	uint8_t ttl = pk ? pk->ttl : 0;
	if (syn && !ackf) {
		struct dg_handshake *h = handshake(dc);
		if (!h->syn_n) {
			h->syn_first_frame = r->frame;
			h->mss0 = pk ? pk->opt.mss : 0;
		}
		h->syn_last_frame = r->frame;
		if (!dc->w)
			return 0;
	}
	/* The working state comes when there is a conversation to diagnose: a SYN+ACK, a RST,
	 * or the second side's first packet. A one-sided connection (200,000 lone requests of
	 * a hostile file) costs nothing more. */
	if (!dc->w && !syn && !rst && !c->pkts[1 - dir])
		return 0;
	struct dg_work *w = work(dc, c);
	struct dg_side *me = &w->s[dir], *peer = &w->s[1 - dir];
	struct dg_dir *mine = &dc->d[dir];
	if (syn && ackf) {
		struct dg_pairing *p = PART(w, pair);
		const struct dg_handshake *h = dc->hs;
		if (!h || !h->synack_n) {
			p->synack_first_frame = r->frame;
			p->first_synack_after_ns = h && h->syn_n ? ts_elapsed(ts, h->syn_first) : 0;
			p->mss1 = pk ? pk->opt.mss : 0;
		}
		/* the SYN this SYN+ACK answers: the latest before it */
		p->hs_syn_frame = h && h->syn_n ? h->syn_last_frame : 0;
		p->synack_last_frame = r->frame;
		if (h && h->syn_n)
			p->leg_syn_ns = ts_elapsed(ts, h->syn_last);
		if (!p->hs3_frame)
			p->leg_synack_ns = 0;
	}
	if ((r->events & EV_HS3) && w->pair && !w->pair->hs3_frame && dc->hs && dc->hs->synack_n) {
		/* the third handshake answers the latest SYN+ACK; freeze both halves */
		struct dg_pairing *p = w->pair;
		p->hs3_frame = r->frame;
		p->hs_synack_frame = p->synack_last_frame;
		p->leg_synack_ns = ts_elapsed(ts, dc->hs->synack_last);
		if (!dc->hs->syn_n)
			p->leg_syn_ns = 0;
	}

	/* Each side's TTL (hop limit): one host's packets reach one capture point with one
	 * TTL; a RST with another was made elsewhere. */
	if (!rst && pk) {
		if (!me->ttl_seen) {
			me->ttl = ttl;
			me->ttl_seen = 1;
		} else if (me->ttl != ttl) {
			me->ttl_mixed = 1;
		}
	}
	int64_t quiet = w->any_last_ts ? ts_elapsed(ts, w->any_last_ts) : 0;
	if (rst && !dc->rst_dir) {
		struct dg_rst *t = PART(w, rst);
		t->frame = r->frame;
		t->has_ack = (uint8_t)ackf;
		t->ttl = ttl;
		t->side_ttl = me->ttl;
		t->ttl_known = me->ttl_seen && !me->ttl_mixed && pk;
		t->answers_frame = peer->last_frame;
		t->answers_data = peer->last_data;
		t->quiet_ns = peer->quiet_before;
		t->side_fin = me->fin_sent;
		t->peer_bytes = c->bytes[1 - dir];
		/* RFC 9293 section 3.10.7.1: the RST for a segment of no connection takes its
		 * sequence number from that segment's ACK field and carries no ACK */
		t->noconn = !ackf && peer->last_ack_ok && pk && pk->seq == peer->last_ack_raw;
	} else if (dc->rst_dir == dir + 1 && syn && w->rst) {
		w->rst->reopened = 1;     /* a new connection on the same ports: not the reset one */
	} else if (dc->rst_dir == dir + 1 && r->len && !rst && w->rst && !w->rst->reopened) {
		w->rst->data_after++;
	}
	me->quiet_before = quiet;
	w->any_last_ts = ts;
	me->last_frame = r->frame;
	me->last_data = r->len > 0;
	me->last_ack_ok = (uint8_t)(ackf && pk);
	me->last_ack_raw = pk ? pk->ack : 0;
	if (fin)
		me->fin_sent = 1;

	w->sent_idle = me->high_known && peer->ack_known && (int32_t)(peer->ack_max - me->high_end) >= 0;
	/* Sequence space: holes in what this side sent, and how soon they are filled. */
	int probe = (L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_ZERO_WINDOW_PROBE))) != 0;
	uint32_t end = r->rseq + r->len + (uint32_t)syn + (uint32_t)fin;
	if (!rst && !probe) {
		if (!me->high_known) {
			if (syn || r->len) {
				me->high_end = end;
				me->high_known = 1;
			}
		} else if ((r->len || fin) && (int32_t)(r->rseq - me->high_end) > 0) {
			struct diag_dir *x = rare(mine);
			if (!x->missed_frame)
				x->missed_frame = r->frame;
			hole_add(w, dir, me->high_end, r->rseq, ts);
			me->high_end = end;
		} else if ((int32_t)(end - me->high_end) > 0) {
			if (r->len)
				hole_fill(w, dir, r->rseq, ts);
			me->high_end = end;
		} else if (r->len) {
			int64_t t = hole_fill(w, dir, r->rseq, ts);
			int64_t rtt = t >= 0 ? ts_add(rtt_via(dc, c, 0), rtt_via(dc, c, 1)) : 0;
			if (t >= 0 && rtt > 0) {
				struct diag_dir *x = rare(mine);
				if (ts_cmp_scaled(t, 2, rtt, 1) < 0) {
					early = 1;
					if (!x->fill_early++)
						x->fill_early_first = r->frame;
					if (t > x->fill_early_max_ns)
						x->fill_early_max_ns = t;
				} else {
					if (!x->fill_late++) {
						x->fill_late_first = r->frame;
						x->fill_late_min_ns = t;
					}
					if (t < x->fill_late_min_ns)
						x->fill_late_min_ns = t;
				}
			}
		}
	}
	/* A D-SACK (RFC 2883: a first SACK block below the ACK) for the peer's tail
	 * retransmission: the receiver had the bytes, the repeat was not a loss. */
	struct dg_loss *lo = w->loss;
	if (ackf && pk && pk->opt.n_sack && lo && lo->tail_end_raw[1 - dir] && (int32_t)(pk->opt.sack[0][1] - pk->ack) <= 0
	    && pk->opt.sack[0][0] == lo->tail_seq_raw[1 - dir] && pk->opt.sack[0][1] == lo->tail_end_raw[1 - dir]) {
		rare(&dc->d[1 - dir])->tail_dsack++;
		lo->tail_end_raw[1 - dir] = 0;
	}
	if (ackf && !rst && !syn) {
		if (!me->ack_known || (int32_t)(r->rack - me->ack_max) > 0) {
			me->ack_max = r->rack;
			me->ack_known = 1;
		}
		if (peer->high_known && (int32_t)(r->rack - peer->high_end) > 0) {
			struct diag_dir *x = rare(&dc->d[1 - dir]);
			if (!x->missed_frame)
				x->missed_frame = r->frame;
		}
	}
	/* The largest window this side offers (bytes), and segments that fill the peer's. */
	if (!syn && !rst) {
		int sh = pktrec_wscale(r);
		uint32_t win = (uint32_t)r->win << (sh <= 0 ? 0 : sh > WSCALE_MAX ? WSCALE_MAX : sh);
		if (win > me->max_win)
			me->max_win = win;
	}
	if (r->len && !probe) {
		me->data_segs++;
		if (L & LB_BIT(LB_WINDOW_FULL)) {
			struct diag_dir *x = rare(mine);
			if (!x->win_full++)
				x->win_full_first = r->frame;
		}
		/* the sizes of new data only: a repeat has the size of what it repeats */
		if (!(L & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION) | LB_BIT(LB_SPURIOUS_RETRANSMISSION)))) {
			if (r->len > me->len_max)
				me->len_max = r->len;
			me->recent_len[me->recent_next] = (uint16_t)(r->len > 65535 ? 65535 : r->len);
			me->recent_next = (uint8_t)((me->recent_next + 1) % DIAG_LEN_RING);
			if (lo)
				lo->new_after[dir]++;
		}
	}
	/* Timer retransmissions: the connection's first, and tail loss (the last segment
	 * sent again, with nothing after it to bring duplicate ACKs). */
	if ((L & LB_BIT(LB_RETRANSMISSION)) && !(L & (LB_BIT(LB_FAST_RETRANSMISSION) | LB_BIT(LB_SPURIOUS_RETRANSMISSION)))
	    && r->len && !probe && !early && !copy && r->ref_frame) {
		if (!lo) {
			lo = PART(w, loss);
			lo->first_rto_frame = r->frame;
		}
		if (r->len > lo->rto_len_max[dir])
			lo->rto_len_max[dir] = r->len;
		if (end == me->high_end) {
			struct diag_dir *x = rare(mine);
			if (pk) {
				lo->tail_seq_raw[dir] = pk->seq;
				lo->tail_end_raw[dir] = pk->seq + r->len;
			}
			if (!x->tail_retx++) {
				x->tail_first = r->frame;
				x->tail_orig = r->ref_frame;
				for (uint32_t i = 0; i < mine->ring_cap; i++)
					if (mine->ring[i].sends && mine->ring[i].rseq == r->rseq && !mine->ring[i].syn)
						x->tail_wait_ns = ts_elapsed(ts, mine->ring[i].last_ts);
			}
		}
	}
	return early;
}

/* A pause before a write that counts for a stream: at least this long, and at least
 * STREAM_RTT_FACTOR round trips (a sender waiting for ACKs pauses about one). */
#define STREAM_GAP_MIN (100 * MS)
#define STREAM_RTT_FACTOR 10

/* New data r of the server: a write paced by its application when it came after a
 * pause with nothing of the server's in flight, and the client sent no data since the
 * server's last write (else the run ends: this is an answer). */
static void stream_piece(struct dg_conn *dc, const struct conn *c, const struct pktrec *r)
{
	struct dg_work *w = dc->w;
	const struct dg_dir *x = &dc->d[1];
	if (!x->ring_cap)
		return;      /* the server's first write */
	const struct dg_sent *prev = &x->ring[(x->ring_next + x->ring_cap - 1) % x->ring_cap];
	int64_t gap = ts_elapsed(r->ts_ns, prev->last_ts);
	int64_t rtt = ts_add(rtt_via(dc, c, 0), rtt_via(dc, c, 1));
	int64_t need = ts_cmp_scaled(rtt, STREAM_RTT_FACTOR, STREAM_GAP_MIN, 1) > 0 ? ts_mul(rtt, STREAM_RTT_FACTOR) : STREAM_GAP_MIN;
	struct dg_stream *q = w->stream;
	if (dc->last_data_dir != 2 && q)
		q->pieces = 0;   /* the client spoke: a new answer */
	if (gap < need || !w->sent_idle || dc->last_data_dir != 2)
		return;
	q = PART(w, stream);
	if (!q->pieces) {
		q->first_frame = r->frame;
		q->first_ts = r->ts_ns;
		q->gap_min = q->gap_max = gap;
	}
	if (gap < q->gap_min)
		q->gap_min = gap;
	if (gap > q->gap_max)
		q->gap_max = gap;
	q->pieces++;
	q->last_frame = r->frame;
	q->last_ts = r->ts_ns;
	if (q->pieces > q->best_pieces) {
		q->best_pieces = q->pieces;
		q->best_first = q->first_frame;
		q->best_last = q->last_frame;
		q->best_span = ts_elapsed(q->last_ts, q->first_ts);
		q->best_gap_min = q->gap_min;
		q->best_gap_max = q->gap_max;
	}
}

void diag_packet(void *ctx, const struct pkt *pk, struct conn *c, const struct pktrec *r,
		 const struct tcp_ack_result *ar)
{
	if (c->proto != 6)
		return;
	struct diag *dg = ctx;
	struct dg_conn *dc = conn_state(dg, c, 1);
	dg->cross_done = 0;
	dg->last_ts = r->ts_ns;
	int copy = is_copy(dc, c, r);
	int early = evidence_packet(dc, c, pk, r, copy);
	int dir = r->dir;
	struct dg_dir *me = &dc->d[dir], *peer = &dc->d[1 - dir];
	uint32_t L = r->labels;
	int64_t ts = r->ts_ns;
	int syn = (r->flags & TH_SYN) != 0, ackf = (r->flags & TH_ACK) != 0;
	int retx = (L & LB_BIT(LB_RETRANSMISSION)) != 0;

	if (retx) {
		struct diag_dir *x = rare(me);
		x->retx_pkts++;
		x->retx_bytes += r->len;
		/* Wireshark's label says "retransmission" for any segment below the highest
		 * sequence seen; when its bytes were never seen before (no original frame), they
		 * were lost before the capture point or are simply late. */
		if ((L & LB_BIT(LB_FAST_RETRANSMISSION)) && !early && !copy) {
			if (!x->fast_retx)
				x->fast_first = r->frame;
			x->fast_retx++;
		} else if (r->len && !r->ref_frame && !syn && !early && !(L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))) {
			if (!x->retx_unseen)
				x->unseen_first = r->frame;
			x->retx_unseen++;
		}
		if (L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))
			x->spurious++;
	}
	/* Handshake timing: the RTT halves are SYN -> SYN+ACK (seen from the client side of
	 * the capture point) and SYN+ACK -> ACK. */
	if (syn && !ackf) {
		struct dg_handshake *h = handshake(dc);
		if (!h->syn_n++)
			h->syn_first = ts;
		h->syn_last = ts;
	} else if (syn) {
		struct dg_handshake *h = handshake(dc);
		if (!h->synack_n++)
			h->synack_first = ts;
		h->synack_last = ts;
	}
	if (r->events & (EV_HS3 | EV_HS3_RETX)) {
		struct dg_handshake *h = handshake(dc);
		if (!h->hs3_n++)
			h->hs3_ts = ts;
	}
	if (r->events & EV_RST_REFUSED)
		dc->refused = 1;
	if ((r->events & EV_WAVE2) && (r->events & EV_WAVE3))
		dc->three_pkt_close = 1;
	if (r->flags & TH_RST) {
		if (dc->fin_seen && !dc->rst_dir)
			dc->rst_after_fin = 1;
		if (!dc->rst_dir)
			dc->rst_dir = (uint8_t)(dir + 1);
	}
	if (r->flags & TH_FIN)
		dc->fin_seen = 1;
	if (L & LB_BIT(LB_DUPLICATE_ACK))
		count_dup(rare(me), r->rack);

	/* Zero-window periods of this side: from its first zero window to the next packet
	 * where it advertises room again. */
	if (L & LB_BIT(LB_ZERO_WINDOW)) {
		struct diag_dir *x = rare(me);
		if (!x->zw_open) {
			x->zw_open = 1;
			x->zw_start = ts;
			x->zw_periods++;
		}
	} else if (me->rare && me->rare->v.zw_open && r->win != 0 && !(r->flags & (TH_SYN | TH_RST))) {
		struct diag_dir *x = &me->rare->v;
		int64_t len = ts_elapsed(ts, x->zw_start);
		x->zw_open = 0;
		x->zw_total_ns = ts_add(x->zw_total_ns, len);
		if (len > x->zw_max_ns)
			x->zw_max_ns = len;
	}
	if (L & LB_BIT(LB_ZERO_WINDOW_PROBE))
		rare(peer)->zw_probes_recv++;

	/* Keep-alive cadence: gaps between this side's keep-alives, and the idle time
	 * before the first one (from the last packet that was not a keep-alive or its ACK). */
	if ((L & LB_BIT(LB_KEEP_ALIVE)) && peer->rare && peer->rare->v.zw_open) {
		/* Linux probes a zero window with SND.UNA-1 and no data: it looks exactly like
		 * a keep-alive, but it is the persist timer (RFC 9293 section 3.8.6.1). */
		peer->rare->v.zw_probes_recv++;
	} else if (L & LB_BIT(LB_KEEP_ALIVE)) {
		struct diag_dir *x = rare(me);
		if (x->ka_n) {
			int64_t g = ts_elapsed(ts, x->ka_last);
			if (!x->ka_gaps || g < x->ka_gap_min)
				x->ka_gap_min = g;
			if (!x->ka_gaps || g > x->ka_gap_max)
				x->ka_gap_max = g;
			ts_total_add(&x->ka_gap_sum, g);
			x->ka_gaps++;
		} else if (dc->last_other_ts) {
			x->ka_idle_ns = ts_elapsed(ts, dc->last_other_ts);
		}
		x->ka_n++;
		x->ka_last = ts;
	} else if (!(L & LB_BIT(LB_KEEP_ALIVE_ACK))) {
		dc->last_other_ts = ts;
	}

	if (dir == 1 && r->len && !retx && dc->w && !(L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_ZERO_WINDOW_PROBE))))
		stream_piece(dc, c, r);

	/* Repeated sends of one segment, for the backoff rule. */
	if ((r->len || syn || (r->flags & TH_FIN)) && !copy) {
		if (!(L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_ZERO_WINDOW_PROBE))))
			chain_send(me, r->rseq, retx && !(L & LB_BIT(LB_FAST_RETRANSMISSION)), syn, ts);
	}

	/* Delayed-ACK stalls: the ACK of a small segment the peer sent came a delayed-ACK
	 * time later than the round trip through this side explains, and the peer's next
	 * small segment followed that ACK at once: Nagle held it (RFC 896) until the ACK. */
	struct dg_work *w = dc->w;
	struct dg_stall *st = w ? w->stall : NULL;
	if (st && r->len && !retx && st->class[dir]) {
		int64_t back = ts_add(rtt_via(dc, c, 1 - dir), NAGLE_SLACK);
		if (ts_elapsed(ts, st->ack_ts[dir]) <= back) {
			struct diag_dir *x = rare(me);
			if (!(x->stall_40 + x->stall_200))
				x->stall_first = st->frame[dir];
			if (st->class[dir] == 1)
				x->stall_40++;
			else
				x->stall_200++;
			if (st->excess[dir] > x->stall_max_ns)
				x->stall_max_ns = st->excess[dir];
		}
		st->class[dir] = 0;
	}
	if (ar && ar->n && ar->newest_len && ar->newest_len < SMALL_SEG && !ar->newest_karn) {
		peer->small_acked++;
		/* the delayed-ACK timer sends a pure ACK; an ACK riding on data left when the
		 * application wrote, and the peer's next segment may be its answer */
		if (w && !r->len) {
			int64_t excess = ts_sub(ar->newest_ns, rtt_via(dc, c, dir));
			int in40 = excess >= DELACK40_LO && excess <= DELACK40_HI;
			int in200 = excess >= DELACK200_LO && excess <= DELACK200_HI;
			if (in40 || in200) {
				st = PART(w, stall);
				st->class[1 - dir] = (uint8_t)(in40 ? 1 : 2);
				st->ack_ts[1 - dir] = ts;
				st->excess[1 - dir] = excess;
				st->frame[1 - dir] = r->frame;
			}
		}
	}
	/* Time to first byte: a request is the client's data after the server's (or the
	 * first data); its answer starts with the server's next data. On the way: how long
	 * the request took to arrive whole, whether the server's TCP acknowledged it before
	 * the answer came (it arrived: the wait is the server's application). */
	struct dg_request *q = w ? w->req : NULL;
	if (q && dir == 0 && retx && r->len && dc->awaiting)
		q->retx = 1;
	if (q && dir == 1 && !r->len && ackf && dc->awaiting && !q->ack_ts && w->s[0].high_known
	    && (int32_t)(r->rack - w->s[0].high_end) >= 0) {
		q->ack_ts = ts;
		q->ack_frame = r->frame;
	}
	if (r->len && !(L & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_KEEP_ALIVE)))) {
		int new_req = 0;
		if (dir == 0 && dc->last_data_dir != 1) {
			if (!dc->awaiting) {
				dc->awaiting = 1;
				dc->req_start = ts;
				new_req = 1;
			}
		} else if (dir == 0 && dc->last_data_dir == 1) {
			/* more of the same request: the time to first byte counts from its last piece */
			new_req = !dc->awaiting;
			dc->awaiting = 1;
			dc->req_start = ts;
		} else if (dir == 1 && dc->awaiting && w) {
			/* (an answer: the client sent first, so the working state is there) */
			int64_t t = ts_elapsed(ts, dc->req_start);
			struct dg_answers *a = PART(w, ttfb);
			if (!a->n)
				a->first = t;
			if (t > a->max)
				a->max = t;
			ts_total_add(&a->sum, t);
			a->n++;
			dc->awaiting = 0;
			if (q && q->pieces)
				answer_seen(dc, c, w, r);
		}
		if (w && dir == 0) {
			q = PART(w, req);
			if (new_req) {
				q->first = ts;
				q->first_frame = r->frame;
				q->pieces = 0;
				q->retx = 0;
				q->idle_ns = 0;
			} else if (w->sent_idle && q->pieces) {
				q->idle_ns = ts_add(q->idle_ns, ts_elapsed(ts, q->last));
			}
			q->pieces++;
			q->last = ts;
			q->last_frame = r->frame;
			q->ack_ts = 0;
		}
		dc->last_data_dir = (uint8_t)(dir + 1);
	}
}

/* "Retransmissions" of unseen bytes worth a finding: one can be a capture glitch. */
#define UNSEEN_MIN 2

const struct app_event diag_rules[DIAG_RULE_COUNT + 1] = {
	[DIAG_SYN_UNANSWERED] = { "syn_unanswered", SEV_ERROR, "the SYN was never answered: filtered port, or host down" },
	[DIAG_REFUSED] = { "refused", SEV_ERROR, "the SYN was answered by a RST: nothing listens on the port" },
	[DIAG_HS3_LOST] = { "third_handshake_lost", SEV_WARN, "the client's third handshake does not reach the server" },
	[DIAG_ZERO_WINDOW] = { "zero_window", SEV_WARN, "a receiver's buffer was full: its application did not read fast enough" },
	[DIAG_RTO_BACKOFF] = { "rto_backoff", SEV_WARN, "retransmission timeouts with exponential backoff: no ACK came back" },
	[DIAG_KEEPALIVE] = { "keepalive", SEV_NOTE, "the connection was idle and a keep-alive timer probed the peer" },
	[DIAG_RST_AFTER_FIN] = { "rst_after_fin", SEV_WARN, "a reset after the close had started: data left unread, or an abort" },
	[DIAG_DELAYED_ACK] = { "delayed_ack_stall", SEV_WARN, "Nagle's algorithm waits for a delayed ACK: small writes stall 40/200 ms" },
	[DIAG_UNSEEN_RETX] = { "late_or_lost_upstream", SEV_NOTE, "\"retransmissions\" of bytes this capture never saw: lost upstream or reordered" },
	[DIAG_FAST_RETX] = { "loss_fast_retransmit", SEV_WARN, "packet loss repaired by fast retransmission" },
	[DIAG_HS_SLOW] = { "handshake_slow", SEV_WARN, "the handshake took a retransmission timeout: a SYN or SYN+ACK was lost" },
	[DIAG_LISTEN_OVERFLOW] = { "listen_queue_overflow", SEV_ERROR, "many SYNs to one listener repeated in the same second, then answered: its accept or SYN queue was full" },
	[DIAG_PATH_LOSS] = { "path_loss", SEV_WARN, "every connection between the two hosts lost packets the same way: the path drops them" },
	[DIAG_TAIL_LOSS] = { "tail_loss", SEV_WARN, "the last segment of a flight was lost: only a timer could repair it" },
	[DIAG_REORDER] = { "reordering", SEV_WARN, "segments overtaken on the path: holes filled sooner than a repeat could come" },
	[DIAG_RWND_LIMITED] = { "receive_window_limited", SEV_WARN, "the receiver's window, not the path, limits the throughput" },
	[DIAG_BUFFERBLOAT] = { "bufferbloat", SEV_WARN, "the round trip grows with what is sent: a deep queue on the path" },
	[DIAG_PMTU_BLACKHOLE] = { "pmtu_blackhole", SEV_ERROR, "full-size packets vanish on the path (no ICMP): a path-MTU black hole" },
	[DIAG_SLOW_SERVER] = { "slow_server", SEV_WARN, "the server's TCP had the request, its application answered late" },
	[DIAG_SLOW_CLIENT] = { "slow_client", SEV_WARN, "the client took long to send its request; the server answered at once" },
	[DIAG_ABORT_RST] = { "abort_rst", SEV_WARN, "a side aborted the open connection with a RST" },
	[DIAG_HALF_OPEN] = { "half_open_peer_lost", SEV_ERROR, "the peer answered with the RST of a TCP that does not know the connection: it lost it" },
	[DIAG_INJECTED_RST] = { "injected_rst", SEV_ERROR, "a RST that the named side's TCP did not send: something on the path forged it" },
	[DIAG_CAPTURE_MISSED] = { "capture_missed", SEV_WARN, "bytes acknowledged by the receiver that the capture never saw" },
	[DIAG_STREAM] = { "paced_stream", SEV_NOTE, "the server wrote its answer piece by piece, paced by its application; TCP delivered each at once" },
	[DIAG_TLS_HANDSHAKE] = { "tls_handshake", SEV_NOTE, "the TLS handshake: ClientHello to its end, its round trips and the time each took" },
	[DIAG_TLS_FAILED] = { "tls_handshake_failed", SEV_ERROR, "the TLS handshake ended with a fatal alert: the likely cause from the alert and what was offered" },
	[DIAG_TLS_DOWNGRADE] = { "tls_downgrade", SEV_WARN, "TLS 1.1 or older, or a weak suite, chosen although the client offered better" },
	[DIAG_TLS_SNI_MISMATCH] = { "tls_sni_mismatch", SEV_WARN, "the server's certificate does not name the server the client asked for (SNI)" },
	[DIAG_TLS_CERT_EXPIRED] = { "tls_cert_expired", SEV_WARN, "the server's certificate had expired at the time of the capture" },
	[DIAG_TLS_CERT_NOT_YET] = { "tls_cert_not_yet_valid", SEV_WARN, "the server's certificate was not yet valid at the time of the capture" },
	[DIAG_H2_STALLED] = { "http2_flow_stalled", SEV_WARN, "an HTTP/2 stream waited on a zero flow-control window: the receiver's window, not the network, paced it" },
	[DIAG_H2_RESET] = { "http2_reset", SEV_WARN, "an HTTP/2 stream was reset, or the connection closed, with an error code (not NO_ERROR or CANCEL)" },
	[DIAG_RULE_COUNT] = { NULL, 0, NULL },
};

const char *diag_rule_name(int rule) { return rule >= 0 && rule < DIAG_RULE_COUNT ? diag_rules[rule].name : NULL; }

/* Starts finding `rule` in out: its words go into the returned buffer. */
static struct strbuf *finding(struct diag_findings *out, int rule)
{
	if (out->n == DIAG_RULE_COUNT)
		return &out->spare;
	struct diag_finding *f = &out->f[out->n++];
	f->rule = rule;
	f->ev = &diag_rules[rule];
	sb_init(&f->text);
	return &f->text;
}

static const char *side(int dir) { return dir == 0 ? "client" : "server"; }

static void secs(struct strbuf *b, int64_t ns)
{
	const char *sat = ts_saturated_words(ns);
	if (sat)
		sb_puts(b, sat);
	else if (ns >= 10 * SEC)
		sb_printf(b, "%.0f s", (double)ns / SEC);
	else if (ns >= SEC)
		sb_printf(b, "%.1f s", (double)ns / SEC);
	else if (ns >= MS)
		sb_printf(b, "%.0f ms", (double)ns / MS);
	else
		sb_printf(b, "%.0f us", (double)ns / 1000);
}

/* Known keep-alive settings: the idle time before the first probe, and the interval
 * between probes when the peer does not answer (or answers, for Go, which repeats
 * after the idle time again). */
static const struct {
	int64_t ns;
	uint8_t idle, interval;
	const char *who;
} ka_defaults[] = {
	{ 15 * SEC, 1, 1, "the default of Go's net.Dialer and net.ListenConfig (15 s)" },
	{ 75 * SEC, 0, 1, "Linux's default probe interval (tcp_keepalive_intvl, 75 s)" },
	{ 7200 * SEC, 1, 1, "the Linux and Windows default idle time (2 hours)" },
	{ 1 * SEC, 0, 1, "Windows' default probe interval (1 s)" },
	{ 0, 0, 0, NULL },
};

static const char *ka_name(int64_t ns, int idle)
{
	if (ns <= 0)
		return NULL;
	for (int i = 0; ka_defaults[i].who; i++) {
		if (idle ? !ka_defaults[i].idle : !ka_defaults[i].interval)
			continue;
		/* within 5 %, without forming d * 20 (ns is the capture's word: any size) */
		if (ts_within(ns, ka_defaults[i].ns, 20))
			return ka_defaults[i].who;
	}
	return NULL;
}

/* The gaps of a chain grow like a backed-off timer: each at least 1.5 x the one before
 * (2 * gap >= 3 * previous, compared without forming either product: the gaps are the
 * capture's word, 3 * 2^32 s does not fit in 64 bits), and time goes forward. */
static int backed_off(const struct diag_chain *ch)
{
	uint32_t n = ch->sends - 1 < DIAG_GAPS ? ch->sends - 1 : DIAG_GAPS;
	if (n < 2 || ch->gap_ns[0] <= 0)
		return 0;
	for (uint32_t i = 1; i < n; i++)
		if (ts_cmp_scaled(ch->gap_ns[i], 2, ch->gap_ns[i - 1], 3) < 0)
			return 0;
	return 1;
}

static void chain_words(struct strbuf *b, const struct diag_chain *ch)
{
	uint32_t n = ch->sends - 1 < DIAG_GAPS ? ch->sends - 1 : DIAG_GAPS;
	sb_puts(b, "gaps ");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, ", ");
		secs(b, ch->gap_ns[i]);
	}
}

/* Listen-queue overflow: this many connections to one listener whose SYN was sent again
 * within one second of each other and then answered. Two can be chance (random loss);
 * three in one second to one port, each later answered, is the listener. */
#define LISTEN_MIN 3
/* A path's loss: at least two connections of the host pair, each with this many data
 * segments from the side (fewer say little about loss), and every one of them lost some. */
#define PATH_MIN_SEGS 20
/* Window-limited: at least this many segments filled the window, and at least one in
 * ten of the side's data segments (a window filled once is the start of a transfer). */
#define WINFULL_MIN 8
/* Bufferbloat: enough ACK samples, and the round trip under load well above its
 * minimum: on average by at least 30 ms and twice the minimum, at its worst by 60 ms.
 * These are the latency-under-load steps that bufferbloat tests grade (under +5 ms is
 * a well-managed queue, +30 ms noticeable, +60 ms bad for calls and games); delayed
 * ACKs add at most 40-200 ms to single samples, not to the average of a bulk transfer
 * (the receiver ACKs every second segment at once). */
#define BLOAT_SAMPLES 16
#define BLOAT_RISE (60 * MS)
#define BLOAT_AVG_RISE (30 * MS)
#define BLOAT_AVG_FACTOR 2
/* ...measured where the samples are round trips: the capture near the sender (the
 * path beyond the capture point, through the ACKing side, is the larger half and at
 * least 1 ms; near the receiver the samples are only its own ACK times), with at most
 * 1 in 20 packets retransmitted (more loss is the loss rules' to tell, and timeouts
 * stretch the samples). */
#define BLOAT_PATH_MIN (1 * MS)
#define BLOAT_RETX_DIV 20
/* A stream: at least this many paced writes, over at least this long (fewer or
 * shorter is an answer in a few parts). */
#define STREAM_MIN 4
#define STREAM_SPAN_MIN (1 * SEC)
/* A reordering finding needs two early fills; one can be a capture's own jitter. */
#define REORDER_MIN 2
/* A steady segment size at the end below the MSS both sides offered by more than any
 * TCP options explain (at most 40 bytes), seen this often in the last DIAG_LEN_RING. */
#define PMTU_OPTS 40
#define PMTU_STEADY 4


static int lost_from(const struct diag_dir *x)
{
	return x->fast_retx || x->fill_late || x->tail_retx || x->retx_unseen || (x->worst.sends >= 2 && !x->worst.syn);
}

static int addr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->a, b->a, a->family == 4 ? 4 : 16);
}

/* A connection as the findings across connections see it. */
struct cand {
	struct dg_work *w;
	const struct conn *c;
	int64_t t;               /* its first SYN */
	uint8_t has_syn, retried, lost[2], big[2];
};

/* Order: by listener (server address, port), then by the first SYN. */
static int by_listener(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int k = addr_cmp(&a->c->ep[1].addr, &b->c->ep[1].addr);
	if (k)
		return k;
	if (a->c->ep[1].port != b->c->ep[1].port)
		return a->c->ep[1].port < b->c->ep[1].port ? -1 : 1;
	return a->t < b->t ? -1 : a->t > b->t;
}

/* Order: by host pair (client address, server address). */
static int by_hosts(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int k = addr_cmp(&a->c->ep[0].addr, &b->c->ep[0].addr);
	return k ? k : addr_cmp(&a->c->ep[1].addr, &b->c->ep[1].addr);
}

static int same_listener(const struct cand *a, const struct cand *b)
{
	return a->c->ep[1].port == b->c->ep[1].port && addr_cmp(&a->c->ep[1].addr, &b->c->ep[1].addr) == 0;
}

/* Listen-queue overflow: for each connection whose SYN was repeated and then answered,
 * how many to the same listener did the same within one second of its first SYN
 * (itself included); for every connection to the listener, how many did so within a
 * second of its SYN (the listener was overflowing then). Sorted by listener and time,
 * the ones within a second of v[i] are a window that only moves forward, and a running
 * count of the retried ones tells how many of them it holds: linear after the sort. */
static void cross_listen(struct cand *v, size_t n)
{
	if (n < 2)
		return; /* (qsort of no array is undefined; one connection has no company) */
	qsort(v, n, sizeof *v, by_listener);
	size_t lo = 0, hi = 0;
	uint32_t in = 0;         /* retried connections in [lo, hi] */
	for (size_t i = 0; i < n; i++) {
		if (lo > i || !same_listener(&v[lo], &v[i])) {
			lo = hi = i;
			in = v[i].retried;
		}
		while (ts_sub(v[i].t, v[lo].t) > SEC)
			in -= v[lo++].retried;
		while (hi + 1 < n && same_listener(&v[hi + 1], &v[i]) && ts_sub(v[hi + 1].t, v[i].t) <= SEC)
			in += v[++hi].retried;
		if (in < LISTEN_MIN || !v[i].w->pair)
			continue;
		v[i].w->pair->listen_busy = in;
		if (v[i].retried)
			v[i].w->pair->listen_group = in;
	}
}

/* The path: for each host pair and side, when at least two of its connections carried
 * enough data from that side and every one of them lost some, each is told so. */
static void cross_path(struct cand *v, size_t n)
{
	if (n < 2)
		return; /* (qsort of no array is undefined; one connection has no company) */
	qsort(v, n, sizeof *v, by_hosts);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && by_hosts(&v[i], &v[j]) == 0)
			j++;
		for (int s = 0; s < 2; s++) {
			uint32_t all = 0, lost = 0;
			for (size_t k = i; k < j; k++) {
				all += v[k].big[s];
				lost += v[k].lost[s];
			}
			if (all < 2 || lost != all)
				continue;
			for (size_t k = i; k < j; k++) {
				if (v[k].lost[s]) {
					v[k].w->path_group = all;
					v[k].w->path_loss_side = (uint8_t)(s + 1);
				}
			}
		}
		i = j;
	}
}

/* The findings across connections, worked out once after the last packet (again when
 * more packets came since): O(n log n) in the conversations. */
static void cross(struct diag *d)
{
	size_t n = 0, k = 0;
	for (size_t b = 0; b < d->cap_blocks; b++)
		for (size_t i = 0; d->blocks[b] && i < DG_BLOCK; i++)
			n += d->blocks[b][i].made && d->blocks[b][i].w;
	struct cand *v = n ? xcalloc(n, sizeof *v) : NULL;
	for (size_t b = 0; b < d->cap_blocks; b++) {
		for (size_t i = 0; d->blocks[b] && i < DG_BLOCK; i++) {
			struct dg_conn *dc = &d->blocks[b][i];
			if (!dc->made || !dc->w)
				continue;
			struct cand *x = &v[k++];
			x->w = dc->w;
			x->c = dc->w->conn;
			x->w->path_group = x->w->path_loss_side = 0;
			if (x->w->pair)
				x->w->pair->listen_group = x->w->pair->listen_busy = 0;
			const struct dg_handshake *h = dc->hs;
			x->t = h ? h->syn_first : 0;
			x->has_syn = h && h->syn_n;
			x->retried = h && h->syn_n >= 2 && h->synack_n && h->synack_first >= h->syn_last
				     && ts_elapsed(h->syn_last, h->syn_first) >= SYN_REPEAT_MIN;
			const struct diag_conn *view = diag_get(d, x->c);
			for (int s = 0; view && s < 2; s++) {
				x->big[s] = view->d[s].data_segs >= PATH_MIN_SEGS;
				x->lost[s] = x->big[s] && lost_from(&view->d[s]);
			}
		}
	}
	cross_path(v, k);
	/* the connections whose SYN was seen */
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		if (v[i].has_syn)
			v[m++] = v[i];
	cross_listen(v, m);
	xfree(v);
	d->cross_done = 1;
}

const char *diag_capture_point(const struct diag_conn *dc)
{
	int64_t a = dc->e.leg_syn_ns, b = dc->e.leg_synack_ns;
	if (!dc->e.hs3_frame || a <= 0 || b <= 0)
		return NULL;
	if (ts_cmp_scaled(a, 1, b, 4) >= 0)
		return "client";
	if (ts_cmp_scaled(b, 1, a, 4) >= 0)
		return "server";
	return "between";
}

/* "; the capture was taken near the client (SYN -> SYN+ACK 10 ms, SYN+ACK -> ACK 45 us),
 * so ..." : where the figures were measured, when that matters to them. */
static void where_words(struct strbuf *b, const struct diag_conn *dc)
{
	const char *at = diag_capture_point(dc);
	if (!at)
		return;
	sb_puts(b, "; measured ");
	sb_puts(b, strcmp(at, "between") == 0 ? "between the two hosts" : strcmp(at, "client") == 0 ? "near the client" : "near the server");
	sb_puts(b, " (SYN -> SYN+ACK ");
	secs(b, dc->e.leg_syn_ns);
	sb_puts(b, ", SYN+ACK -> ACK ");
	secs(b, dc->e.leg_synack_ns);
	sb_putc(b, ')');
}

static void kb(struct strbuf *b, uint64_t n)
{
	if (n >= 10000)
		sb_printf(b, "%.0f kB", (double)n / 1000);
	else
		sb_printf(b, "%" PRIu64 " bytes", n);
}

/* "; at the same time ...": the listener was overflowing when this connection was
 * made, which explains a lost third handshake or a lost first request. */
static void listener_words(struct strbuf *b, const struct diag_evidence *e, const struct conn *c)
{
	sb_printf(b, "; within a second of this connection's SYN, %" PRIu32 " connections to port %u had to send their SYN "
		     "again (see listen_queue_overflow): a Linux listener whose accept queue is full drops the ACK that "
		     "completes the handshake, and the data that comes with it, so the listener dropped this, not the path",
		  e->listen_busy, c->ep[1].port);
}

uint32_t diag_findings(struct diag *d, const struct conn *c, struct diag_findings *out)
{
	struct strbuf *b = &out->spare;
	out->n = 0;
	sb_init(&out->spare);
	if (!d->cross_done && (!d->cross_every_ns || ts_sub(d->last_ts, d->cross_ts) >= d->cross_every_ns)) {
		cross(d);
		d->cross_ts = d->last_ts;
	}
	const struct diag_conn *dc = diag_get(d, c);
	uint32_t rules = 0;
	if (!dc) {
		sb_fini(&out->spare);
		return 0;
	}
	const struct diag_evidence *e = &dc->e;
	int64_t rtt = 0;
	{
		int64_t a = e->leg_syn_ns, z = e->leg_synack_ns;
		if (a <= 0 && dc->lat[0].n)
			a = dc->lat[0].min_ns;
		if (z <= 0 && dc->lat[1].n)
			z = dc->lat[1].min_ns;
		rtt = ts_add(a > 0 ? a : 0, z > 0 ? z : 0);
	}
	/* SYN never answered: nothing came back from the server at all. */
	if (dc->syn_n && !dc->synack_n && !c->pkts[1]) {
		rules |= 1u << DIAG_SYN_UNANSWERED;
		sb_printf(b = finding(out, DIAG_SYN_UNANSWERED), "the SYN (frame %" PRIu32 ") was sent %" PRIu32 " time%s over ",
			  e->syn_first_frame, dc->syn_n, dc->syn_n == 1 ? "" : "s");
		secs(b, ts_elapsed(dc->syn_last, dc->syn_first));
		sb_puts(b, " and never answered: the port is filtered (a firewall drops the SYN) or the host is down "
			   "or unreachable\n");
	}
	if (dc->refused) {
		rules |= 1u << DIAG_REFUSED;
		sb_printf(b = finding(out, DIAG_REFUSED), "the SYN was answered by a RST");
		if (e->rst_frame)
			sb_printf(b, " (frame %" PRIu32 ")", e->rst_frame);
		sb_printf(b, ": nothing listens on port %u (connection refused)\n", c->ep[1].port);
	}
	/* The server repeats its SYN+ACK while the client repeats its ACK: the ACK does
	 * not reach the server (RFC 9293 section 3.5: the server stays in SYN-RECEIVED). */
	/* (repeats sooner than a SYN timer are copies of the frames: SYN_REPEAT_MIN) */
	int syn_again = dc->syn_n >= 2 && ts_elapsed(dc->syn_last, dc->syn_first) >= SYN_REPEAT_MIN;
	int synack_again = dc->synack_n >= 2 && ts_elapsed(dc->synack_last, dc->synack_first) >= SYN_REPEAT_MIN;
	int hs3_lost = synack_again && dc->hs3_n >= 2;
	int hs3_expired = hs3_lost && dc->rst_dir == 2 && e->rst_noconn && !e->rst_has_ack;
	if (hs3_lost) {
		rules |= 1u << DIAG_HS3_LOST;
		sb_printf(b = finding(out, DIAG_HS3_LOST), "the server sent its SYN+ACK %" PRIu32 " times (first: frame %" PRIu32
			     ") and the client answered each with the third handshake (%" PRIu32 " times): the client's ACK %s, "
			     "which stays in SYN_RCVD while the client thinks it is connected (half-open)",
			  dc->synack_n, e->synack_first_frame, dc->hs3_n,
			  e->listen_busy ? "does not get through to the server" : "is lost on the way to the server");
		if (e->listen_busy)
			listener_words(b, e, c);
		if (hs3_expired)
			sb_printf(b, "; the server's SYN+ACK retries (net.ipv4.tcp_synack_retries) ran out first and it forgot the "
				     "connection, so the client's next segment (frame %" PRIu32 ") was answered by a RST without ACK "
				     "(frame %" PRIu32 "), the reset for a connection a TCP does not know", e->rst_answers_frame, e->rst_frame);
		sb_putc(b, '\n');
	}
	/* Many listeners' SYNs repeated within one second and then answered: the host was
	 * up and the path worked, so the listener dropped the first SYNs (Linux drops a SYN
	 * when the accept queue is full, and with tcp_abort_on_overflow 0 the third handshake
	 * too; the client's timer repeats the SYN after 1 s, 3 s, 7 s). */
	if (e->listen_group) {
		char a[64] = "";
		const struct ipaddr *ip = &c->ep[1].addr;
		if (ip->family == 4)
			snprintf(a, sizeof a, "%u.%u.%u.%u", ip->a[0], ip->a[1], ip->a[2], ip->a[3]);
		rules |= 1u << DIAG_LISTEN_OVERFLOW;
		sb_printf(b = finding(out, DIAG_LISTEN_OVERFLOW), "%" PRIu32 " connections to %s%sport %u sent their SYN again within one "
			     "second and were then answered (this one: %" PRIu32 " SYNs from frame %" PRIu32 ", answered by frame %" PRIu32 " after ",
			  e->listen_group, a, *a ? " " : "", c->ep[1].port, dc->syn_n, e->syn_first_frame, e->synack_first_frame);
		secs(b, e->first_synack_after_ns);
		sb_puts(b, "): the server was up and the path carried the later SYNs, so the listener dropped the first ones: its "
			   "accept queue (the listen() backlog, capped by net.core.somaxconn) or its SYN queue "
			   "(net.ipv4.tcp_max_syn_backlog) was full because the application accepts too slowly; "
			   "`nstat -az TcpExtListenOverflows TcpExtListenDrops` on the server counts the drops\n");
	} else if (syn_again && dc->synack_n && e->hs3_frame) {
		/* A handshake that needed a timer: which packet was lost shows in whether the
		 * first SYN+ACK came before the repeated SYN. */
		int64_t took = ts_elapsed(dc->hs3_ts, dc->syn_first);
		rules |= 1u << DIAG_HS_SLOW;
		b = finding(out, DIAG_HS_SLOW);
		if (dc->synack_first < dc->syn_last) {
			sb_printf(b, "the server answered the first SYN (frame %" PRIu32 ") with a SYN+ACK (frame %" PRIu32 ") after ",
				  e->syn_first_frame, e->synack_first_frame);
			secs(b, e->first_synack_after_ns);
			sb_printf(b, ", yet the client sent its SYN %" PRIu32 " times: the SYN+ACK was lost between the capture point and "
				     "the client; the handshake took ", dc->syn_n);
		} else {
			sb_printf(b, "the SYN was sent %" PRIu32 " times (first: frame %" PRIu32 ") before the SYN+ACK (frame %" PRIu32
				     ") came: the first SYN was lost on the path or dropped by the server; the handshake took ",
				  dc->syn_n, e->syn_first_frame, e->synack_first_frame);
		}
		secs(b, took);
		sb_puts(b, " instead of one round trip (the client's SYN timer waits 1 s, then 2 s, 4 s: RFC 6298, Linux)\n");
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if (x->zw_periods) {
			rules |= 1u << DIAG_ZERO_WINDOW;
			sb_printf(b = finding(out, DIAG_ZERO_WINDOW), "the %s advertised a zero window %" PRIu32 " time%s (", side(s), x->zw_periods, x->zw_periods == 1 ? "" : "s");
			if (x->zw_open && x->zw_periods == 1)
				sb_puts(b, "still closed at the end of the capture");
			else {
				secs(b, x->zw_total_ns);
				sb_puts(b, " in total, longest ");
				secs(b, x->zw_max_ns);
				if (x->zw_open)
					sb_puts(b, ", the last one still closed at the end");
			}
			if (x->zw_probes_recv)
				sb_printf(b, "; %" PRIu32 " zero-window probe%s from the %s", x->zw_probes_recv, x->zw_probes_recv == 1 ? "" : "s", side(1 - s));
			sb_printf(b, "): its receive buffer was full because the application on the %s was not reading "
				     "fast enough\n",
				  side(s));
		}
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_chain *ch = &dc->d[s].worst;
		/* The server's repeated SYN+ACK is already explained when the client's third
		 * handshake is lost: the client is not gone, its ACK is. A SYN answered in the
		 * end is told by the handshake rules. */
		if (s == 1 && ch->syn && (rules & (1u << DIAG_HS3_LOST)))
			continue;
		if (ch->syn && dc->synack_n && s == 0)
			continue;
		if (ch->sends >= 3 && backed_off(ch)) {
			rules |= 1u << DIAG_RTO_BACKOFF;
			sb_printf(b = finding(out, DIAG_RTO_BACKOFF), "the %s sent %s %" PRIu32 " times with ", side(s),
				  ch->syn ? (s ? "its SYN+ACK" : "its SYN") : "one segment", ch->sends);
			chain_words(b, ch);
			sb_printf(b, ": retransmission timeouts with exponential backoff (the timer doubles each time, "
				     "RFC 6298): no ACK came back, the path drops packets or the %s is gone\n",
				  side(1 - s));
		}
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if (!x->ka_n)
			continue;
		int64_t every = x->ka_gaps ? ts_total_mean(x->ka_gap_sum, x->ka_gaps) : x->ka_idle_ns;
		rules |= 1u << DIAG_KEEPALIVE;
		sb_printf(b = finding(out, DIAG_KEEPALIVE), "the %s sent %" PRIu32 " keep-alive%s", side(s), x->ka_n,
			  x->ka_n == 1 ? "" : "s");
		if (every > 0) {
			sb_puts(b, x->ka_gaps ? ", every " : " after ");
			secs(b, every);
			sb_puts(b, x->ka_gaps ? "" : " of silence");
			const char *who = ka_name(every, !x->ka_gaps);
			if (!who && x->ka_idle_ns && x->ka_gaps)
				who = ka_name(x->ka_idle_ns, 1);
			if (who)
				sb_printf(b, ", %s", who);
		}
		sb_puts(b, ": the connection was idle and its keep-alive timer checked the peer was still there\n");
	}
	/* The first RST: whose TCP sent it, and why. */
	int rs = dc->rst_dir ? dc->rst_dir - 1 : -1;
	int injected = 0;
	if (rs >= 0 && !dc->refused && e->rst_frame) {
		int ttl_off = e->rst_ttl_known && e->rst_ttl != e->rst_side_ttl;
		if ((ttl_off || e->rst_data_after) && e->hs3_frame) {
			injected = 1;
			rules |= 1u << DIAG_INJECTED_RST;
			sb_printf(b = finding(out, DIAG_INJECTED_RST), "the RST in frame %" PRIu32 " claims to come from the %s, but ", e->rst_frame, side(rs));
			if (ttl_off)
				sb_printf(b, "its IP TTL is %u where every other packet of the %s arrived with %u", e->rst_ttl, side(rs), e->rst_side_ttl);
			if (ttl_off && e->rst_data_after)
				sb_puts(b, ", and ");
			if (e->rst_data_after)
				sb_printf(b, "the %s went on sending data after it (%" PRIu32 " segment%s), so its TCP never reset the connection",
					  side(rs), e->rst_data_after, e->rst_data_after == 1 ? "" : "s");
			sb_puts(b, ": something on the path (a firewall, an IPS, a censor) forged the reset; the hosts themselves are fine\n");
		} else if (!e->rst_has_ack && e->rst_noconn && e->rst_answers_data && e->rst_quiet_ns >= HALF_OPEN_QUIET
			   && !dc->rst_after_fin) {
			rules |= 1u << DIAG_HALF_OPEN;
			sb_printf(b = finding(out, DIAG_HALF_OPEN), "after ");
			secs(b, e->rst_quiet_ns);
			sb_printf(b, " of silence the %s sent data (frame %" PRIu32 ") and the %s answered with a RST without ACK whose "
				     "sequence number is the %s's acknowledgment number (frame %" PRIu32 "): the reset a TCP sends for a "
				     "segment of a connection it does not know (RFC 9293 section 3.10.7.1). The %s lost the connection "
				     "while the %s still had it open (half-open): it restarted or rebooted, or a NAT or firewall on the "
				     "way forgot the connection\n",
				  side(1 - rs), e->rst_answers_frame, side(rs), side(1 - rs), e->rst_frame, side(rs), side(1 - rs));
		} else if (!dc->rst_after_fin && !e->rst_side_fin && e->rst_has_ack && e->hs3_frame) {
			rules |= 1u << DIAG_ABORT_RST;
			sb_printf(b = finding(out, DIAG_ABORT_RST), "the %s aborted the open connection with a RST (frame %" PRIu32 ") instead of "
				     "closing it with a FIN, after ", side(rs), e->rst_frame);
			kb(b, e->rst_peer_bytes);
			sb_printf(b, " from the %s: the application closed with SO_LINGER 0, was killed, or closed with data "
				     "still unread; whatever was in flight is lost\n", side(1 - rs));
		}
	}
	if (dc->rst_after_fin && !injected && !hs3_expired) {
		rules |= 1u << DIAG_RST_AFTER_FIN;
		sb_printf(b = finding(out, DIAG_RST_AFTER_FIN), "the %s reset the connection (frame %" PRIu32 ") after the close had started with a FIN: it closed with "
			     "data still unread, or aborted (SO_LINGER 0) instead of waiting for the close to finish\n", dc->rst_dir == 1 ? "client" : "server", e->rst_frame);
	}
	/* Delayed ACK meets Nagle: small segments waited a delayed-ACK time beyond the
	 * round trip, and the next small segment followed the ACK at once. */
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		uint32_t n = x->stall_40 + x->stall_200;
		if (n < STALL_MIN)
			continue;
		rules |= 1u << DIAG_DELAYED_ACK;
		sb_printf(b = finding(out, DIAG_DELAYED_ACK), "%" PRIu32 " times a small segment from the %s waited ~%s beyond the round trip for "
			     "its ACK (up to ", n, side(s), x->stall_40 >= x->stall_200 ? "40 ms" : "200 ms");
		secs(b, x->stall_max_ns);
		sb_printf(b, " more; first: the ACK in frame %" PRIu32 ") and the %s's next small segment left right after that ACK", x->stall_first, side(s));
		where_words(b, dc);
		sb_printf(b, ": the %s delays its ACKs (%s) and the %s's Nagle algorithm holds the next small write "
			     "until that ACK comes; TCP_NODELAY on the %s, or one write per message, removes the stall\n",
			  side(1 - s), x->stall_40 >= x->stall_200 ? "Linux: 40 ms" : "Windows/BSD: 200 ms", side(s), side(s));
	}
	/* Path-MTU black hole: after a timeout (a retransmission, or an answer that came
	 * only after the sender's timers: seen from the receiver, the vanished segments
	 * leave a silence), the sender's full segments are smaller than the MSS both ends
	 * offered by more than options explain: the big ones vanished and no ICMP
	 * "fragmentation needed" told the sender (RFC 4821: it probed down). */
	uint32_t pmtu = 0;
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		uint32_t m = e->mss[1 - s] ? e->mss[1 - s] : 0;
		if (e->mss[s] && (!m || e->mss[s] < m))
			m = e->mss[s];
		uint32_t timeout_frame = e->first_rto_frame ? e->first_rto_frame : (s == 1 ? e->slow_ans_frame : 0);
		/* (after a retransmission: at least PMTU_STEADY new segments after it, a
		 * repeat of one write again and again is no segment size) */
		if (!timeout_frame || !m || x->data_segs < 2 * PMTU_STEADY || x->len_end_n < PMTU_STEADY
		    || (e->first_rto_frame && x->new_after_rto < PMTU_STEADY)
		    || x->len_end + PMTU_OPTS >= m || !(x->rto_len_max > x->len_end + PMTU_OPTS || x->len_max == x->len_end))
			continue;
		pmtu |= 1u << s;
		rules |= 1u << DIAG_PMTU_BLACKHOLE;
		sb_printf(b = finding(out, DIAG_PMTU_BLACKHOLE), "both ends offered an MSS of at least %" PRIu32 " bytes, but after a %s "
			     "(frame %" PRIu32 ") the %s's segments are %" PRIu32 " bytes", m,
			  e->first_rto_frame ? "retransmission timeout" : "silence of retransmission timeouts", timeout_frame, side(s), x->len_end);
		if (x->rto_len_max > x->len_end + PMTU_OPTS)
			sb_printf(b, " (its %" PRIu32 "-byte segments were sent again and again)", x->rto_len_max);
		else
			sb_printf(b, ", and no larger one from it ever reached the capture point");
		sb_puts(b, ": full-size packets vanish on the path and no ICMP \"fragmentation needed\" came back (a path-MTU "
			   "black hole: a tunnel or a smaller MTU behind a firewall that drops ICMP); the sender probed down "
			   "after timeouts (net.ipv4.tcp_mtu_probing); clamping the MSS or letting ICMP through fixes it\n");
	}
	/* Fast retransmit (RFC 5681 section 3.2): three duplicate ACKs make the sender
	 * repeat the missing segment at once instead of waiting for its timer: a loss,
	 * repaired quickly. */
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		const struct diag_dir *rx = &dc->d[1 - s];
		if (!x->fast_retx || (pmtu & (1u << s)))
			continue;
		rules |= 1u << DIAG_FAST_RETX;
		sb_printf(b = finding(out, DIAG_FAST_RETX), "packet loss from the %s: %" PRIu32 " segment%s repeated by fast retransmission (first: "
			     "frame %" PRIu32 ") after the %s's duplicate ACKs (%" PRIu32 " in all) reported the hole; "
			     "the path drops packets (congestion or a lossy link), and fast retransmit repaired it "
			     "without waiting for a timeout\n",
			  side(s), x->fast_retx, x->fast_retx == 1 ? " was" : "s were",
			  x->fast_first, side(1 - s), rx->dup_total);
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if (x->tail_retx <= x->tail_dsack)
			continue;
		rules |= 1u << DIAG_TAIL_LOSS;
		sb_printf(b = finding(out, DIAG_TAIL_LOSS), "tail loss: the %s sent its last segment again (frame %" PRIu32 ", first sent in frame %" PRIu32 ") ",
			  side(s), x->tail_first, x->tail_orig);
		secs(b, x->tail_wait_ns);
		sb_printf(b, " later, by its timer (a tail-loss probe or the RTO): nothing was sent after it, so no duplicate ACK could "
			     "report the loss, and the %s's answer waited for the timer", side(1 - s));
		if (s == 0 && e->listen_busy)
			listener_words(b, e, c);
		sb_putc(b, '\n');
	}
	if (e->path_group && e->path_loss_side) {
		int s = (int)e->path_loss_side - 1;
		rules |= 1u << DIAG_PATH_LOSS;
		sb_printf(b = finding(out, DIAG_PATH_LOSS), "all %" PRIu32 " connections between these two hosts with at least %d data segments "
			     "from the %s lost some of them (this one: %" PRIu64 " retransmitted of %" PRIu64 " packets): the same loss "
			     "on every connection of the host pair is the path (a congested or lossy link), not one application\n",
			  e->path_group, PATH_MIN_SEGS, side(s), dc->d[s].retx_pkts, dc->d[s].pkts);
	}
	/* Holes filled sooner than half a round trip after they opened cannot be repeats
	 * the receiver asked for (its duplicate ACK needs half a round trip to reach the
	 * sender and the repeat as long again from where the hole was seen): the segments
	 * were overtaken. Filled later, they were lost before the capture point. */
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if (x->fill_early < REORDER_MIN)
			continue;
		rules |= 1u << DIAG_REORDER;
		sb_printf(b = finding(out, DIAG_REORDER), "reordering: %" PRIu32 " segment%s from the %s (first: frame %" PRIu32 ") filled a hole at most ",
			  x->fill_early, x->fill_early == 1 ? "" : "s", side(s), x->fill_early_first);
		secs(b, x->fill_early_max_ns);
		sb_puts(b, " after it opened, sooner than half the round trip (");
		secs(b, rtt);
		sb_puts(b, ") a repeat needs: they were overtaken on the path, not lost");
		if (x->spurious)
			sb_printf(b, "; the %" PRIu32 " needless repeats (spurious retransmissions) show the sender took the delay for a loss", x->spurious);
		sb_puts(b, "; the retransmission count overstates the loss\n");
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if ((x->retx_unseen < UNSEEN_MIN && x->fill_late < UNSEEN_MIN) || (pmtu & (1u << s)))
			continue;
		rules |= 1u << DIAG_UNSEEN_RETX;
		sb_printf(b = finding(out, DIAG_UNSEEN_RETX), "%" PRIu32 " of the %" PRIu64 " segments from the %s labelled retransmissions (first: frame %"
			     PRIu32 ") carry bytes this capture never saw before, so they are not repeats seen here: ",
			  x->retx_unseen, x->retx_pkts, side(s), x->unseen_first);
		if (x->fill_late && x->fill_late >= x->fill_early) {
			sb_printf(b, "the %" PRIu32 " hole%s they filled stayed open at least ", x->fill_late, x->fill_late == 1 ? "" : "s");
			secs(b, x->fill_late_min_ns);
			sb_puts(b, " (the round trip is ");
			secs(b, rtt);
			sb_printf(b, "), as long as a repeat takes: the originals were lost between the %s and the capture point\n", side(s));
		} else if (x->spurious) {
			sb_printf(b, "they arrived late, overtaken by later segments (reordering), and the %" PRIu32
				     " needless repeats the %s sent afterwards (spurious retransmissions) show it took the "
				     "delay for a loss; the retransmission rate overstates the loss\n",
				  x->spurious, side(s));
		} else {
			sb_puts(b, "the originals were lost before the capture point, or they arrived late, overtaken by "
				   "later segments (reordering); capture closer to the sender to tell which\n");
		}
	}
	/* The receiver's window is the limit: the sender keeps filling it. */
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s], *rx = &dc->d[1 - s];
		if (x->win_full < WINFULL_MIN || (uint64_t)x->win_full * 10 < x->data_segs || rx->zw_periods)
			continue;
		rules |= 1u << DIAG_RWND_LIMITED;
		sb_printf(b = finding(out, DIAG_RWND_LIMITED), "%" PRIu32 " of the %" PRIu32 " data segments from the %s filled the %s's receive "
			     "window (first: frame %" PRIu32 "); the %s never offered more than ",
			  x->win_full, x->data_segs, side(s), side(1 - s), x->win_full_first, side(1 - s));
		kb(b, rx->max_win);
		if (rtt > 0) {
			sb_puts(b, ", so with a round trip of ");
			secs(b, rtt);
			sb_printf(b, " the transfer cannot go faster than %.0f kB/s", (double)rx->max_win / ((double)rtt / SEC) / 1000);
		}
		sb_printf(b, ": the %s's receive buffer (SO_RCVBUF, net.ipv4.tcp_rmem), not the path, limits the throughput\n", side(1 - s));
	}
	/* Bufferbloat: this side's segments waited longer and longer for their ACKs. */
	for (int s = 0; s < 2; s++) {
		const struct tcp_latency *L = &dc->lat[s];
		int64_t far = s == 0 ? e->leg_syn_ns : e->leg_synack_ns, near = s == 0 ? e->leg_synack_ns : e->leg_syn_ns;
		if (L->n < BLOAT_SAMPLES || dc->d[1 - s].zw_periods || far < BLOAT_PATH_MIN || far < near
		    || dc->d[s].retx_pkts * BLOAT_RETX_DIV > dc->d[s].pkts)
			continue;
		int64_t avg = ts_total_mean(L->sum_ns, L->n);
		if (ts_sub(L->max_ns, L->min_ns) < BLOAT_RISE || ts_sub(avg, L->min_ns) < BLOAT_AVG_RISE || ts_cmp_scaled(avg, 1, L->min_ns, BLOAT_AVG_FACTOR) < 0)
			continue;
		rules |= 1u << DIAG_BUFFERBLOAT;
		sb_printf(b = finding(out, DIAG_BUFFERBLOAT), "the round trip of the %s's segments rose from ", side(s));
		secs(b, L->min_ns);
		sb_puts(b, " to ");
		secs(b, L->max_ns);
		sb_puts(b, " (average ");
		secs(b, avg);
		sb_printf(b, " over %" PRIu64 " ACKs) while it sent ", L->n);
		kb(b, dc->d[s].bytes);
		sb_printf(b, " with %" PRIu64 " retransmission%s: a queue on the path fills with what the %s sends (bufferbloat), so "
			     "every packet behind it waits; queue management (fq_codel, cake) at the bottleneck, or pacing "
			     "the sender, keeps the round trip short\n", dc->d[s].retx_pkts, dc->d[s].retx_pkts == 1 ? "" : "s", side(s));
	}
	if (e->slow_answers && !(pmtu & 2u)) {
		rules |= 1u << DIAG_SLOW_SERVER;
		sb_printf(b = finding(out, DIAG_SLOW_SERVER), "%" PRIu32 " answer%s came late; the slowest: the server's TCP acknowledged the "
			     "request (frame %" PRIu32 ") in frame %" PRIu32 " after ", e->slow_answers, e->slow_answers == 1 ? "" : "s",
			  e->slow_ans_req_frame, e->slow_ans_ack_frame);
		secs(b, e->slow_ans_ack_ns);
		sb_puts(b, ", and its first answer byte came ");
		secs(b, e->slow_ans_wait_ns);
		sb_printf(b, " after that ACK (frame %" PRIu32 ")", e->slow_ans_frame);
		where_words(b, dc);
		sb_puts(b, ": the request had arrived; the time is spent in the server's application (or what it waits for), "
			   "not in the network\n");
	}
	if (e->slow_requests) {
		rules |= 1u << DIAG_SLOW_CLIENT;
		sb_printf(b = finding(out, DIAG_SLOW_CLIENT), "%" PRIu32 " request%s came slowly; the slowest arrived in %" PRIu32 " pieces over ",
			  e->slow_requests, e->slow_requests == 1 ? "" : "s", e->slow_req_pieces);
		secs(b, e->slow_req_ns);
		sb_printf(b, " (frames %" PRIu32 " to %" PRIu32 ") and the server answered ", e->slow_req_first_frame, e->slow_req_last_frame);
		secs(b, e->slow_req_answer_ns);
		sb_puts(b, " after the last piece");
		where_words(b, dc);
		sb_puts(b, ": the client is slow to send what it asks (its application writes in pieces, or waits between "
			   "them); the server and the network are not the delay\n");
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if (!x->missed || !x->missed_frame)
			continue;
		rules |= 1u << DIAG_CAPTURE_MISSED;
		sb_puts(b = finding(out, DIAG_CAPTURE_MISSED), "this capture never saw ");
		kb(b, x->missed);
		sb_printf(b, " the %s sent (first sign, frame %" PRIu32 ": a segment or ACK beyond bytes not captured), though the "
			     "%s received them: the capture point missed them (the capture dropped packets, or they took another "
			     "path), so what is shown of the %s's side is incomplete\n", side(s), x->missed_frame, side(1 - s), side(s));
	}
	/* A stream paced by the server's application: where the time goes when a client
	 * waits for it (events, long polling, a log followed). */
	if (e->stream_pieces >= STREAM_MIN && e->stream_span_ns >= STREAM_SPAN_MIN) {
		const struct tcp_latency *A = &dc->lat[1];
		rules |= 1u << DIAG_STREAM;
		sb_printf(b = finding(out, DIAG_STREAM), "the server wrote its answer as a stream: %" PRIu32 " writes over ", e->stream_pieces);
		secs(b, e->stream_span_ns);
		sb_printf(b, " (frames %" PRIu32 " to %" PRIu32 "), each after a pause of ", e->stream_first_frame, e->stream_last_frame);
		secs(b, e->stream_gap_min_ns);
		if (ts_sub(e->stream_gap_max_ns, e->stream_gap_min_ns) >= MS) {
			sb_puts(b, " to ");
			secs(b, e->stream_gap_max_ns);
		}
		sb_puts(b, " with nothing in flight");
		if (A->n) {
			sb_puts(b, ", and the client's TCP acknowledged the server's segments within ");
			secs(b, A->max_ns);
		}
		sb_puts(b, ": each piece reached the client as soon as the server wrote it, so the pace is the server "
			   "application's (events, long polling, a log); if the client showed the pieces late, the client side "
			   "held them (its application or a proxy buffering them, or a decompressor waiting for a full block: "
			   "look for a Content-Encoding on the stream)\n");
	}
	/* Words only: no trailing newline, no rule name inside. */
	for (size_t k = 0; k < out->n; k++) {
		struct strbuf *t = &out->f[k].text;
		while (t->len && t->s[t->len - 1] == '\n')
			t->s[--t->len] = '\0';
	}
	sb_fini(&out->spare);
	return rules;
}

void diag_end_words(const struct diag_conn *dc, const struct conn *c, struct strbuf *b)
{
	if (c->handshake == HS_INCOMPLETE && !(dc && dc->hs3_n)) {
		if (dc && dc->refused)
			sb_puts(b, "never established: refused (RST answered the SYN)");
		else if (dc && dc->syn_n && !dc->synack_n)
			sb_puts(b, "never established: the SYN was not answered");
		else
			sb_puts(b, "never established: the handshake did not complete");
		return;
	}
	if (c->close == CLOSE_RST) {
		sb_printf(b, "reset (RST) by the %s", c->rst_by == 1 ? "client" : "server");
		if (dc && dc->rst_after_fin)
			sb_puts(b, " after a FIN");
		return;
	}
	if (c->close == CLOSE_FIN) {
		sb_printf(b, "%s, the %s closed first", dc && dc->three_pkt_close ? "three-packet close (FIN+ACK combined)"
										 : "four-packet close",
			  c->fin_first_by == 2 ? "server" : "client");
		if (c->tags & TAG_SIMCLOSE)
			sb_puts(b, " (the FINs crossed: simultaneous close)");
		if (c->tags & TAG_CLOSE_INCOMPLETE)
			sb_puts(b, "; the last ACK was not captured");
		if (c->reset_then_syn)
			sb_printf(b, "; an earlier attempt on these ports was reset by the %s",
				  c->rst_by == 1 ? "client" : "server");
		return;
	}
	if (c->close == CLOSE_HALF) {
		sb_printf(b, "half-closed: only the %s sent a FIN, still open at the end of the capture",
			  c->fin_first_by == 2 ? "server" : "client");
		return;
	}
	sb_puts(b, "still open at the end of the capture");
}

struct strbuf *diag_finding_add(struct diag_findings *out, int rule) { return finding(out, rule); }

void diag_findings_fini(struct diag_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		sb_fini(&f->f[i].text);
	f->n = 0;
}
