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
/* A stall is only a stall when the path is much faster than the wait. */
#define STALL_PATH_FACTOR 4
/* One slow ACK is noise; a pattern needs at least two. */
#define STALL_MIN 2

/* The state kept per TCP connection is what every connection needs (a few counters,
 * the time to first byte in progress, the end: ~90 bytes, carved from blocks); what only
 * some need comes when it is first needed: the handshake times with the first
 * handshake packet, the answer times with the first answer, the ring of recent
 * segments one send at a time up to DIAG_RECENT, and the rest of struct diag_dir
 * (retransmissions, duplicate ACKs, zero window, keep-alive, stalls, the worst chain,
 * the gaps of repeated sends) with the side's first such event. Packet and byte counts
 * are the connection's own (struct conn: every packet of a diagnosed connection comes
 * here). 200,000 connections of one segment each cost ~20 MB, not 1.4 GB; diag_get
 * puts the full record together. */

struct dg_sent {             /* one segment in the ring of recent sends */
	uint32_t rseq;
	uint32_t sends : 31;     /* 1 + retransmissions (stops at 2^31 - 1); 0: unused */
	uint32_t syn : 1;
	int64_t last_ts;
};

/* The ring doubles up to DIAG_RECENT exactly, and its counters are bytes. */
_Static_assert(DIAG_RECENT <= 128 && (DIAG_RECENT & (DIAG_RECENT - 1)) == 0, "DIAG_RECENT: a power of two <= 128");

struct dg_rare {             /* the rarely used part of one side */
	struct diag_dir v;       /* what diag_get shows, but for pkts and bytes */
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
};

struct dg_answers {          /* time to first byte, made at the first answer */
	ts_total sum;
	int64_t first, max;
	uint32_t n;
};

struct dg_conn {
	struct dg_dir d[2];
	int64_t last_other_ts;   /* last packet that was not a keep-alive or its ACK */
	int64_t req_start;       /* the request waiting for its answer began then */
	struct dg_handshake *hs;
	struct dg_answers *ttfb;
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
};

struct diag *diag_new(void) { return xcalloc(1, sizeof(struct diag)); }

