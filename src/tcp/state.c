/* state.c: the RFC 9293 connection state machine (section 3.3.2, figure 5), run for
 * both endpoints from what crosses the wire. A packet is applied as "sent" for its
 * sender and "received" for the other side at the same moment: the capture point
 * sits between them, so a state change that really happens a little later at the
 * receiver is shown at once. A capture that starts mid-connection starts both sides
 * in ESTABLISHED (EV_MIDSTREAM says so). */
#include "state.h"

static const char *const state_names[TS_COUNT] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *tcp_state_name(int st)
{
	return st >= 0 && st < TS_COUNT ? state_names[st] : "?";
}

/* Sequence comparison modulo 2^32 (RFC 9293 section 3.4). */
static int seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

static int open_state(int st)
{
	return st == TS_ESTABLISHED || st == TS_SYN_RCVD;
}

/* The receiver of a FIN processes it (RFC 9293 section 3.10.7.4, eighth step): the
 * state it moves to from st; own_fin_acked says its own FIN was acknowledged. */
static uint8_t fin_processed(uint8_t st, int own_fin_acked)
{
	if (open_state(st))
		return TS_CLOSE_WAIT;
	if (st == TS_FIN_WAIT_1)
		return own_fin_acked ? TS_TIME_WAIT : TS_CLOSING;
	if (st == TS_FIN_WAIT_2)
		return TS_TIME_WAIT;
	return st;
}

/* The receiver had not processed the FIN after all (fin_processed undone). */
static uint8_t fin_unprocessed(uint8_t st)
{
	if (st == TS_CLOSE_WAIT)
		return TS_ESTABLISHED;
	if (st == TS_CLOSING)
		return TS_FIN_WAIT_1;
	if (st == TS_TIME_WAIT)
		return TS_FIN_WAIT_2;
	return st;
}

static int heard(const struct tcp_track *t, int side) { return (t->waves & TRK_FIN_HEARD(side)) != 0; }

