/* engine.c: see engine.h. */
#include "engine.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../tcp/analysis.h"
#include "../tcp/state.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void engine_init(struct engine *en)
{
	memset(en, 0, sizeof *en);
	conntab_init(&en->ct);
	en->frag = ipfrag_new();
}

int engine_linktype_ok(uint16_t linktype) { return decode_linktype_supported(linktype); }

static void count_other(struct engine *en, const char *name)
{
	if (!name)
		name = "unknown";
	for (size_t i = 0; i < en->n_other_kinds; i++) {
		if (en->other[i].name == name || strcmp(en->other[i].name, name) == 0) {
			en->other[i].n++;
			return;
		}
	}
	if (en->n_other_kinds < ENGINE_MAX_OTHER) {
		en->other[en->n_other_kinds].name = name;
		en->other[en->n_other_kinds].n = 1;
		en->n_other_kinds++;
	}
}

/* Wireshark's relative sequence numbers: a side's base is its SYN's sequence number,
 * or one below the first sequence number seen from it; an ACK seen before the other
 * side sent anything fixes that side's base one below the acknowledged number. */
static void set_bases(struct conn *c, int dir, const struct pkt *pk, int reused)
{
	/* A SYN+ACK with a new initial sequence number on a connection whose side had
	 * started elsewhere (a stray ACK of an old connection on these ports came first):
	 * Wireshark counts that side from the SYN+ACK, so its rseq is 0 and the peer's
	 * ACK of it reads 1; its retransmissions then match the base and are not reused. */
	if (reused && (pk->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		c->base_seq[dir] = pk->seq;
	if (!c->base_set[dir]) {
		c->base_seq[dir] = (pk->flags & TH_SYN) ? pk->seq : pk->seq - 1;
		c->base_set[dir] = 1;
	}
	if ((pk->flags & TH_ACK) && !c->base_set[1 - dir]) {
		c->base_seq[1 - dir] = pk->ack - 1;
		c->base_set[1 - dir] = 1;
	}
}

static void tcp_packet(struct engine *en, struct conn *c, int dir, const struct pkt *pk, struct pktrec *rec,
		       int reused)
{
	if (!c->ta)
		c->ta = tcp_analysis_new(dir, en->keep_analysis_state);
	/* A SYN with a new ISN on a reused tuple is a new connection (its bases start
	 * blank); a SYN+ACK with a new ISN restarts its side's base (set_bases). */
	set_bases(c, dir, pk, reused);
	if ((pk->flags & TH_SYN) && pk->opt.wscale >= 0 && c->wscale[dir] == -1)
		c->wscale[dir] = pk->opt.wscale;
	uint32_t contig_end = 0;
	int contig_known = tcp_analysis_contig_end(c->ta, dir, &contig_end);
	tcp_state_packet(c, &c->trk, dir, pk, rec, contig_known, contig_end);
	tcp_analysis_packet(&c->ta, c, dir, pk, rec, &en->last_ack);
	if (reused) {
		rec->labels |= LB_BIT(LB_REUSED_PORTS);
	}
	if (rec->labels && !c->label_count)
		c->label_count = xcalloc(LB_COUNT, sizeof *c->label_count);
	for (uint32_t m = rec->labels; m; m &= m - 1) /* set bits only: most packets have none */
		c->label_count[__builtin_ctz(m)]++;
	if (rec->labels & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION)))
		c->tags |= TAG_RETRANS;
	if (rec->labels & LB_BIT(LB_ZERO_WINDOW))
		c->tags |= TAG_ZERO_WINDOW;
	if (rec->labels & LB_BIT(LB_DUPLICATE_ACK))
		c->tags |= TAG_DUP_ACK;
	if (rec->labels & LB_BIT(LB_KEEP_ALIVE))
		c->tags |= TAG_KEEPALIVE;
	if (rec->labels & (LB_BIT(LB_LOST_SEGMENT) | LB_BIT(LB_ACK_LOST_SEGMENT)))
		c->tags |= TAG_LOST;
	if (rec->labels & LB_BIT(LB_OUT_OF_ORDER))
		c->tags |= TAG_OOO;
	if (rec->labels & LB_BIT(LB_REUSED_PORTS))
		c->tags |= TAG_REUSED;
	if (rec->events & EV_MIDSTREAM)
		c->tags |= TAG_MIDSTREAM;
}


static int has_ended(const struct conn *c)
{
	int d0 = c->state[0] == TS_CLOSED || c->state[0] == TS_TIME_WAIT;
	int d1 = c->state[1] == TS_CLOSED || c->state[1] == TS_TIME_WAIT;
	return c->close == CLOSE_RST || (d0 && d1);
}

