/* notes.c: see notes.h. The wording follows the way TCP is taught (handshakes and
 * "waves" of the close), with Wireshark's analysis terms for the rest. */
#include "notes.h"

#include "../base/ts.h"
#include "../model/labels.h"
#include "../out/fmt.h"

#include <inttypes.h>

static const char *side(const struct conn *c, int dir)
{
	(void)c;
	return dir == 0 ? "client" : "server";
}

static void sep(struct strbuf *b, size_t start)
{
	if (b->len > start)
		sb_puts(b, "; ");
}

static void rst_note(const struct conn *c, const struct pktrec *r, struct strbuf *b)
{
	if (r->events & EV_RST_REFUSED)
		sb_printf(b, "reset (RST): connection refused, nothing listens on port %u", c->ep[r->dir].port);
	else if (r->events & EV_RST_HALFOPEN)
		sb_puts(b, "RST: the server never finished the handshake (it never got the third handshake)");
	else
		sb_printf(b, "reset (RST): the %s aborts the connection", side(c, r->dir));
}

void note_begin(struct note_ctx *n, int absolute)
{
	n->absolute = (uint8_t)(absolute != 0);
	n->high_ack[0] = n->high_ack[1] = 0;
	n->ack_known[0] = n->ack_known[1] = 0;
	for (int i = 0; i < 5; i++) {
		n->sent_n[i] = 0;
		n->sent_first_ts[i] = 0;
	}
	n->zero_win[0] = n->zero_win[1] = 0;
	n->zw_probe_now = 0;
	n->high_ack_frame[0] = n->high_ack_frame[1] = 0;
	n->recent_next[0] = n->recent_next[1] = 0;
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < NOTE_RECENT; i++)
			n->recent[d][i].end = n->recent[d][i].rseq = n->recent[d][i].frame = 0;
}

/* A sequence number of r's sender given relative, as the view numbers it. */
static uint32_t own_seq(const struct note_ctx *n, const struct pktrec *r, uint32_t rel)
{
	return n->absolute ? rel + (r->seq - r->rseq) : rel;
}

/* A sequence number of r's receiver given relative (r->rack's numbering), as the view
 * numbers it; r carries an ACK. */
static uint32_t peer_seq(const struct note_ctx *n, const struct pktrec *r, uint32_t rel)
{
	return n->absolute ? rel + (r->ack - r->rack) : rel;
}

/* The frame that first carried byte rseq of side d, among the recent segments; 0 if none. */
static uint32_t first_carrier(const struct note_ctx *n, int d, uint32_t rseq)
{
	uint32_t best = 0;
	for (int i = 0; i < NOTE_RECENT; i++) {
		if (n->recent[d][i].frame && (int32_t)(rseq - n->recent[d][i].rseq) >= 0 && (int32_t)(rseq - n->recent[d][i].end) < 0
		    && (!best || n->recent[d][i].frame < best))
			best = n->recent[d][i].frame;
	}
	return best;
}

void note_swap_sides(struct note_ctx *n)
{
	struct note_ctx o = *n;
	for (int d = 0; d < 2; d++) {
		n->high_ack[d] = o.high_ack[1 - d];
		n->high_rack[d] = o.high_rack[1 - d];
		n->ack_known[d] = o.ack_known[1 - d];
	}
	/* [3] the client's FIN, [4] the server's; the handshake's entries stay empty, as
	 * sides are swapped only for connections seen without a SYN */
	n->sent_n[3] = o.sent_n[4];
	n->sent_n[4] = o.sent_n[3];
	n->sent_first_ts[3] = o.sent_first_ts[4];
	n->sent_first_ts[4] = o.sent_first_ts[3];
}

/* Counts one more send of handshake/teardown packet kind k; returns the count. */
static uint32_t count_send(struct note_ctx *n, int k, int64_t ts)
{
	if (!n->sent_n[k]++)
		n->sent_first_ts[k] = ts;
	return n->sent_n[k];
}

static void ordinal(struct strbuf *b, uint32_t n)
{
	const char *suf = "th";
	if (n % 100 < 11 || n % 100 > 13)
		suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	sb_printf(b, "%u%s", n, suf);
}

/* "retransmitted second handshake (SYN+ACK), 3rd time, 4.0 s after the first" */
static void resent_note(struct strbuf *b, const char *what, uint32_t n, int64_t since_ns)
{
	sb_printf(b, "retransmitted %s, ", what);
	ordinal(b, n);
	sb_puts(b, " time, ");
	fmt_duration(b, since_ns);
	sb_puts(b, " after the first");
}