void diag_free(struct diag *d)
{
	if (!d)
		return;
	for (size_t b = 0; b < d->cap_blocks; b++) {
		if (!d->blocks[b])
			continue;
		for (size_t i = 0; i < DG_BLOCK; i++) {
			struct dg_conn *dc = &d->blocks[b][i];
			if (!dc->made)
				continue;
			for (int s = 0; s < 2; s++) {
				xfree(dc->d[s].ring);
				if (dc->d[s].rare)
					xfree(dc->d[s].rare->gaps);
				xfree(dc->d[s].rare);
			}
			xfree(dc->hs);
			xfree(dc->ttfb);
		}
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
		xgrow(&d->blocks, &d->cap_blocks, b + 1, sizeof *d->blocks);
		memset(d->blocks + old, 0, (d->cap_blocks - old) * sizeof *d->blocks);
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
	}
	v->refused = dc->refused;
	v->three_pkt_close = dc->three_pkt_close;
	v->rst_after_fin = dc->rst_after_fin;
	v->fin_seen = dc->fin_seen;
	v->rst_dir = dc->rst_dir;
	v->req_start = dc->req_start;
	if (dc->ttfb) {
		v->ttfb_first = dc->ttfb->first;
		v->ttfb_max = dc->ttfb->max;
		v->ttfb_sum = dc->ttfb->sum;
		v->ttfb_n = dc->ttfb->n;
	}
	v->awaiting = dc->awaiting;
	v->last_data_dir = dc->last_data_dir;
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

void diag_swap_sides(struct diag *d, const struct conn *c)
{
	struct dg_conn *dc = conn_state(d, c, 0);
	if (!dc)
		return;
	struct dg_dir t = dc->d[0];
	dc->d[0] = dc->d[1];
	dc->d[1] = t;
	if (dc->rst_dir)
		dc->rst_dir = (uint8_t)(3 - dc->rst_dir); /* dir + 1 */
}

void diag_packet(void *ctx, const struct pkt *pk, struct conn *c, const struct pktrec *r,
		 const struct tcp_ack_result *ar)
{
	(void)pk;
	if (c->proto != 6)
		return;
	struct dg_conn *dc = conn_state(ctx, c, 1);
	int dir = r->dir;
	struct dg_dir *me = &dc->d[dir], *peer = &dc->d[1 - dir];
	uint32_t L = r->labels;
	int64_t ts = r->ts_ns;
	int syn = (r->flags & TH_SYN) != 0, ackf = (r->flags & TH_ACK) != 0;
	int retx = (L & LB_BIT(LB_RETRANSMISSION)) != 0;

	if (retx) {
		rare(me)->retx_pkts++;
		rare(me)->retx_bytes += r->len;
		/* Wireshark's label says "retransmission" for any segment below the highest
		 * sequence seen; when its bytes were never seen before (no original frame), they
		 * were lost before the capture point or are simply late. */
		if (L & LB_BIT(LB_FAST_RETRANSMISSION)) {
			struct diag_dir *x = rare(me);
			if (!x->fast_retx)
				x->fast_first = r->frame;
			x->fast_retx++;
		} else if (r->len && !r->ref_frame && !syn && !(L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))) {
			struct diag_dir *x = rare(me);
			if (!x->retx_unseen)
				x->unseen_first = r->frame;
			x->retx_unseen++;
		}
		if (L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))
			rare(me)->spurious++;
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

	/* Repeated sends of one segment, for the backoff rule. */
	if (r->len || syn || (r->flags & TH_FIN)) {
		if (!(L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_ZERO_WINDOW_PROBE))))
			chain_send(me, r->rseq, retx && !(L & LB_BIT(LB_FAST_RETRANSMISSION)), syn, ts);
	}

	/* Delayed-ACK stalls: the ACK of a small segment the peer sent. */
	{
		if (ar->n && ar->newest_len && ar->newest_len < SMALL_SEG && !ar->newest_karn) {
			peer->small_acked++;
			int in40 = ar->newest_ns >= DELACK40_LO && ar->newest_ns <= DELACK40_HI;
			int in200 = ar->newest_ns >= DELACK200_LO && ar->newest_ns <= DELACK200_HI;
			if (in40 || in200) {
				struct diag_dir *x = rare(peer);
				if (in40)
					x->stall_40++;
				else
					x->stall_200++;
				if (ar->newest_ns > x->stall_max_ns)
					x->stall_max_ns = ar->newest_ns;
			}
		}
	}
	/* Time to first byte: a request is the client's data after the server's (or the
	 * first data); its answer starts with the server's next data. */
	if (r->len && !(L & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_KEEP_ALIVE)))) {
		if (dir == 0 && dc->last_data_dir != 1) {
			if (!dc->awaiting) {
				dc->awaiting = 1;
				dc->req_start = ts;
			}
		} else if (dir == 0 && dc->last_data_dir == 1) {
			dc->awaiting = 1;
			dc->req_start = ts;
		} else if (dir == 1 && dc->awaiting) {
			int64_t t = ts_elapsed(ts, dc->req_start);
			if (!dc->ttfb)
				dc->ttfb = xcalloc(1, sizeof *dc->ttfb);
			struct dg_answers *a = dc->ttfb;
			if (!a->n)
				a->first = t;
			if (t > a->max)
				a->max = t;
			ts_total_add(&a->sum, t);
			a->n++;
			dc->awaiting = 0;
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

uint32_t diag_findings(struct diag *d, const struct conn *c, struct diag_findings *out)
{
	struct strbuf *b = &out->spare;
	out->n = 0;
	sb_init(&out->spare);
	const struct diag_conn *dc = diag_get(d, c);
	uint32_t rules = 0;
	if (!dc) {
		sb_fini(&out->spare);
		return 0;
	}
	/* SYN never answered: nothing came back from the server at all. */
	if (dc->syn_n && !dc->synack_n && !c->pkts[1]) {
		rules |= 1u << DIAG_SYN_UNANSWERED;
		sb_printf(b = finding(out, DIAG_SYN_UNANSWERED), "the SYN was sent %" PRIu32 " time%s over ", dc->syn_n,
			  dc->syn_n == 1 ? "" : "s");
		secs(b, ts_elapsed(dc->syn_last, dc->syn_first));
		sb_puts(b, " and never answered: the port is filtered (a firewall drops the SYN) or the host is down "
			   "or unreachable\n");
	}
	if (dc->refused) {
		rules |= 1u << DIAG_REFUSED;
		sb_printf(b = finding(out, DIAG_REFUSED), "the SYN was answered by a RST: nothing listens on port %u (connection refused)\n", c->ep[1].port);
	}
	/* The server repeats its SYN+ACK while the client repeats its ACK: the ACK does
	 * not reach the server (RFC 9293 section 3.5: the server stays in SYN-RECEIVED). */
	if (dc->synack_n >= 2 && dc->hs3_n >= 2) {
		rules |= 1u << DIAG_HS3_LOST;
		sb_printf(b = finding(out, DIAG_HS3_LOST), "the server sent its SYN+ACK %" PRIu32 " times and the client answered each with the "
			     "third handshake (%" PRIu32 " times): the client's ACK is lost on the way to the server, "
			     "which stays in SYN_RCVD while the client thinks it is connected (half-open)\n",
			  dc->synack_n, dc->hs3_n);
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
			sb_printf(b, "): its receive buffer was full because the application on the %s was not reading "
				     "fast enough\n",
				  side(s));
		}
	}
	for (int s = 0; s < 2; s++) {
		const struct diag_chain *ch = &dc->d[s].worst;
		/* The server's repeated SYN+ACK is already explained when the client's third
		 * handshake is lost: the client is not gone, its ACK is. */
		if (s == 1 && ch->syn && (rules & (1u << DIAG_HS3_LOST)))
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
	if (dc->rst_after_fin) {
		rules |= 1u << DIAG_RST_AFTER_FIN;
		sb_printf(b = finding(out, DIAG_RST_AFTER_FIN), "the %s reset the connection after the close had started with a FIN: it closed with "
			     "data still unread, or aborted (SO_LINGER 0) instead of waiting for the close to finish\n", dc->rst_dir == 1 ? "client" : "server");
	}
	/* Delayed ACK meets Nagle: small segments wait ~40/200 ms for their ACK on a path
	 * that answers much faster. */
	int64_t path = dc->irtt_ns;
	for (int s = 0; s < 2; s++)
		if (dc->lat[s].n && (!path || dc->lat[s].min_ns < path))
			path = dc->lat[s].min_ns;
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		uint32_t n = x->stall_40 + x->stall_200;
		if (n < STALL_MIN || ts_cmp_scaled(path, STALL_PATH_FACTOR, x->stall_max_ns, 1) > 0)
			continue;
		rules |= 1u << DIAG_DELAYED_ACK;
		sb_printf(b = finding(out, DIAG_DELAYED_ACK), "%" PRIu32 " small segment%s from the %s waited ~%s for the ACK (up to ", n, n == 1 ? "" : "s", side(s), x->stall_40 >= x->stall_200 ? "40 ms" : "200 ms");
		secs(b, x->stall_max_ns);
		sb_puts(b, ", while the path answers in ");
		secs(b, path);
		sb_printf(b, "): the %s delays its ACKs (%s) and the %s's Nagle algorithm holds the next small write "
			     "until that ACK comes; TCP_NODELAY on the %s, or one write per message, removes the stall\n",
			  side(1 - s), x->stall_40 >= x->stall_200 ? "Linux: 40 ms" : "Windows/BSD: 200 ms", side(s), side(s));
	}
	/* Fast retransmit (RFC 5681 section 3.2): three duplicate ACKs make the sender
	 * repeat the missing segment at once instead of waiting for its timer: a loss,
	 * repaired quickly. */
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		const struct diag_dir *rx = &dc->d[1 - s];
		if (!x->fast_retx)
			continue;
		rules |= 1u << DIAG_FAST_RETX;
		sb_printf(b = finding(out, DIAG_FAST_RETX), "packet loss from the %s: %" PRIu32 " segment%s repeated by fast retransmission (first: "
			     "frame %" PRIu32 ") after the %s's duplicate ACKs (%" PRIu32 " in all) reported the hole; "
			     "the path drops packets (congestion or a lossy link), and fast retransmit repaired it "
			     "without waiting for a timeout\n",
			  side(s), x->fast_retx, x->fast_retx == 1 ? " was" : "s were",
			  x->fast_first, side(1 - s), rx->dup_total);
	}
	/* Segments Wireshark calls retransmissions whose bytes this capture never saw
	 * before: either the originals were lost before the capture point, or they were
	 * overtaken and arrive late (reordering). Needless repeats afterwards (spurious:
	 * the receiver already had the bytes) are the mark of reordering: the sender took
	 * the delay for a loss. */
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *x = &dc->d[s];
		if (x->retx_unseen < UNSEEN_MIN)
			continue;
		rules |= 1u << DIAG_UNSEEN_RETX;
		sb_printf(b = finding(out, DIAG_UNSEEN_RETX), "%" PRIu32 " of the %" PRIu64 " segments from the %s labelled retransmissions (first: frame %"
			     PRIu32 ") carry bytes this capture never saw before, so they are not repeats seen here: ",
			  x->retx_unseen, x->retx_pkts, side(s), x->unseen_first);
		if (x->spurious)
			sb_printf(b, "they arrived late, overtaken by later segments (reordering), and the %" PRIu32
				     " needless repeats the %s sent afterwards (spurious retransmissions) show it took the "
				     "delay for a loss; the retransmission rate overstates the loss\n",
				  x->spurious, side(s));
		else
			sb_puts(b, "the originals were lost before the capture point, or they arrived late, overtaken by "
				   "later segments (reordering); capture closer to the sender to tell which\n");
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
		return;
	}
	if (c->close == CLOSE_HALF) {
		sb_printf(b, "half-closed: only the %s sent a FIN, still open at the end of the capture",
			  c->fin_first_by == 2 ? "server" : "client");
		return;
	}
	sb_puts(b, "still open at the end of the capture");
}

void diag_findings_fini(struct diag_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		sb_fini(&f->f[i].text);
	f->n = 0;
}