static void note_ended(struct engine *en, struct conn *c, int64_t ts)
{
	if (en->keep_analysis_state || en->evict || c->ended_queued || !c->ta || !has_ended(c))
		return;
	xgrow(&en->ended, &en->cap_ended, en->n_ended + 1, sizeof *en->ended);
	en->ended[en->n_ended].conn = c->idx;
	en->ended[en->n_ended].ts = ts;
	en->n_ended++;
	c->ended_queued = 1;
}

static void release_ended(struct engine *en, int64_t now)
{
	while (en->ended_head < en->n_ended && ts_sub(now, en->ended[en->ended_head].ts) > ENGINE_RELEASE_AFTER_NS) {
		struct conn *c = conntab_conn(&en->ct, en->ended[en->ended_head].conn);
		en->ended_head++;
		c->ended_queued = 0;
		if (ts_sub(now, c->last_ts) > ENGINE_RELEASE_AFTER_NS && has_ended(c)) {
			tcp_analysis_free(c->ta);
			c->ta = NULL;
			en->n_released++;
		} else {
			note_ended(en, c, c->last_ts); /* still talking: look again later */
		}
	}
	/* Compact the queue now and then so it does not grow with the file. */
	if (en->ended_head > 4096 && en->ended_head * 2 > en->n_ended) {
		memmove(en->ended, en->ended + en->ended_head, (en->n_ended - en->ended_head) * sizeof *en->ended);
		en->n_ended -= en->ended_head;
		en->ended_head = 0;
	}
}

void engine_conn_settle(struct conn *c)
{
	if (c->proto != 6)
		return;
	if (c->handshake == HS_INCOMPLETE)
		c->tags |= TAG_HS_INCOMPLETE;
	/* A close that started but did not finish with both FINs acknowledged. */
	const struct tcp_track *t = &c->trk;
	if ((t->fin_sent[0] || t->fin_sent[1]) && !(t->fin_sent[0] && t->fin_sent[1] && t->fin_acked[0] && t->fin_acked[1]))
		c->tags |= TAG_CLOSE_INCOMPLETE;
}

int engine_conn_over(const struct conn *c) { return c->proto == 6 && has_ended(c); }

void engine_end_conn(struct engine *en, struct conn *c)
{
	(void)en;
	engine_conn_settle(c);
}

static void finish_tags(struct engine *en)
{
	for (size_t i = 0; i < en->ct.n; i++)
		engine_conn_settle(conntab_conn(&en->ct, i));
}

/* Live eviction (struct engine.evict). An ended connection lingers as long as the
 * analysis state of one does in a batch session (ENGINE_RELEASE_AFTER_NS: a FIN or ACK
 * repeated after the close, TIME_WAIT of stacks that wait 2 MSL, still belongs to it).
 * One that is quiet without having ended goes after Zeek's inactivity timeouts (5
 * minutes TCP, 1 minute UDP): a later packet of it starts a new connection (a new id,
 * "midstream"). The look is made once a second of capture time, over the open
 * connections only. */
#define ENGINE_EVICT_LINGER_NS ENGINE_RELEASE_AFTER_NS
#define ENGINE_EVICT_IDLE_TCP_NS (300 * TS_NS_PER_SEC)
#define ENGINE_EVICT_IDLE_UDP_NS (60 * TS_NS_PER_SEC)
#define ENGINE_EVICT_SWEEP_NS TS_NS_PER_SEC

static void evict_sweep(struct engine *en, int64_t now)
{
	/* (a clock that went back more than a sweep looks again from now: one packet
	 * stamped in the future must not stop eviction) */
	if (en->next_sweep && now < en->next_sweep && ts_sub(en->next_sweep, now) <= ENGINE_EVICT_SWEEP_NS)
		return;
	en->next_sweep = ts_add(now, ENGINE_EVICT_SWEEP_NS);
	for (size_t i = 0; i < en->ct.n; i++) {
		struct conn *c = conntab_conn(&en->ct, i);
		if (!c->proto)
			continue;
		int64_t quiet = ts_sub(now, c->last_ts ? c->last_ts : c->first_ts);
		int64_t limit = c->proto == 6 ? (has_ended(c) ? ENGINE_EVICT_LINGER_NS : ENGINE_EVICT_IDLE_TCP_NS)
					      : ENGINE_EVICT_IDLE_UDP_NS;
		if (quiet <= limit)
			continue;
		if (en->on_evict)
			en->on_evict(en->evict_ctx, c);
		xfree(c->label_count);
		tcp_analysis_free(c->ta);
		if (c->quoted_only)
			en->n_evicted_quoted++; /* (never listed nor counted as a conversation) */
		else
			en->n_evicted++;
		conntab_free_conn(&en->ct, c);
	}
}