void note_text(struct note_ctx *n, const struct conn *c, const struct pktrec *r, struct strbuf *b)
{
	size_t start = b->len;
	int d = r->dir;
	if (c->proto != 6) {
		sb_printf(b, "%s sends a datagram, %u bytes", side(c, d), r->len);
		return;
	}
	uint16_t ev = r->events, f = r->flags;
	uint32_t L = r->labels;
	uint32_t rseq = r->rseq;
	uint32_t rack = r->rack;

	if (ev & EV_MIDSTREAM) {
		sb_puts(b, "capture starts mid-connection: both sides taken as ESTABLISHED");
		/* A live view says the ports' guess here when the first payload comes later
		 * (then that packet says what it decided); a view of the whole file knows. */
		const char *why = conn_guess_why(c);
		if (why) {
			sb_puts(b, " (");
			sb_puts(b, why);
			sb_putc(b, ')');
		}
	} else if (r->pflags & PR_SIDES_DECIDED) {
		sb_puts(b, r->dir == 0 ? "client and server known from here: these bytes read as a request"
				       : "client and server known from here: these bytes read as the server's answer");
	}
	/* The story of the connection first: handshakes, waves, resets. */
	if (ev & EV_RST) {
		sep(b, start);
		rst_note(c, r, b);
	}
	if (ev & EV_SIMOPEN) {
		sep(b, start);
		sb_puts(b, "simultaneous open: both sides sent a SYN");
	}
	if (ev & EV_HS1) {
		sep(b, start);
		sb_puts(b, "Establish connection: first handshake (SYN)");
	}
	if (ev & EV_HS2) {
		sep(b, start);
		sb_puts(b, "second handshake (SYN+ACK)");
	}
	/* ECN (RFC 3168 6.1): the SYN's ECE+CWR ask for it, a SYN+ACK's ECE alone agrees;
	 * afterwards ECE echoes a congestion mark the sender of the ACK received, and CWR
	 * answers it. The CE mark itself is in the IP header (shown by 'packet N'). */
	if ((f & TH_SYN) && !(f & TH_RST) && (f & TH_ECE)) {
		sep(b, start);
		if (!(f & TH_ACK))
			sb_puts(b, (f & TH_CWR) ? "asks for ECN (ECE+CWR)" : "ECE without CWR: not a valid ECN request");
		else
			sb_puts(b, (f & TH_CWR) ? "ECE+CWR in a SYN+ACK: not a valid ECN answer" : "agrees to ECN (ECE)");
	} else if (!(f & (TH_SYN | TH_RST)) && (f & (TH_ECE | TH_CWR))) {
		if (f & TH_CWR) {
			sep(b, start);
			sb_printf(b, "CWR: the %s slowed down in answer to the ECN echo", side(c, d));
		}
		if (f & TH_ECE) {
			sep(b, start);
			sb_printf(b, "ECE: echoes a congestion mark (CE) on the %s's data, until it answers CWR",
				  side(c, 1 - d));
		}
	}
	/* Sends of each handshake/teardown packet, counted for the retransmission notes. */
	uint32_t n_syn = 0, n_hs3 = 0, n_fin = 0;
	int k_syn = (f & TH_ACK) ? 1 : 0, k_fin = 3 + d;
	if ((f & TH_SYN) && !(f & TH_RST))
		n_syn = count_send(n, k_syn, r->ts_ns);
	if (ev & (EV_HS3 | EV_HS3_RETX))
		n_hs3 = count_send(n, 2, r->ts_ns);
	if ((f & TH_FIN) && !(f & TH_RST))
		n_fin = count_send(n, k_fin, r->ts_ns);
	if (ev & EV_HS_RETX) {
		sep(b, start);
		resent_note(b, k_syn ? "second handshake (SYN+ACK)" : "first handshake (SYN)", n_syn,
			    ts_sub(r->ts_ns, n->sent_first_ts[k_syn]));
		if (r->ref_frame)
			sb_printf(b, " (frame %" PRIu32 ")", r->ref_frame);
	}
	if (ev & EV_HS3_RETX) {
		sep(b, start);
		/* A pure ACK is not retransmitted (it uses no sequence space): "sent again". */
		sb_puts(b, "third handshake (ACK) sent again, ");
		ordinal(b, n_hs3);
		sb_puts(b, " time, answering the repeated SYN+ACK");
	}
	if (ev & EV_HS3) {
		sep(b, start);
		sb_puts(b, r->len ? "third handshake (ACK), carrying data" : "third handshake (ACK)");
	}
	if ((ev & EV_WAVE2) && (ev & EV_WAVE3)) {
		sep(b, start);
		sb_puts(b, "second and third wave in one packet (FIN+ACK)");
	} else {
		if (ev & EV_WAVE1) {
			sep(b, start);
			sb_printf(b, "first wave (FIN): the %s has no more data to send", side(c, d));
		}
		if ((ev & EV_WAVE2) && (c->tags & TAG_SIMCLOSE)) {
			sep(b, start);
			sb_printf(b, "acknowledges the %s's FIN (simultaneous close)", side(c, 1 - d));
		} else if (ev & EV_WAVE2) {
			sep(b, start);
			sb_puts(b, "second wave (ACK of the FIN)");
		}
		if (ev & EV_WAVE3) {
			sep(b, start);
			sb_puts(b, (ev & EV_SIMCLOSE) ? "FIN crosses the peer's FIN (simultaneous close)" : "third wave (FIN)");
		}
	}
	if ((ev & EV_WAVE4) && (c->tags & TAG_SIMCLOSE)) {
		sep(b, start);
		sb_printf(b, "acknowledges the %s's FIN (simultaneous close)", side(c, 1 - d));
	} else if (ev & EV_WAVE4) {
		sep(b, start);
		sb_puts(b, "fourth wave (ACK of the last FIN)");
	}
	if (ev & EV_FIN_RETX) {
		sep(b, start);
		resent_note(b, "FIN", n_fin, ts_sub(r->ts_ns, n->sent_first_ts[k_fin]));
		if (r->ref_frame)
			sb_printf(b, " (frame %" PRIu32 ")", r->ref_frame);
	}

	/* Analysis labels that change what the data means. */
	int retx = (L & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION) | LB_BIT(LB_SPURIOUS_RETRANSMISSION))) != 0;
	n->zw_probe_now = 0;
	if ((L & LB_BIT(LB_KEEP_ALIVE)) && n->zero_win[1 - d]) {
		/* the peer's window is closed: this is the persist timer, not keep-alive */
		n->zw_probe_now = 1;
		sep(b, start);
		sb_printf(b, "zero-window probe (seq %" PRIu32 ", one below the next byte, Linux's way): the %s's window is 0, "
			     "has it opened yet?", own_seq(n, r, rseq), side(c, 1 - d));
	} else if (L & LB_BIT(LB_KEEP_ALIVE)) {
		sep(b, start);
		sb_printf(b, "keep-alive: seq %" PRIu32 " is one below the next expected byte, asking \"are you still there?\"",
			  own_seq(n, r, rseq));
	} else if (L & LB_BIT(LB_ZERO_WINDOW_PROBE)) {
		sep(b, start);
		sb_printf(b, "zero-window probe (%u byte%s): is the window still closed?", r->len, r->len == 1 ? "" : "s");
	} else if (retx && !(ev & (EV_HS_RETX | EV_FIN_RETX))) {
		sep(b, start);
		if (L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))
			sb_puts(b, "spurious retransmission");
		else if (L & LB_BIT(LB_FAST_RETRANSMISSION))
			sb_puts(b, "fast retransmission");
		else
			sb_puts(b, "retransmission");
		if (r->len)
			sb_printf(b, " of seq %" PRIu32 ":%" PRIu32, own_seq(n, r, rseq), own_seq(n, r, rseq + r->len));
		uint32_t orig = r->ref_frame ? r->ref_frame : (r->len ? first_carrier(n, d, rseq) : 0);
		if (orig)
			sb_printf(b, " (first sent in frame %" PRIu32 ")", orig);
		if ((L & LB_BIT(LB_SPURIOUS_RETRANSMISSION)) && r->len) {
			sb_printf(b, ": the %s had already acknowledged these bytes", side(c, 1 - d));
			if (n->high_ack_frame[1 - d])
				sb_printf(b, " (frame %" PRIu32 ")", n->high_ack_frame[1 - d]);
			sb_puts(b, ", so this copy was not needed");
		} else if (!orig && r->len && !(r->flags & TH_SYN))
			sb_puts(b, " (Wireshark's word: these bytes were never seen before here, so they were lost "
				   "before the capture point or arrive late, out of order)");
	} else if (r->len && !(ev & EV_HS3)) {
		sep(b, start);
		sb_printf(b, "send data, %u byte%s", r->len, r->len == 1 ? "" : "s");
		if (r->pflags & PR_TRUNCATED)
			sb_puts(b, " (cut by the snap length)");
	} else if (r->len && (ev & EV_HS3)) {
		sb_printf(b, ": %u bytes", r->len);
	}
	if (L & LB_BIT(LB_OUT_OF_ORDER)) {
		sep(b, start);
		sb_puts(b, "out of order: arrives after a later segment");
	}
	if (L & LB_BIT(LB_LOST_SEGMENT)) {
		sep(b, start);
		sb_puts(b, "previous segment not captured (lost, or missed by the capture)");
	}

	/* What it acknowledges. */
	if ((f & TH_ACK) && !(f & TH_RST)) {
		int newack = !n->ack_known[d] || (int32_t)(r->ack - n->high_ack[d]) > 0;
		if (L & LB_BIT(LB_DUPLICATE_ACK)) {
			sep(b, start);
			sb_printf(b, "duplicate ACK #%u", r->dup_num);
			if (r->ref_frame)
				sb_printf(b, " of frame %" PRIu32, r->ref_frame);
			sb_printf(b, ": still waiting for seq %" PRIu32, peer_seq(n, r, rack));
		} else if (newack && n->ack_known[d] && !(ev & (EV_WAVE2 | EV_WAVE4 | EV_HS3)) && !(L & LB_BIT(LB_KEEP_ALIVE_ACK))) {
			sep(b, start);
			sb_printf(b, "acknowledge seq %" PRIu32 "..%" PRIu32, n->absolute ? n->high_ack[d] : n->high_rack[d],
				  peer_seq(n, r, rack));
		} else if (newack && !n->ack_known[d] && !(ev & (EV_HS2 | EV_HS3 | EV_WAVE2 | EV_WAVE4 | EV_RST)) && !(ev & EV_MIDSTREAM) && rack > 1) {
			sep(b, start);
			sb_printf(b, "acknowledge seq %" PRIu32 "..%" PRIu32, peer_seq(n, r, 1), peer_seq(n, r, rack));
		}
		if ((L & LB_BIT(LB_KEEP_ALIVE_ACK)) && r->win == 0) {
			n->zw_probe_now = 1;
			sep(b, start);
			sb_puts(b, "answer to a zero-window probe: window still closed");
		} else if (L & LB_BIT(LB_KEEP_ALIVE_ACK)) {
			sep(b, start);
			sb_puts(b, "keep-alive ACK: yes, still here");
		}
		if (L & LB_BIT(LB_ZERO_WINDOW_PROBE_ACK)) {
			sep(b, start);
			sb_puts(b, "answer to a zero-window probe: window still closed");
		}
		if (L & LB_BIT(LB_ACK_LOST_SEGMENT)) {
			sep(b, start);
			sb_puts(b, "acknowledges a segment that was not captured");
		}
		if (newack) {
			n->high_ack[d] = r->ack;
			n->high_rack[d] = rack;
			n->ack_known[d] = 1;
			n->high_ack_frame[d] = r->frame;
		}
	}
	if (L & LB_BIT(LB_ZERO_WINDOW)) {
		sep(b, start);
		sb_printf(b, "zero window: the %s's receive buffer is full, the peer must stop sending", side(c, d));
	}
	if (L & LB_BIT(LB_WINDOW_FULL)) {
		sep(b, start);
		sb_puts(b, "window full: this fills the receiver's advertised window");
	}
	if (L & LB_BIT(LB_WINDOW_UPDATE)) {
		sep(b, start);
		sb_puts(b, "window update: the receiver has room again");
	}
	if (L & LB_BIT(LB_REUSED_PORTS)) {
		sep(b, start);
		sb_puts(b, "ports reused: a new connection on the 4-tuple of an earlier one");
	}
	if (!(f & (TH_SYN | TH_RST)))
		n->zero_win[d] = r->win == 0;
	if (r->len && !(L & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_ZERO_WINDOW_PROBE)))) {
		uint8_t i = n->recent_next[d];
		n->recent[d][i].rseq = rseq;
		n->recent[d][i].end = rseq + r->len;
		n->recent[d][i].frame = r->frame;
		n->recent_next[d] = (uint8_t)((i + 1) % NOTE_RECENT);
	}
	if (b->len == start) {
		if ((f & TH_ACK) && !r->len)
			sb_puts(b, "ACK, nothing new to acknowledge");
		else
			sb_puts(b, "segment");
	}
}

