/* analysis.c: TCP sequence analysis, labelling each segment the way Wireshark's
 * "TCP Analysis" does (its user guide describes each rule; this is our own code
 * written from those descriptions and checked against tshark 4.0 by
 * tests/suite/oracle-analysis). docs/analysis.md explains every rule in plain words.
 *
 * Specs: RFC 9293 (sequence space, window), RFC 5681 section 2 and 3.2 (duplicate
 * ACK, fast retransmit), RFC 6298 (retransmission timer, Karn's algorithm), RFC 1122
 * section 4.2.3.6 (keep-alive: a segment with SEG.SEQ = SND.NXT-1), RFC 9293
 * section 3.8.6.1 (zero-window probing), RFC 7323 (window scale).
 *
 * State is per connection and per direction: a fixed-size half for each side that
 * has sent (the second added when that side first sends), the table of
 * unacknowledged segments (used to name the frame a retransmission repeats and to
 * time ACKs), which grows by doubling and stops at SEG_MAX entries, and the ACK
 * latencies, only when measured. */
#include "analysis.h"

#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Unacknowledged segments tracked per direction. A window of 4 MB in 1448-byte
 * segments is ~2900 segments; past the cap new segments are not timed (counted in
 * n_untracked) and a retransmission of them names no original frame. The cap bounds
 * memory at ~48 KB per direction of a very fast connection (and fits the 16-bit ring
 * indexes). The table starts at 1 entry (24 bytes): most connections have one or two
 * segments in flight at a time, and a capture of 200,000 one-segment connections paid
 * 256 bytes for each at 8; a busy one doubles to 8 in three steps. */
#define SEG_MAX 2048
#define SEG_FIRST 1
_Static_assert(SEG_MAX <= UINT16_MAX && (SEG_MAX & (SEG_MAX - 1)) == 0, "SEG_MAX: a power of two in 16 bits");

/* A segment's payload length as kept (31 bits beside the resent flag). Only a
 * jumbogram (RFC 2675: the length is the frame's, any 32-bit value) claims more; it is
 * kept as this, and the one reader (the diagnosis) only compares lengths with 536. */
#define SEG_LEN_MAX 0x7fffffffu

/* Fast retransmission: the segment follows the peer's last duplicate ACK within
 * this time (Wireshark's documented 20 ms), after at least two duplicate ACKs. */
#define FAST_RETX_NS 20000000
/* Out of order: a segment below the highest one seen that arrives within the
 * handshake RTT (or 3 ms when no handshake was seen) of the highest one. */
#define OOO_DEFAULT_NS 3000000

static int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static int seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static int seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

struct seg {
	uint32_t seq, end;     /* sequence space it occupies: [seq, end) including SYN/FIN */
	uint32_t frame;        /* first sent in */
	uint32_t len : 31;     /* payload bytes, at most SEG_LEN_MAX */
	uint32_t resent : 1;
	int64_t last_ts;       /* last (re)sent at */
};

/* One direction's view, from the sender's side (Wireshark's "flow"). Raw sequence
 * numbers; *_known say whether a value has been seen. 64 bytes: a connection holds
 * one or two of these as long as it is open. */
struct ta_dir {
	uint32_t nextseq;          /* highest seq + len (+1 for SYN/FIN) sent so far */
	uint32_t max_to_ack;       /* end of the contiguous data sent: an ACK beyond it ACKs unseen data */
	uint32_t lastack;          /* last acknowledgment number this side sent */
	uint32_t window;           /* last window this side advertised, scaled when the scale is known:
				    * at most 65535 << 14 (decode caps the shift at 14, RFC 7323 2.3) */
	uint32_t ack_frame;        /* frame that first carried lastack */
	uint32_t dupacks;          /* duplicate ACKs of lastack so far */
	uint32_t syn_frame, fin_frame; /* first SYN / FIN sent: what their repeats repeat */
	int64_t nextseq_ts;
	int64_t lastack_ts;
	/* unacknowledged segments, a ring sorted by seq (indexes below SEG_MAX) */
	struct seg *segs;
	uint16_t seg_head, seg_n, seg_cap;
	int8_t wscale;             /* -1 no SYN seen, -2 SYN without the option, else the shift */
	uint8_t nextseq_known : 1, max_to_ack_known : 1, lastack_known : 1, window_known : 1;
	uint8_t last_keep_alive : 1;   /* this side's previous packet was a keep-alive */
	uint8_t last_zw_probe : 1;     /* ... a zero-window probe */
};
_Static_assert(sizeof(struct seg) == 24 && sizeof(struct ta_dir) == 64,
	       "struct seg / ta_dir grew: every open connection pays for it (see struct ta_dir)");

