/* numbers.c: how a view numbers what a packet says besides seq and ack: its SACK
 * blocks, relative as Wireshark shows them and as sent, with the D-SACK named, and its
 * window, scaled when the scale is known. The session works these out once, so every
 * client (terminal, JSON, the web UI) shows the same numbers. */
#include "session_int.h"

/* The base the blocks of a packet from side d are relative to: its peer's, as the
 * packet's own ACK was numbered (so a base restarted by a reused-ports SYN is the one
 * in force at the packet). */
static uint32_t peer_base(const struct conn *c, const struct pktrec *r)
{
	if (r->flags & TH_ACK)
		return r->ack - r->rack;
	return c->base_seq[1 - r->dir];
}

static int before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

void sess_numbers(const struct conn *c, const struct pktrec *r, const struct pkt *pk, struct sess_sacks *sk,
		  struct sess_win *w)
{
	sk->n = 0;
	sk->dsack = 0;
	w->scaled = r->win;
	w->scale = -2;
	if (c->proto != 6)
		return;
	/* decided by the engine at the packet (engine.c): a later SYN must not change how
	 * an earlier window reads, live or from a file */
	int ws = pktrec_wscale(r);
	if (ws >= 0) {
		w->scaled = (uint32_t)r->win << ws;
		w->scale = (int8_t)ws;
	} else if (r->flags & PR_FLAG_WSCALE_UNKNOWN) {
		w->scale = -1;
	}
	if (!pk || pk->kind != PK_TCP)
		return;
	uint32_t base = peer_base(c, r);
	unsigned n = pk->opt.n_sack < TCP_MAX_SACK ? pk->opt.n_sack : TCP_MAX_SACK;
	for (unsigned i = 0; i < n; i++) {
		struct sess_sack *b = &sk->b[i];
		b->le = pk->opt.sack[i][0];
		b->re = pk->opt.sack[i][1];
		b->rle = b->le - base;
		b->rre = b->re - base;
	}
	sk->n = (uint8_t)n;
	/* RFC 2883 section 4: the first block is a D-SACK when it lies below the
	 * cumulative ACK (all of it: a stale block that the ACK covers only in part, as
	 * stacks send while an ACK overtakes them, is not; tshark agrees), or when the
	 * second block contains it. */
	if (n >= 1 && (r->flags & TH_ACK) && !before(r->ack, sk->b[0].re))
		sk->dsack = 1;
	else if (n >= 2 && !before(sk->b[0].le, sk->b[1].le) && !before(sk->b[1].re, sk->b[0].re))
		sk->dsack = 1;
}

uint32_t session_seq_as_sent(const struct conn *c, int side, uint32_t rel) { return rel + c->base_seq[side]; }

uint32_t session_show_seq(const struct session *s, const struct conn *c, int side, uint32_t rel)
{
	return s->o.absolute ? session_seq_as_sent(c, side, rel) : rel;
}

void session_set_absolute(struct session *s, int absolute) { s->o.absolute = absolute != 0; }