void note_sack(const struct note_ctx *n, const struct pktrec *r, const struct sess_sacks *sk, struct strbuf *b)
{
	if (!sk->n || !sk->dsack)
		return;
	const struct sess_sack *x = &sk->b[0];
	if (b->len)
		sb_puts(b, "; ");
	sb_printf(b, "D-SACK %" PRIu32 ":%" PRIu32 ": the %s got these bytes twice", n && n->absolute ? x->le : x->rle,
		  n && n->absolute ? x->re : x->rre, r->dir == 0 ? "client" : "server");
}

void note_sack_commentary(const struct sess_sacks *sk, struct strbuf *b)
{
	if (!sk->n || !sk->dsack)
		return;
	sb_printf(b, "%sA D-SACK (RFC 2883): the first SACK block reports bytes this side received twice, below what "
		     "it already acknowledged. It tells the sender that a retransmission was not needed (the original "
		     "was only late, or its ACK was lost), so the sender can undo the congestion-window cut it made "
		     "for a loss that did not happen (Linux does).", b->len ? " " : "");
}

/* One beginner's explanation per analysis label on r (ev: handshake retransmissions
 * are explained with the handshake). */
static void label_commentary(const struct note_ctx *n, const struct pktrec *r, struct strbuf *b)
{
	uint32_t L = r->labels;
	const char *sp = b->len ? " " : "";
#define SAY(...) do { sb_printf(b, __VA_ARGS__); sp = " "; } while (0)
	int zwp = (n && n->zw_probe_now) || (L & (LB_BIT(LB_ZERO_WINDOW_PROBE) | LB_BIT(LB_ZERO_WINDOW_PROBE_ACK)));
	if (!(r->events & (EV_HS_RETX | EV_FIN_RETX))) {
		if (L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))
			SAY("%sA spurious retransmission: the receiver had already acknowledged these bytes, so this copy "
			    "was not needed. The sender's timer fired too early (the round trip grew), or it took segments "
			    "that were only late (reordered) for lost ones.", sp);
		else if (L & LB_BIT(LB_FAST_RETRANSMISSION))
			SAY("%sA fast retransmission: duplicate ACKs told the sender that later segments arrived while this "
			    "one did not, so after the third one it resends it at once (RFC 5681) instead of waiting for its "
			    "retransmission timer. A loss, repaired within about one round trip.", sp);
		else if (L & LB_BIT(LB_RETRANSMISSION))
			SAY("%sA retransmission: bytes sent again. Usually the sender's retransmission timer (RTO: at least "
			    "200 ms on Linux, doubled after each try, RFC 6298) ran out before an ACK came, so it repeats the "
			    "oldest unacknowledged data. If the capture never saw the original, it was lost before the capture "
			    "point or is only late.", sp);
	}
	if (L & LB_BIT(LB_OUT_OF_ORDER))
		SAY("%sOut of order: this segment comes after one with a higher sequence number; it was overtaken on the "
		    "way. The receiver keeps the later bytes and puts them back in order before its application reads.", sp);
	if (L & LB_BIT(LB_LOST_SEGMENT))
		SAY("%sThe sequence number jumps: bytes before this segment were not seen here. Either the network lost them "
		    "(duplicate ACKs and a retransmission follow) or the capture missed them.", sp);
	if (L & LB_BIT(LB_ACK_LOST_SEGMENT))
		SAY("%sThis ACK covers bytes the capture never saw: the receiver got them, so it is the capture point that "
		    "missed them, not the network.", sp);
	if (L & LB_BIT(LB_DUPLICATE_ACK)) {
		if (r->dup_num == 3)
			SAY("%sThe third duplicate ACK. Each duplicate repeats \"I still wait for seq %u\" because a later segment "
			    "arrived instead; three of them are the signal (RFC 5681) for the sender to take the missing segment "
			    "as lost and resend it at once: a fast retransmission should follow.", sp, peer_seq(n, r, r->rack));
		else if (r->dup_num > 3)
			SAY("%sAnother duplicate ACK while the hole at seq %u is still open: each one also tells the sender that "
			    "one more segment has left the network, so during fast recovery it may send new data.", sp, peer_seq(n, r, r->rack));
		else
			SAY("%sA duplicate ACK: a segment arrived, but not the one the receiver waits for (seq %u), so it repeats "
			    "its last ACK. One or two can be reordering; at three the sender resends.", sp, peer_seq(n, r, r->rack));
	}
	if (zwp && (L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_ZERO_WINDOW_PROBE))))
		SAY("%sA zero-window probe: the receiver's window is closed, so the sender's persist timer asks from time to "
		    "time whether it has opened, with one byte or (Linux) with the sequence number one below the next byte. "
		    "It looks like a keep-alive but is sent because the window is 0, at growing intervals like a "
		    "retransmission timer.", sp);
	else if (L & LB_BIT(LB_KEEP_ALIVE))
		SAY("%sA keep-alive: after a long silence the sender's keep-alive timer sends a segment one below the next "
		    "byte, with no new data. The peer must answer with an ACK; when several probes go unanswered the "
		    "connection is declared dead. It finds peers that vanished (crashed, rebooted, a NAT that forgot the "
		    "connection).", sp);
	if (zwp && (L & (LB_BIT(LB_KEEP_ALIVE_ACK) | LB_BIT(LB_ZERO_WINDOW_PROBE_ACK))))
		SAY("%sThe answer to a zero-window probe: the window is still 0, the receiving application has not read yet.", sp);
	else if (L & LB_BIT(LB_KEEP_ALIVE_ACK))
		SAY("%sThe answer to a keep-alive: a plain ACK of the next expected byte, meaning \"still here\".", sp);
	if (L & LB_BIT(LB_ZERO_WINDOW))
		SAY("%sA zero window: this side's receive buffer is full because its application has not read the data yet. "
		    "The peer must stop sending and probes until the window opens again.", sp);
	if (L & LB_BIT(LB_WINDOW_FULL))
		SAY("%sThis segment fills the receiver's advertised window: the sender may not send more until an ACK makes "
		    "room. When it happens again and again, the receiver's buffer limits the speed, not the network.", sp);
	if (L & LB_BIT(LB_WINDOW_UPDATE))
		SAY("%sA window update: nothing new is sent or acknowledged, only the window grows: the receiving "
		    "application read data, and there is room again.", sp);
	if (L & LB_BIT(LB_REUSED_PORTS))
		SAY("%sA new SYN on the same addresses and ports as an earlier connection: the port pair is reused (after "
		    "TIME_WAIT, or a client that picked the same port again).", sp);