/* An ICMP error quotes a UDP 5-tuple: Wireshark's udp.stream numbers it then, so the
 * conversation is made now (without packets) and later ids agree. */
static void quoted_udp(struct engine *en, const struct pkt *pk)
{
	struct pkt q;
	memset(&q, 0, offsetof(struct pkt, why_buf));
	q.kind = PK_UDP;
	q.src = pk->quote.src;
	q.dst = pk->quote.dst;
	q.sport = pk->quote.sport;
	q.dport = pk->quote.dport;
	int dir, reused;
	size_t before = en->ct.n;
	struct conn *c = conntab_lookup(&en->ct, &q, &dir, &reused);
	if (en->ct.n > before)
		c->quoted_only = 1;
	en->quoted_now = c;
}

/* A UDP datagram that carries a tunnel (VXLAN, Geneve, GTP-U) is a conversation of its
 * own for Wireshark (a udp.stream number and a row of conv,udp), numbered before the
 * one inside it: it is made (or found) here and counts the frame, whose packet record
 * belongs to the innermost connection. */
static void carrier_udp(struct engine *en, const struct pkt *pk, const struct cap_rec *rec, uint32_t frame)
{
	unsigned outer = pk->n_layer > pk->n_inside ? (unsigned)(pk->n_layer - pk->n_inside) : 0u; /* the rest are inside the packet's UDP */
	for (unsigned i = 1; i < outer && i < PKT_LAYER_MAX; i++) {
		const struct pkt_layer *L = &pk->layer[i], *ip = &pk->layer[i - 1];
		if (L->kind != PL_UDP || (ip->kind != PL_IPV4 && ip->kind != PL_IPV6))
			continue;
		struct pkt q;
		memset(&q, 0, offsetof(struct pkt, why_buf));
		q.kind = PK_UDP;
		q.src.family = q.dst.family = ip->kind == PL_IPV4 ? 4 : 6;
		memcpy(q.src.a, ip->a, 16);
		memcpy(q.dst.a, ip->a + 16, 16);
		q.sport = (uint16_t)L->v[0];
		q.dport = (uint16_t)L->v[1];
		int dir, reused;
		struct conn *c = conntab_lookup(&en->ct, &q, &dir, &reused);
		if (c->pkts[0] + c->pkts[1] == 0) {
			c->first_ts = rec->ts_ns;
			c->first_frame = frame;
			c->quoted_only = 0;
		}
		c->carrier = 1;
		c->last_ts = rec->ts_ns;
		c->last_frame = frame;
		c->pkts[dir]++;
		c->bytes[dir] += L->v[2] >= 8 ? L->v[2] - 8 : 0;
		c->wire[dir] += rec->wirelen;
	}
}

/* May content still decide the sides of c? Only while they are a guess from the ports
 * and nothing has been sent yet: before the first payload only the sequence and ACK
 * numbers of each side are known, and those swap with it. */
static int sides_by_content(const struct conn *c, const struct pkt *pk)
{
	if (c->client_guessed != GUESS_TCP_LOWER_PORT && c->client_guessed != GUESS_TCP_SERVICE_PORT)
		return 0;
	return !c->bytes[0] && !c->bytes[1] && !c->trk.syn_seen[0] && !c->trk.syn_seen[1] && !(pk->flags & TH_SYN);
}

/* Asks which side sent this first payload of c and swaps the sides when it is the
 * other; returns the sender's side now. */
static int side_by_content(struct engine *en, struct conn *c, int dir, const struct pkt *pk)
{
	int who = en->side_hint(en->side_ctx, c, dir, pk);
	if (!who)
		return dir;
	c->client_guessed = GUESS_TCP_CONTENT;
	if (who - 1 == dir)
		return dir;
	if (en->sides_swapped)
		en->sides_swapped(en->side_ctx, c);
	conn_swap_sides(c);
	tcp_analysis_swap_sides(c->ta);
	return 1 - dir;
}

