/* graph.c: the points a connection's graphs draw (session_graph in session.h): one per
 * packet, computed from the walk, so every client draws the same numbers. Bytes in
 * flight and RTT samples are measured here as tcptrace and Wireshark measure them:
 * in flight = the sender's highest sequence end minus the peer's highest ACK; an RTT
 * sample when an ACK first covers a segment sent once (Karn's rule: a segment sent
 * again cannot tell which copy was acknowledged). */
#include "session.h"

#include "../base/xalloc.h"
#include "../model/labels.h"

#include <string.h>

/* A data segment of one side not yet acknowledged: its end and when it was sent. */
struct unacked {
	uint32_t end;
	int64_t ts;
	uint8_t again; /* the bytes were sent before: no RTT sample */
};

struct side {
	struct unacked *q;   /* ring of segments in order of their ends */
	size_t head, n, cap;
	uint32_t high;       /* highest relative end sent */
	uint32_t acked;      /* highest relative ACK of the peer */
	uint8_t sent, got_ack;
};

struct graph_walk {
	struct side sd[2];
	int64_t first_ts;
	void (*fn)(void *ctx, const struct sess_graph_pt *pt);
	void *ctx;
};

/* Wrap-aware order of relative sequence numbers (RFC 9293 section 3.4). */
static int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

static void side_push(struct side *s, uint32_t end, int64_t ts, int again)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct unacked *q = xmalloc(cap * sizeof *q);
		for (size_t i = 0; i < s->n; i++)
			q[i] = s->q[(s->head + i) % s->cap];
		xfree(s->q);
		s->q = q;
		s->head = 0;
		s->cap = cap;
	}
	s->q[(s->head + s->n) % s->cap] = (struct unacked){ end, ts, (uint8_t)again };
	s->n++;
}

/* The peer's ACK covers segments of s: drop them; the RTT of the newest one covered,
 * or -1 when it was sent again (or none was covered). */
static int64_t side_ack(struct side *s, uint32_t ack, int64_t ts)
{
	int64_t rtt = -1;
	while (s->n) {
		struct unacked *u = &s->q[s->head];
		if (seq_lt(ack, u->end))
			break;
		rtt = u->again ? -1 : ts - u->ts;
		s->head = (s->head + 1) % s->cap;
		s->n--;
	}
	return rtt;
}

static void graph_packet(void *ctx, const struct sess_packet *p)
{
	struct graph_walk *g = ctx;
	const struct pktrec *r = p->r;
	struct sess_graph_pt pt;
	memset(&pt, 0, sizeof pt);
	pt.frame = r->frame;
	pt.t_ns = r->ts_ns - g->first_ts;
	pt.dir = r->dir;
	pt.seq = r->rseq;
	uint32_t seqlen = r->len + ((r->flags & TH_SYN) != 0) + ((r->flags & TH_FIN) != 0);
	pt.end = r->rseq + seqlen;
	pt.has_ack = (r->flags & TH_ACK) != 0;
	pt.ack = r->rack;
	pt.len = r->len;
	pt.win = p->win.scaled;
	pt.wscale = p->win.scale;
	pt.labels = r->labels;
	pt.sack = p->sack;
	pt.rtt_ns = -1;
	if (p->c->proto != 6) {
		/* UDP: time, direction and size only; nothing is in flight or acknowledged */
		pt.end = r->len;
		g->fn(g->ctx, &pt);
		return;
	}
	struct side *me = &g->sd[r->dir & 1], *peer = &g->sd[!(r->dir & 1)];
	if (seqlen) {
		int again = (r->labels & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION) |
					  LB_BIT(LB_SPURIOUS_RETRANSMISSION))) != 0;
		if (!me->sent || seq_lt(me->high, pt.end))
			me->high = pt.end;
		me->sent = 1;
		side_push(me, pt.end, r->ts_ns, again);
	}
	if (pt.has_ack && (!peer->got_ack || seq_lt(peer->acked, pt.ack))) {
		peer->acked = pt.ack;
		peer->got_ack = 1;
		pt.rtt_ns = side_ack(peer, pt.ack, r->ts_ns);
	}
	/* in flight: what this sender sent past what its peer acknowledged */
	/* in flight: what this sender sent past what its peer acknowledged (relative
	 * numbers start at the ISN, 0, before any ACK); a data segment counts up to its
	 * own payload's end, as Wireshark's tcp.analysis.bytes_in_flight (a segment sent
	 * out of order or again is judged where it lies, and a FIN is not a byte) */
	uint32_t upto = r->len ? r->rseq + r->len : me->high;
	uint32_t base = me->got_ack ? me->acked : 0;
	if (me->sent)
		pt.inflight = seq_lt(base, upto) ? upto - base : 0;
	g->fn(g->ctx, &pt);
}

long session_graph(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_graph_pt *pt),
		   void *ctx)
{
	struct graph_walk g;
	memset(&g, 0, sizeof g);
	g.first_ts = c->first_ts;
	g.fn = fn;
	g.ctx = ctx;
	long n = session_walk(s, c, graph_packet, NULL, &g);
	xfree(g.sd[0].q);
	xfree(g.sd[1].q);
	return n;
}