#undef SAY
}

void note_commentary(const struct note_ctx *n, const struct conn *c, const struct pktrec *r, struct strbuf *b)
{
	uint16_t ev = r->events;
	const char *who = r->dir == 0 ? "The client" : "The server";
	if (c->proto != 6) {
		sb_puts(b, "UDP has no connection, no sequence numbers and no acknowledgments: each datagram stands "
			   "alone, and the application must notice and repeat what is lost.");
		return;
	}
	if (ev & EV_HS1)
		sb_printf(b, "%s picks a random initial sequence number (ISN) and sends it in a SYN. The ACK field is "
			     "0 because nothing has been received yet to acknowledge. The SYN itself uses up one sequence "
			     "number, so the first data byte will be ISN+1 (relative seq 1). Options offered here (MSS, "
			     "window scale, SACK, timestamps) only take effect if the other side offers them too.",
			  who);
	else if (ev & EV_HS2)
		sb_puts(b, "The server accepts: its SYN carries its own ISN, and its ACK (client ISN + 1) says \"I got "
			   "your SYN\". One packet does two jobs, which is why the handshake needs three packets, not four.");
	else if (ev & EV_HS3)
		sb_puts(b, "The client acknowledges the server's SYN (server ISN + 1). Now both sides know that both "
			   "directions work and which sequence numbers the other side starts from: the connection is "
			   "ESTABLISHED. Without this third packet the server cannot know its SYN+ACK arrived.");
	else if (ev & EV_HS_RETX)
		sb_puts(b, "A handshake packet sent again: the sender got no answer in time (its retransmission timer "
			   "fired), so it repeats the packet with the same sequence number, waiting about twice as long "
			   "each time.");
	if (ev & EV_WAVE1)
		sb_printf(b, "%s%s is done sending and says so with a FIN. The FIN uses one sequence number, like a "
			     "byte of data, so it can be acknowledged. It can still receive data: the other direction "
			     "stays open until the peer sends its own FIN.",
			  b->len ? " " : "", who);
	if ((ev & EV_WAVE2) && (ev & EV_WAVE3))
		sb_printf(b, "%sThe peer had nothing more to send, so it acknowledges the FIN and sends its own FIN in "
			     "the same packet: the second and third waves travel together and the close takes three "
			     "packets instead of four.",
			  b->len ? " " : "");
	else if (ev & EV_WAVE2)
		sb_printf(b, "%sThe FIN is acknowledged. This side may still send data before it closes its own "
			     "direction (half-close).",
			  b->len ? " " : "");
	else if (ev & EV_WAVE3)
		sb_printf(b, "%sNow this side is done sending too, and sends its own FIN.", b->len ? " " : "");
	if (ev & EV_WAVE4)
		sb_printf(b, "%sThe last FIN is acknowledged. The side that closed first waits in TIME_WAIT (twice the "
			     "maximum segment lifetime) so that a lost final ACK can be repeated and old packets die out.",
			  b->len ? " " : "");
	if (ev & EV_RST)
		sb_printf(b, "%sA RST ends the connection at once, without the FIN exchange: no acknowledgment is "
			     "expected, and data still in flight is thrown away.",
			  b->len ? " " : "");
	if (ev & EV_MIDSTREAM)
		sb_printf(b, "%sThe capture began after the handshake, so the initial sequence numbers are unknown; "
			     "relative numbers count from this packet.",
			  b->len ? " " : "");
	label_commentary(n, r, b);
	if (!b->len && r->len)
		sb_printf(b, "%s sends %u bytes. Seq is the number of the first byte; the next byte will be seq + %u. "
			     "The window (%u, before scaling) says how many more bytes the sender of this packet can "
			     "receive.",
			  who, r->len, r->len, r->win);
	else if (!b->len && (r->flags & TH_ACK))
		sb_printf(b, "A pure acknowledgment: ack is the next byte %s expects, so everything before it has "
			     "arrived. TCP acknowledges cumulatively.",
			  r->dir == 0 ? "the client" : "the server");
}