int engine_packet(struct engine *en, const struct cap_rec *rec, const char *name, struct pkt *pk, struct conn **cp,
		  struct pktrec *out, struct err *e)
{
	*cp = NULL;
	en->quoted_now = NULL;
	memset(&en->last_ack, 0, sizeof en->last_ack);
	if (!decode_linktype_supported(rec->linktype)) {
		/* A pcapng interface we cannot decode: stop there, as at any damage. */
		err_set(e, EXIT_BADINPUT, (int64_t)rec->off,
			"%s: offset %llu: interface %u has link type %u, which is not supported "
			"(Ethernet, Linux cooked v1/v2, BSD loopback, raw IP, PPP and 802.11 are)",
			name, (unsigned long long)rec->off, rec->ifindex, rec->linktype);
		return -1;
	}
	uint32_t frame = (uint32_t)++en->n_frames;
	if (frame == 1)
		en->first_ts = rec->ts_ns;
	if (rec->ts_ns > en->last_ts || frame == 1)
		en->last_ts = rec->ts_ns;
	if (en->evict)
		evict_sweep(en, rec->ts_ns);
	int kind = decode_packet(rec, frame, pk, en->frag);
	if (pk->truncated)
		en->n_truncated++;
	if (pk->malformed)
		en->n_malformed++;
	if (pk->n_layer)
		carrier_udp(en, pk, rec, frame);
	if (kind == PK_FRAGMENT) {
		en->n_fragments++;
		return kind;
	}
	if (kind == PK_BAD || kind == PK_OTHER) {
		if (kind == PK_BAD)
			en->n_bad++;
		else
			en->n_other++;
		count_other(en, pk->other);
		if (pk->quote.proto == 17)
			quoted_udp(en, pk);
		return kind;
	}
	int dir, reused;
	struct conn *c = conntab_lookup(&en->ct, pk, &dir, &reused);
	if (pk->quote.proto == 17)
		quoted_udp(en, pk); /* an ICMP error inside a UDP tunnel: numbered after the tunnel's datagram */
	int decided = 0;
	if (kind == PK_TCP && pk->caplen && en->side_hint && sides_by_content(c, pk)) {
		dir = side_by_content(en, c, dir, pk);
		decided = c->client_guessed == GUESS_TCP_CONTENT;
	}
	struct pktrec *r = out;
	memset(r, 0, sizeof *r);
	if (decided)
		r->pflags |= PR_SIDES_DECIDED;
	r->off = rec->off;
	r->ts_ns = rec->ts_ns;
	r->frame = frame;
	r->conn = c->idx;
	r->dir = (uint8_t)dir;
	r->len = pk->len;
	if (pk->truncated)
		r->pflags |= PR_TRUNCATED;
	if (pk->malformed)
		r->pflags |= PR_MALFORMED;
	if (pk->reassembled)
		r->pflags |= PR_REASSEMBLED;
	if (c->pkts[0] + c->pkts[1] == 0) {
		c->first_ts = rec->ts_ns;
		c->first_frame = frame;
		c->quoted_only = 0;
	}
	c->last_ts = rec->ts_ns;
	c->last_frame = frame;
	c->pkts[dir]++;
	c->bytes[dir] += pk->len;
	c->wire[dir] += rec->wirelen;
	if (pk->truncated)
		c->tags |= TAG_TRUNCATED;
	if (kind == PK_TCP) {
		en->n_tcp++;
		r->seq = pk->seq;
		r->ack = pk->ack;
		r->flags = pk->flags;
		r->win = pk->win;
		if (!(pk->malformed && pk->tcp_hlen < 20)) {
			tcp_packet(en, c, dir, pk, r, reused);
			note_ended(en, c, rec->ts_ns);
		}
		/* Relative numbers and the window scale now: what a later packet sets must
		 * not change how this one reads. */
		r->rseq = conn_rel(c, dir, pk->seq);
		r->rack = (pk->flags & TH_ACK) ? conn_rel(c, 1 - dir, pk->ack) : 0;
		int ws = c->wscale[dir];
		const struct tcp_track *t = &c->trk;
		if (pk->flags & TH_SYN) {
			/* a SYN's window is never scaled (RFC 7323 section 2.3) */
		} else if (ws >= 0 && ws <= 14 && (c->wscale[1 - dir] >= 0 || (t->iss_known[dir] && !t->iss_known[1 - dir]))) {
			/* both SYNs agreed a scale; or only the sender's SYN was seen, with the
			 * option, and Wireshark takes it as agreed (tcp.window_size) */
			r->pflags |= (uint8_t)((ws + 1) << PR_WSCALE_SHIFT);
		} else if (!(pk->flags & TH_RST) && !((t->iss_known[0] && t->iss_known[1]) || (t->iss_known[0] && c->wscale[0] < 0) ||
						       (t->iss_known[1] && c->wscale[1] < 0))) {
			/* no SYN said there is no scaling (both seen, or one without the
			 * option): the field may well be scaled */
			r->flags |= PR_FLAG_WSCALE_UNKNOWN;
		}
		release_ended(en, rec->ts_ns);
	} else {
		en->n_udp++;
	}
	*cp = c;
	return kind;
}

void engine_end(struct engine *en) { finish_tags(en); }

void engine_fini(struct engine *en)
{
	for (size_t i = 0; i < en->ct.n; i++) {
		struct conn *c = conntab_conn(&en->ct, i);
		xfree(c->label_count);
		tcp_analysis_free(c->ta);
	}
	xfree(en->ended);
	ipfrag_free(en->frag);
	conntab_fini(&en->ct);
	memset(en, 0, sizeof *en);
}