void tcp_state_packet(struct conn *c, struct tcp_track *t, int dir, const struct pkt *pk, struct pktrec *rec,
		      int contig_known, uint32_t contig_end)
{
	int peer = 1 - dir;
	uint16_t f = pk->flags;
	uint16_t ev = 0;
	uint8_t *me = &c->state[dir], *other = &c->state[peer];
	int syn = (f & TH_SYN) != 0, ack = (f & TH_ACK) != 0, fin = (f & TH_FIN) != 0, rst = (f & TH_RST) != 0;

	if (!t->started) {
		t->started = 1;
		if (!syn && !rst) {
			/* Joined mid-connection: whatever happened before, data can flow both ways. */
			*me = *other = TS_ESTABLISHED;
			ev |= EV_MIDSTREAM;
		} else if (syn && ack) {
			/* The SYN was not captured: the peer must have sent one. */
			*other = TS_SYN_SENT;
		}
	}

	/* When each side processes the other's FIN. A receiver processes a FIN only in
	 * sequence, once every byte before it has arrived (RFC 9293 section 3.10.7.4); the
	 * capture point shows it arriving then when nothing before it is missing, and the
	 * receiver's packets tell the rest: an ACK that does not cover the FIN was sent
	 * before the FIN was processed (the FINs of a simultaneous close cross: each side
	 * sends its FIN from ESTABLISHED, RFC 9293 figure 13), one that covers it after. */
	if (ack && !rst && t->fin_sent[peer]) {
		int covers = seq_ge(pk->ack, t->fin_seq[peer] + 1);
		if (heard(t, peer) && !covers) {
			t->waves &= (uint8_t)~TRK_FIN_HEARD(peer);
			*me = fin_unprocessed(*me);
		} else if (!heard(t, peer) && covers) {
			t->waves |= (uint8_t)TRK_FIN_HEARD(peer);
			*me = fin_processed(*me, t->fin_acked[dir]);
		}
	}
	/* A segment that follows this side's pending FIN reaches the peer after it (the
	 * path keeps order), so the FIN has arrived, in sequence once nothing before it
	 * is missing: seen before, or filled by this segment. */
	if (!rst && t->fin_sent[dir] && !heard(t, dir) && contig_known &&
	    (seq_ge(contig_end, t->fin_seq[dir]) ||
	     (seq_ge(contig_end, pk->seq) && seq_ge(pk->seq + pk->len, t->fin_seq[dir])))) {
		t->waves |= (uint8_t)TRK_FIN_HEARD(dir);
		*other = fin_processed(*other, t->fin_acked[peer]);
	}

	/* What this segment acknowledges, applied to the receiver first: a FIN+ACK first
	 * completes the peer's close, then starts its own. */
	if (ack && !rst) {
		/* Tentative: if the server sends SYN+ACK again, this ACK did not arrive. */
		if (*other == TS_SYN_RCVD && !syn && (!t->iss_known[peer] || seq_ge(pk->ack, t->iss[peer] + 1))) {
			*other = TS_ESTABLISHED;
			if (!t->hs3_seen && t->synack_seen) {
				t->hs3_seen = 1;
				ev |= EV_HS3;
			}
		}
		if (t->fin_sent[peer] && !t->fin_acked[peer] && seq_ge(pk->ack, t->fin_seq[peer] + 1)) {
			t->fin_acked[peer] = 1;
			if (*other == TS_FIN_WAIT_1)
				*other = TS_FIN_WAIT_2;
			else if (*other == TS_CLOSING)
				*other = TS_TIME_WAIT;
			else if (*other == TS_LAST_ACK)
				*other = TS_CLOSED;
			/* The ACK of the first FIN is the second wave, of the second FIN the fourth. */
			if (!(t->waves & (EV_WAVE2 >> 4)) && c->fin_first_by == peer + 1) {
				t->waves |= EV_WAVE2 >> 4;
				ev |= EV_WAVE2;
			} else if (!(t->waves & (EV_WAVE4 >> 4)) && c->fin_first_by == dir + 1) {
				t->waves |= EV_WAVE4 >> 4;
				ev |= EV_WAVE4;
			}
		}
	}

	if (rst) {
		ev |= EV_RST;
		if (*other == TS_SYN_SENT && (!t->iss_known[peer] || pk->ack == t->iss[peer] + 1 || !ack))
			ev |= EV_RST_REFUSED;
		else if (t->synack_seen && dir == 1 && (t->hs3_lost || !t->confirmed[dir]))
			ev |= EV_RST_HALFOPEN;
		*me = TS_CLOSED;
		*other = TS_CLOSED;
		c->close = CLOSE_RST;
		if (!c->rst_by)
			c->rst_by = (uint8_t)(dir + 1);
		c->tags |= TAG_RST;
		if (ev & EV_RST_REFUSED)
			c->tags |= TAG_REFUSED;
	} else if (syn) {
		if (!ack && c->close == CLOSE_RST) {
			/* a new attempt after a reset, on the same ports (Wireshark keeps the
			 * tcp.stream): how it ends is told by what follows, the reset stays a fact */
			c->close = CLOSE_NONE;
			c->reset_then_syn = 1;
		}
		if (!ack) {
			if (t->syn_seen[dir] && t->iss_known[dir] && pk->seq == t->iss[dir])
				ev |= EV_HS_RETX;
			else
				ev |= EV_HS1;
			t->syn_seen[dir] = 1;
			t->iss[dir] = pk->seq;
			t->iss_known[dir] = 1;
			if (*other == TS_SYN_SENT && t->syn_seen[peer]) {
				ev |= EV_SIMOPEN;
				*other = TS_SYN_RCVD;
				*me = TS_SYN_RCVD;
			} else if (*me != TS_SYN_RCVD) {
				*me = TS_SYN_SENT;
			}
			if (*other == TS_LISTEN || *other == TS_CLOSED)
				*other = TS_LISTEN; /* it will answer from LISTEN: shown when it does */
		} else {
			if (t->synack_seen && t->iss_known[dir] && pk->seq == t->iss[dir]) {
				ev |= EV_HS_RETX;
				t->synack_repeated = 1;
				if (t->hs3_seen && dir == 1 && !t->confirmed[dir]) {
					/* SYN+ACK again after the client's ACK: that ACK never arrived, the
					 * server is still in SYN_RCVD. */
					t->hs3_lost = 1;
					*me = TS_SYN_RCVD;
				}
			}
			else if (!(ev & EV_SIMOPEN))
				ev |= EV_HS2;
			t->synack_seen = 1;
			t->iss[dir] = pk->seq;
			t->iss_known[dir] = 1;
			if (*me == TS_SYN_SENT && t->syn_seen[dir]) {
				/* Simultaneous open: answering the crossing SYN. */
				*me = TS_SYN_RCVD;
			} else if (*me != TS_ESTABLISHED || t->hs3_lost) {
				*me = TS_SYN_RCVD;
			}
			if (*other == TS_SYN_SENT && (!t->iss_known[peer] || pk->ack == t->iss[peer] + 1)) {
				*other = TS_ESTABLISHED;
			}
		}
	} else if (*me == TS_SYN_SENT && ack) {
		/* An ACK from SYN_SENT means the SYN+ACK arrived (maybe not captured). */
		*me = TS_ESTABLISHED;
		if (!t->hs3_seen) {
			t->hs3_seen = 1;
			ev |= EV_HS3;
		}
	} else if ((*me == TS_ESTABLISHED) && ack && !t->hs3_seen && t->synack_seen && dir == 0 &&
		   t->syn_seen[0] && !(ev & EV_HS3)) {
		/* The client's first ACK after the SYN+ACK: the third handshake, even when the
		 * server's state did not change because its SYN+ACK was not acknowledged yet. */
		t->hs3_seen = 1;
		ev |= EV_HS3;
	}

	if (fin && !rst) {
		uint32_t fseq = pk->seq + pk->len + (syn ? 1 : 0);
		if (t->fin_sent[dir] && fseq == t->fin_seq[dir]) {
			ev |= EV_FIN_RETX;
		} else {
			t->fin_sent[dir] = 1;
			t->fin_seq[dir] = fseq;
			if (!c->fin_first_by) {
				c->fin_first_by = (uint8_t)(dir + 1);
				t->waves |= EV_WAVE1 >> 4;
				ev |= EV_WAVE1;
			} else if (c->fin_first_by == peer + 1) {
				t->waves |= EV_WAVE3 >> 4;
				ev |= EV_WAVE3;
				if (!t->fin_acked[peer])
					ev |= EV_SIMCLOSE;
			}
		}
		/* A FIN that crosses the peer's (EV_SIMCLOSE) leaves from ESTABLISHED too: the
		 * sender had not processed the peer's FIN (its ACK does not cover it, undone
		 * above), and moves to CLOSING when it does. */
		if (open_state(*me) || *me == TS_SYN_SENT)
			*me = TS_FIN_WAIT_1;
		else if (*me == TS_CLOSE_WAIT)
			*me = TS_LAST_ACK;
		/* The receiver processes the FIN now when nothing before it is missing;
		 * otherwise when the capture shows that it did (above). */
		if (!heard(t, dir) && (!contig_known || seq_ge(contig_end, pk->seq))) {
			t->waves |= (uint8_t)TRK_FIN_HEARD(dir);
			*other = fin_processed(*other, t->fin_acked[peer]);
		}
		if (ev & EV_SIMCLOSE)
			c->tags |= TAG_SIMCLOSE;
	}

	if (dir == 0 && t->synack_repeated && !syn && !rst && !fin && ack && pk->len == 0 && t->hs3_seen &&
	    !(ev & EV_HS3) && t->iss_known[1] && pk->ack == t->iss[1] + 1)
		ev |= EV_HS3_RETX;
	if (dir == 0)
		t->synack_repeated = 0;

	/* A side proves it is past the handshake by sending anything but a SYN. */
	if (!syn && !rst && *me != TS_SYN_RCVD && *me != TS_SYN_SENT)
		t->confirmed[dir] = 1;

	/* Summaries for the connection list. */
	if (t->syn_seen[0] || t->syn_seen[1] || t->synack_seen)
		c->handshake = (t->syn_seen[0] || t->syn_seen[1]) && t->synack_seen && t->hs3_seen ? HS_COMPLETE
												      : HS_INCOMPLETE;
	if (c->close != CLOSE_RST) {
		if (t->fin_sent[0] && t->fin_sent[1])
			c->close = CLOSE_FIN;
		else if (t->fin_sent[0] || t->fin_sent[1])
			c->close = CLOSE_HALF;
	}
	rec->events = ev;
	rec->state = *me;
	rec->peer_state = *other;
}