enum {
	NK_DATAGRAM, NK_REFUSED, NK_RST, NK_MIDSTREAM, NK_SYN, NK_SYNACK, NK_HS3, NK_HS_RETX, NK_FIN, NK_FIN_RETX,
	NK_KEEPALIVE, NK_ZERO_WINDOW_PROBE, NK_SPURIOUS_RETX, NK_FAST_RETX, NK_RETX, NK_OUT_OF_ORDER, NK_LOST,
	NK_DUP_ACK, NK_ZERO_WINDOW, NK_WINDOW_FULL, NK_REUSED, NK_DATA, NK_ACK, NK_COUNT
};

const struct app_event note_kinds[NK_COUNT + 1] = {
	[NK_DATAGRAM] = { "udp.datagram", SEV_CHAT, "a UDP datagram" },
	[NK_REFUSED] = { "tcp.refused", SEV_ERROR, "a RST answering a SYN: nothing listens on the port" },
	[NK_RST] = { "tcp.rst", SEV_WARN, "a RST: the connection is aborted" },
	[NK_MIDSTREAM] = { "tcp.midstream", SEV_NOTE, "the capture starts in the middle of the connection" },
	[NK_SYN] = { "tcp.syn", SEV_CHAT, "the first handshake: SYN" },
	[NK_SYNACK] = { "tcp.synack", SEV_CHAT, "the second handshake: SYN+ACK" },
	[NK_HS3] = { "tcp.handshake_ack", SEV_CHAT, "the third handshake: the ACK of the SYN+ACK" },
	[NK_HS_RETX] = { "tcp.handshake_retransmission", SEV_WARN, "a handshake packet sent again" },
	[NK_FIN] = { "tcp.fin", SEV_CHAT, "a FIN or the ACK of one: the close" },
	[NK_FIN_RETX] = { "tcp.fin_retransmission", SEV_WARN, "a FIN sent again" },
	[NK_KEEPALIVE] = { "tcp.keep_alive", SEV_NOTE, "a keep-alive probe or its answer" },
	[NK_ZERO_WINDOW_PROBE] = { "tcp.zero_window_probe", SEV_NOTE, "a zero-window probe or its answer" },
	[NK_SPURIOUS_RETX] = { "tcp.spurious_retransmission", SEV_WARN, "a retransmission of bytes already acknowledged" },
	[NK_FAST_RETX] = { "tcp.fast_retransmission", SEV_WARN, "a retransmission after duplicate ACKs" },
	[NK_RETX] = { "tcp.retransmission", SEV_WARN, "bytes sent again" },
	[NK_OUT_OF_ORDER] = { "tcp.out_of_order", SEV_WARN, "a segment that arrives after a later one" },
	[NK_LOST] = { "tcp.lost_segment", SEV_WARN, "a segment before this one was not captured" },
	[NK_DUP_ACK] = { "tcp.duplicate_ack", SEV_NOTE, "the same ACK again: the receiver still waits for a byte" },
	[NK_ZERO_WINDOW] = { "tcp.zero_window", SEV_WARN, "a receive window of zero: the peer must stop sending" },
	[NK_WINDOW_FULL] = { "tcp.window_full", SEV_NOTE, "a segment that fills the receiver's window" },
	[NK_REUSED] = { "tcp.reused_ports", SEV_NOTE, "a new connection on the 4-tuple of an earlier one" },
	[NK_DATA] = { "tcp.data", SEV_CHAT, "data" },
	[NK_ACK] = { "tcp.ack", SEV_CHAT, "an acknowledgment" },
	[NK_COUNT] = { NULL, 0, NULL },
};