struct tcp_analysis {
	int64_t syn_ts;        /* most recent SYN (no ACK) */
	int64_t irtt_ns;       /* SYN -> third handshake, 0 until known */
	struct tcp_latency *lat; /* [2] by side: made at the first sample, when measured */
	uint8_t syn_seen, synack_seen;
	uint8_t latency;       /* measure ACK latency */
	uint8_t first;         /* the side whose half is d[0] */
	uint8_t n_dirs;        /* halves present: side s is d[s ^ first] when that is < n_dirs */
	struct ta_dir d[];
};

static const struct tcp_latency no_latency;

static void dir_init(struct ta_dir *t)
{
	memset(t, 0, sizeof *t);
	t->wscale = -1;
}

struct tcp_analysis *tcp_analysis_new(int first_dir, int latency)
{
	struct tcp_analysis *a = xcalloc(1, sizeof *a + sizeof a->d[0]);
	a->latency = latency != 0;
	a->first = (uint8_t)(first_dir & 1);
	a->n_dirs = 1;
	dir_init(&a->d[0]);
	return a;
}

void tcp_analysis_free(struct tcp_analysis *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->n_dirs; i++)
		xfree(a->d[i].segs);
	xfree(a->lat);
	xfree(a);
}

void tcp_analysis_swap_sides(struct tcp_analysis *a)
{
	if (!a)
		return;
	a->first ^= 1; /* the halves stay; which side each is changes */
	if (a->lat) {
		struct tcp_latency t = a->lat[0];
		a->lat[0] = a->lat[1];
		a->lat[1] = t;
	}
}

const struct tcp_latency *tcp_analysis_latency(const struct tcp_analysis *a, int dir)
{
	return a->lat ? &a->lat[dir & 1] : &no_latency;
}
int64_t tcp_analysis_irtt_ns(const struct tcp_analysis *a) { return a->irtt_ns; }

int tcp_analysis_contig_end(const struct tcp_analysis *a, int dir, uint32_t *end)
{
	unsigned i = (unsigned)(dir ^ a->first);
	if (i >= a->n_dirs || !a->d[i].max_to_ack_known)
		return 0;
	*end = a->d[i].max_to_ack;
	return 1;
}

/* Side dir's latency, made at its first use; NULL when latency is not measured. */
static struct tcp_latency *latency_of(struct tcp_analysis *a, int dir)
{
	if (!a->latency)
		return NULL;
	if (!a->lat)
		a->lat = xcalloc(2, sizeof *a->lat);
	return &a->lat[dir];
}

/* ---- the table of unacknowledged segments ---- */

static struct seg *seg_at(struct ta_dir *t, uint32_t i) { return &t->segs[(t->seg_head + i) & (t->seg_cap - 1)]; }

/* Records a segment sent for the first time. Returns 0 when the table is full. */
static int seg_push(struct ta_dir *t, uint32_t seq, uint32_t end, uint32_t len, uint32_t frame, int64_t ts)
{
	if (t->seg_n == t->seg_cap) {
		if (t->seg_cap >= SEG_MAX)
			return 0;
		uint32_t ncap = t->seg_cap ? t->seg_cap * 2u : SEG_FIRST;
		struct seg *ns = xmalloc(ncap * sizeof *ns);
		for (uint32_t i = 0; i < t->seg_n; i++)
			ns[i] = *seg_at(t, i);
		xfree(t->segs);
		t->segs = ns;
		t->seg_cap = (uint16_t)ncap;
		t->seg_head = 0;
	}
	struct seg *s = &t->segs[(t->seg_head + t->seg_n) & (t->seg_cap - 1)];
	s->seq = seq;
	s->end = end;
	s->len = len < SEG_LEN_MAX ? len : SEG_LEN_MAX;
	s->frame = frame;
	s->last_ts = ts;
	s->resent = 0;
	t->seg_n++;
	return 1;
}

/* Index of the first tracked segment whose end is beyond seq (binary search: the
 * ring is sorted), seg_n when none. */
static uint32_t seg_find(struct ta_dir *t, uint32_t seq)
{
	uint32_t lo = 0, hi = t->seg_n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (seq_le(seg_at(t, mid)->end, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A segment that the full table could not track: counted with side's latency. */
static void untracked(struct tcp_analysis *a, int side)
{
	struct tcp_latency *L = latency_of(a, side);
	if (L)
		L->n_untracked++;
}

/* A segment [seq, end) sent by side (t its half of a): a new one is tracked; a repeat
 * marks the tracked copies it covers as resent and returns the frame that first sent
 * its first byte (0 when not tracked). */
static uint32_t seg_sent(struct tcp_analysis *a, int side, struct ta_dir *t, uint32_t seq, uint32_t end, uint32_t len,
			 uint32_t frame, int64_t ts)
{
	if (t->seg_n == 0 || seq_le(seg_at(t, t->seg_n - 1)->end, seq)) {
		if (!seg_push(t, seq, end, len, frame, ts))
			untracked(a, side);
		return 0;
	}
	uint32_t orig = 0;
	for (uint32_t i = seg_find(t, seq); i < t->seg_n; i++) {
		struct seg *s = seg_at(t, i);
		if (!seq_lt(s->seq, end))
			break;
		if (!orig && seq_le(s->seq, seq))
			orig = s->frame;
		s->resent = 1;
		s->last_ts = ts;
	}
	/* Data beyond the highest tracked end in the same packet (repacketised
	 * retransmission carrying new bytes too): track the new part. */
	struct seg *top = seg_at(t, t->seg_n - 1);
	if (seq_gt(end, top->end) && !seg_push(t, top->end, end, end - top->end, frame, ts))
		untracked(a, side);
	return orig;
}

/* The peer acknowledged everything below ack: time and drop the covered segments of
 * side (t its half of a). */
static void seg_acked(struct tcp_analysis *a, int side, struct ta_dir *t, uint32_t ack, int64_t ts,
		      struct tcp_ack_result *res)
{
	while (t->seg_n) {
		struct seg *s = seg_at(t, 0);
		if (!seq_le(s->end, ack))
			break;
		int64_t lat = ts_elapsed(ts, s->last_ts); /* 0 when timestamps go backwards */
		struct tcp_latency *L = latency_of(a, side);
		if (L) {
			if (!L->n || lat < L->min_ns)
				L->min_ns = lat;
			if (!L->n || lat > L->max_ns)
				L->max_ns = lat;
			L->n++;
			ts_total_add(&L->sum_ns, lat);
			if (s->resent)
				L->n_karn++;
		}
		res->n++;
		res->newest_len = s->len;
		res->newest_frame = s->frame;
		res->newest_karn = s->resent;
		res->newest_ns = lat;
		t->seg_head = (t->seg_head + 1) & (t->seg_cap - 1);
		t->seg_n--;
	}
}

/* ---- the labels ---- */

/* Side dir's half of *ap, added (and *ap moved) when dir sends for the first time. */
static struct ta_dir *half(struct tcp_analysis **ap, int dir)
{
	struct tcp_analysis *a = *ap;
	unsigned i = (unsigned)(dir ^ a->first);
	if (i >= a->n_dirs) {
		a = xrealloc(a, sizeof *a + 2 * sizeof a->d[0]);
		dir_init(&a->d[1]);
		a->n_dirs = 2;
		*ap = a;
	}
	return &a->d[i];
}

void tcp_analysis_packet(struct tcp_analysis **ap, struct conn *c, int dir, const struct pkt *pk, struct pktrec *rec,
			 struct tcp_ack_result *ack_res)
{
	struct ta_dir *fwd = half(ap, dir);
	struct tcp_analysis *a = *ap;
	/* A side that never sent has nothing known: a blank half reads as that, and no
	 * write reaches it (each is guarded by a *_known or a tracked segment). */
	struct ta_dir blank;
	unsigned ri = (unsigned)((1 - dir) ^ a->first);
	struct ta_dir *rev = ri < a->n_dirs ? &a->d[ri] : &blank;
	if (rev == &blank)
		dir_init(&blank);
	uint32_t seq = pk->seq, ack = pk->ack, seglen = pk->len;
	uint16_t fl = pk->flags;
	int syn = (fl & TH_SYN) != 0, fin = (fl & TH_FIN) != 0, rst = (fl & TH_RST) != 0;
	int has_ack = (fl & TH_ACK) != 0;
	int ctl = syn || fin || rst;
	int64_t ts = rec->ts_ns;
	uint32_t L = 0;
	(void)c;

	memset(ack_res, 0, sizeof *ack_res);

	/* Window scale (RFC 7323 section 2.2): each SYN says whether its sender scales;
	 * windows are scaled only when both did, and never in a SYN. */
	if (syn)
		fwd->wscale = pk->opt.wscale >= 0 ? pk->opt.wscale : -2;
	uint32_t win = pk->win;
	if (!syn && fwd->wscale >= 0 && rev->wscale >= 0)
		win <<= fwd->wscale;

	/* The handshake RTT sets the out-of-order threshold. */
	if (syn && !has_ack) {
		a->syn_ts = ts;
		a->syn_seen = 1;
	} else if (syn) {
		a->synack_seen = 1;
	} else if (has_ack && a->syn_seen && a->synack_seen && !a->irtt_ns && dir == 0) {
		int64_t rtt = ts_sub(ts, a->syn_ts);
		a->irtt_ns = rtt > 0 ? rtt : 1;
	}

	int same_seq = fwd->nextseq_known && seq == fwd->nextseq;
	int same_ack = fwd->lastack_known && ack == fwd->lastack;

	/* Zero-window probe (RFC 9293 section 3.8.6.1): one byte sent at the edge while
	 * the peer's window is closed. It does not advance the sequence. */
	if (seglen == 1 && same_seq && rev->window_known && rev->window == 0) {
		L |= LB_BIT(LB_ZERO_WINDOW_PROBE);
		goto ack_checks_done;
	}
	/* Zero window: this side's receive buffer is full. */
	if (pk->win == 0 && !ctl)
		L |= LB_BIT(LB_ZERO_WINDOW);
	/* Previous segment not captured: a hole before this segment. */
	if (fwd->nextseq_known && seq_gt(seq, fwd->nextseq) && !rst)
		L |= LB_BIT(LB_LOST_SEGMENT);
	/* Keep-alive (RFC 1122 section 4.2.3.6): SND.NXT-1 with no data or one garbage byte. */
	if (seglen <= 1 && !ctl && fwd->nextseq_known && seq == fwd->nextseq - 1)
		L |= LB_BIT(LB_KEEP_ALIVE);
	/* Window update: nothing new but a different (non-zero) window. */
	if (seglen == 0 && win != 0 && fwd->window_known && win != fwd->window && same_seq && same_ack && !ctl)
		L |= LB_BIT(LB_WINDOW_UPDATE);
	/* Window full: this segment reaches exactly the right edge of the peer's window. */
	if (seglen > 0 && !ctl && rev->wscale != -1 && rev->lastack_known && rev->window_known &&
	    (uint32_t)(seq + seglen) == (uint32_t)(rev->lastack + rev->window))
		L |= LB_BIT(LB_WINDOW_FULL);
	int pure_repeat = seglen == 0 && fwd->window_known && win == fwd->window && same_seq && same_ack && !ctl;
	/* Keep-alive ACK: the answer to the peer's keep-alive. */
	if (pure_repeat && win != 0 && rev->last_keep_alive) {
		L |= LB_BIT(LB_KEEP_ALIVE_ACK);
		goto ack_checks_done;
	}
	/* Zero-window probe ACK: the answer to a probe, window still closed. */
	if (pure_repeat && win == 0 && rev->last_zw_probe) {
		L |= LB_BIT(LB_ZERO_WINDOW_PROBE_ACK);
		goto ack_checks_done;
	}
	/* Duplicate ACK (RFC 5681 section 2): no data, same ACK, same window. */
	if (pure_repeat && win != 0) {
		fwd->dupacks++;
		L |= LB_BIT(LB_DUPLICATE_ACK);
		rec->dup_num = (uint16_t)(fwd->dupacks > 65535 ? 65535 : fwd->dupacks);
		rec->ref_frame = fwd->ack_frame;
	}
ack_checks_done:
	/* A duplicate ACK names the packet that first carried this acknowledgment
	 * number; the count runs until the number changes. */
	if (has_ack && (!fwd->lastack_known || ack != fwd->lastack)) {
		fwd->ack_frame = rec->frame;
		fwd->dupacks = 0;
	}
	/* ACKed unseen segment: a new acknowledgment number beyond the data the peer
	 * was seen to send contiguously. Flagged once per acknowledgment number. */
	if (has_ack && !same_ack && rev->max_to_ack_known && seq_gt(ack, rev->max_to_ack)) {
		L |= LB_BIT(LB_ACK_LOST_SEGMENT);
		rev->max_to_ack = rev->nextseq;
	}

	/* Retransmission and its kinds: a segment that occupies sequence space (data,
	 * SYN or FIN) but does not go beyond what this side already sent. */
	uint32_t end = seq + seglen + (syn ? 1u : 0u) + (fin ? 1u : 0u);
	if ((seglen > 0 || syn || fin) && !(L & LB_BIT(LB_KEEP_ALIVE))) {
		int not_advanced = fwd->nextseq_known && seq_lt(seq, fwd->nextseq);
		/* More than one byte from one below the next expected number: the byte before
		 * was a probe the receiver did not take, and this carries new data (Wireshark's
		 * exception, its user guide "TCP Retransmission"): not resent, not out of
		 * order, though still spurious when the peer had acknowledged all of it. */
		if (seglen > 1 && fwd->nextseq_known && seq == fwd->nextseq - 1)
			not_advanced = 0;
		int64_t ooo_ns = a->irtt_ns ? a->irtt_ns : OOO_DEFAULT_NS;
		if (not_advanced && rev->dupacks >= 2 && rev->lastack_known && rev->lastack == seq &&
		    ts_sub(ts, rev->lastack_ts) < FAST_RETX_NS)
			L |= LB_BIT(LB_FAST_RETRANSMISSION) | LB_BIT(LB_RETRANSMISSION);
		else if (seglen > 0 && rev->lastack_known && seq_le(seq + seglen, rev->lastack))
			/* The peer had already acknowledged all of it: sending it was needless
			 * (even when it was never seen before: the ACK proves it arrived). */
			L |= LB_BIT(LB_SPURIOUS_RETRANSMISSION) | LB_BIT(LB_RETRANSMISSION);
		else if (not_advanced && ts_sub(ts, fwd->nextseq_ts) < ooo_ns && fwd->nextseq != end)
			L |= LB_BIT(LB_OUT_OF_ORDER);
		else if (not_advanced)
			L |= LB_BIT(LB_RETRANSMISSION);
		if (!(L & LB_BIT(LB_ZERO_WINDOW_PROBE))) {
			uint32_t orig = seg_sent(a, dir, fwd, seq, end, seglen, rec->frame, ts);
			/* A SYN or FIN already acknowledged has left the table: name the first one. */
			if (!orig && syn)
				orig = fwd->syn_frame;
			if (!orig && fin && !seglen)
				orig = fwd->fin_frame;
			if (L & LB_BIT(LB_RETRANSMISSION))
				rec->ref_frame = orig;
			if (syn && !fwd->syn_frame)
				fwd->syn_frame = rec->frame;
			if (fin && !fwd->fin_frame)
				fwd->fin_frame = rec->frame;
		}
	}

	/* Remember the highest sequence sent. A probe's byte does not count: it is sent
	 * again once the window opens. Nor does a RST: it carries no data, and a RST
	 * answering a stray segment may carry any sequence number (RFC 9293 section
	 * 3.10.7.1), which would make the next real data look like a retransmission
	 * (tcp-syn-unanswered-retries-browsing.pcap frames 193 and 238). */
	if (!(L & LB_BIT(LB_ZERO_WINDOW_PROBE)) && !rst) {
		uint32_t next = seq + seglen + (syn ? 1u : 0u) + (fin ? 1u : 0u);
		if (!fwd->nextseq_known || seq_gt(next, fwd->nextseq)) {
			fwd->nextseq = next;
			fwd->nextseq_known = 1;
			fwd->nextseq_ts = ts;
		}
		if (!fwd->max_to_ack_known || seq == fwd->max_to_ack) {
			fwd->max_to_ack = fwd->nextseq;
			fwd->max_to_ack_known = 1;
		}
	}
	if (has_ack && !rst)
		seg_acked(a, 1 - dir, rev, ack, ts, ack_res);
	fwd->window = win;
	fwd->window_known = 1;
	if (has_ack) {
		fwd->lastack = ack;
		fwd->lastack_known = 1;
		fwd->lastack_ts = ts;
	}
	fwd->last_keep_alive = (L & LB_BIT(LB_KEEP_ALIVE)) != 0;
	fwd->last_zw_probe = (L & LB_BIT(LB_ZERO_WINDOW_PROBE)) != 0;
	rec->labels |= L;
}