const struct app_event *note_kind(const struct note_ctx *n, const struct conn *c, const struct pktrec *r)
{
	uint16_t ev = r->events;
	uint32_t L = r->labels;
	int k;
	if (c->proto != 6)
		k = NK_DATAGRAM;
	else if (ev & EV_RST_REFUSED)
		k = NK_REFUSED;
	else if (ev & EV_RST)
		k = NK_RST;
	else if (ev & EV_HS_RETX)
		k = NK_HS_RETX;
	else if (ev & EV_FIN_RETX)
		k = NK_FIN_RETX;
	else if ((L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_KEEP_ALIVE_ACK))) && n && n->zw_probe_now)
		k = NK_ZERO_WINDOW_PROBE;
	else if (L & (LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_KEEP_ALIVE_ACK)))
		k = NK_KEEPALIVE;
	else if (L & (LB_BIT(LB_ZERO_WINDOW_PROBE) | LB_BIT(LB_ZERO_WINDOW_PROBE_ACK)))
		k = NK_ZERO_WINDOW_PROBE;
	else if (L & LB_BIT(LB_SPURIOUS_RETRANSMISSION))
		k = NK_SPURIOUS_RETX;
	else if (L & LB_BIT(LB_FAST_RETRANSMISSION))
		k = NK_FAST_RETX;
	else if (L & LB_BIT(LB_RETRANSMISSION))
		k = NK_RETX;
	else if (L & LB_BIT(LB_OUT_OF_ORDER))
		k = NK_OUT_OF_ORDER;
	else if (L & (LB_BIT(LB_LOST_SEGMENT) | LB_BIT(LB_ACK_LOST_SEGMENT)))
		k = NK_LOST;
	else if (L & LB_BIT(LB_DUPLICATE_ACK))
		k = NK_DUP_ACK;
	else if (L & LB_BIT(LB_ZERO_WINDOW))
		k = NK_ZERO_WINDOW;
	else if (L & LB_BIT(LB_REUSED_PORTS))
		k = NK_REUSED;
	else if (ev & (EV_HS1 | EV_SIMOPEN))
		k = NK_SYN;
	else if (ev & EV_HS2)
		k = NK_SYNACK;
	else if (ev & (EV_HS3 | EV_HS3_RETX))
		k = NK_HS3;
	else if (ev & (EV_WAVE1 | EV_WAVE2 | EV_WAVE3 | EV_WAVE4 | EV_SIMCLOSE))
		k = NK_FIN;
	else if (ev & EV_MIDSTREAM)
		k = NK_MIDSTREAM;
	else if (L & LB_BIT(LB_WINDOW_FULL))
		k = NK_WINDOW_FULL;
	else if (r->len)
		k = NK_DATA;
	else
		k = NK_ACK;
	return &note_kinds[k];
}
