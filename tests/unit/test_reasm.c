/* test_reasm.c: unit tests for TCP reassembly (src/tcp/reasm.c).
 *
 * Two kinds of check, both over segments made from a fixed seed:
 *   - order does not matter: a stream cut into segments, with holes, overlapping
 *     retransmissions and duplicates (all carrying the stream's own bytes), fed in a
 *     random order, reversed, or nearly in order, delivers the same bytes and reports
 *     the same gaps and FIN as the same segments fed in order, and both equal what the
 *     segments cover (every covered byte once, each hole below the last covered byte
 *     as one gap);
 *   - the rules are those of the sorted-array reassembly it replaced: a model of that
 *     array (below, O(n) per segment, kept here only as the specification) and
 *     reasm.c get the same segments, ACKs and FINs, with overlaps that carry different
 *     bytes, segments cut by the snap length or to caplen 0, sequence numbers across
 *     2^32, and enough held segments to trip REASM_OOO_MAX and REASM_OOO_SEGS_MAX;
 *     every data, gap and FIN call (offset, length, bytes, frame) must be equal, and
 *     what is held must stay within both caps after every call.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "decode/pkt.h"
#include "harness.h"
#include "tcp/reasm.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a fixed-seed generator (xorshift64*) ---- */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Uniform-ish in [0, n). */
static uint32_t below(uint32_t n) { return n ? (uint32_t)(rnd() % n) : 0; }

/* ---- what the callbacks saw, as text ---- */

struct log {
	struct strbuf text;
	const struct reasm *r; /* to ask which frame carried delivered bytes; NULL: model */
	uint8_t *bytes;        /* the delivered stream of side 0 (order check) */
	uint8_t *seen;         /* 1 where bytes[] was written */
	size_t size;
	int dup;               /* a byte was delivered twice */
	uint32_t model_frame;  /* the model's frame of the bytes it delivers */
};

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void on_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct log *l = ctx;
	uint32_t frame = l->r ? reasm_frame_at(l->r, dir, off, NULL) : l->model_frame;
	sb_printf(&l->text, "D%d %" PRIu64 " %zu %016" PRIx64 " f%" PRIu32 "\n", dir, off, n, fnv(p, n), frame);
	if (l->bytes && dir == 0)
		for (size_t i = 0; i < n; i++) {
			if (off + i >= l->size)
				continue;
			if (l->seen[off + i])
				l->dup = 1;
			l->seen[off + i] = 1;
			l->bytes[off + i] = p[i];
		}
}

static void on_gap(void *ctx, int dir, uint64_t off, uint64_t len)
{
	struct log *l = ctx;
	sb_printf(&l->text, "G%d %" PRIu64 " %" PRIu64 "\n", dir, off, len);
}

static void on_fin(void *ctx, int dir, uint64_t off)
{
	struct log *l = ctx;
	sb_printf(&l->text, "F%d %" PRIu64 "\n", dir, off);
}

/* reasm.c's callbacks get the struct reasm; the run embeds it with its log. */
struct run_ctx {
	struct reasm r;
	struct log *l;
};

static struct log *log_of(struct reasm *r) { return ((struct run_ctx *)(void *)r)->l; }

static void r_data(struct reasm *r, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	on_data(log_of(r), dir, p, n, off);
}

static void r_gap(struct reasm *r, int dir, uint64_t off, uint64_t len) { on_gap(log_of(r), dir, off, len); }

static void r_fin(struct reasm *r, int dir, uint64_t off) { on_fin(log_of(r), dir, off); }

static const struct reasm_ops run_ops = { r_data, r_gap, r_fin };

/* ---- the model: the sorted array reasm.c used before issue 11 ---- */

struct mseg {
	uint64_t off;
	uint32_t len, caplen, frame;
	int fin;
	uint8_t *data;
};

struct mdir {
	int started, fin_done;
	uint32_t next_seq;
	uint64_t next_off;
	/* the sorted array: held segments are slot[head .. head + n), sorted by off, equal
	 * offsets in arrival order. It is a deque of pointers only so the O(n) moves cost
	 * little under the sanitizers (taking from the front moves head). */
	struct mseg **slot;
	size_t head, n, cap, bytes;
};

static struct mseg *at(const struct mdir *d, size_t i) { return d->slot[d->head + i]; }

struct model {
	struct mdir d[2];
	struct log *log;
};

static void m_deliver(struct model *m, int dir, const struct mseg *s)
{
	struct mdir *d = &m->d[dir];
	uint64_t end = s->off + s->len;
	if (end > d->next_off) {
		uint64_t skip = d->next_off - s->off;
		uint64_t cap_end = s->off + s->caplen;
		m->log->model_frame = s->frame;
		if (cap_end > d->next_off) {
			size_t n = (size_t)(cap_end - d->next_off);
			on_data(m->log, dir, s->data + skip, n, d->next_off);
			d->next_off += n;
			d->next_seq += (uint32_t)n;
		}
		if (end > d->next_off) {
			uint64_t miss = end - d->next_off;
			on_gap(m->log, dir, d->next_off, miss);
			d->next_off += miss;
			d->next_seq += (uint32_t)miss;
		}
	}
	if (s->fin && !d->fin_done && end <= d->next_off) {
		d->fin_done = 1;
		d->next_seq++;
		on_fin(m->log, dir, d->next_off);
	}
}

static void m_drain(struct model *m, int dir)
{
	struct mdir *d = &m->d[dir];
	while (d->n && at(d, 0)->off <= d->next_off) {
		struct mseg *s = at(d, 0);
		m_deliver(m, dir, s);
		d->bytes -= s->caplen;
		free(s->data);
		free(s);
		d->head++;
		d->n--;
	}
}

static void m_skip_hole(struct model *m, int dir, uint64_t upto)
{
	struct mdir *d = &m->d[dir];
	uint64_t to = upto;
	if (d->n && at(d, 0)->off < to)
		to = at(d, 0)->off;
	if (to > d->next_off) {
		uint64_t n = to - d->next_off;
		on_gap(m->log, dir, d->next_off, n);
		d->next_off = to;
		d->next_seq += (uint32_t)n;
	}
	m_drain(m, dir);
}

static void m_hold(struct model *m, int dir, const struct mseg *in, const uint8_t *p)
{
	struct mdir *d = &m->d[dir];
	/* i: after every held segment with off <= in->off (binary search: the array is
	 * sorted; the scan from the end it replaces found the same place) */
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (at(d, mid)->off <= in->off)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo;
	if (i > 0 && at(d, i - 1)->off == in->off && at(d, i - 1)->len >= in->len && !(in->fin && !at(d, i - 1)->fin))
		return;
	struct mseg *s = malloc(sizeof *s);
	*s = *in;
	s->data = malloc(in->caplen + 1);
	if (in->caplen)
		memcpy(s->data, p, in->caplen);
	if (d->head > 0 && i < d->n - i) {
		/* move the part before i one down */
		memmove(d->slot + d->head - 1, d->slot + d->head, i * sizeof *d->slot);
		d->head--;
	} else {
		if (d->head + d->n == d->cap) {
			/* recentre in an array twice as large: room both ways */
			size_t cap = d->cap ? d->cap * 2 : 64;
			struct mseg **a = malloc(cap * sizeof *a);
			size_t head = (cap - d->n) / 2;
			if (d->n)
				memcpy(a + head, d->slot + d->head, d->n * sizeof *a);
			free(d->slot);
			d->slot = a;
			d->cap = cap;
			d->head = head;
		}
		memmove(d->slot + d->head + i + 1, d->slot + d->head + i, (d->n - i) * sizeof *d->slot);
	}
	d->slot[d->head + i] = s;
	d->n++;
	d->bytes += in->caplen;
	while (d->n && (d->bytes > REASM_OOO_MAX || d->n > REASM_OOO_SEGS_MAX))
		m_skip_hole(m, dir, at(d, 0)->off);
}

static void m_segment(struct model *m, int dir, uint32_t seq, uint16_t flags, const uint8_t *p, uint32_t caplen,
		      uint32_t len, uint32_t frame)
{
	struct mdir *d = &m->d[dir];
	if (flags & TH_RST)
		return;
	if (flags & TH_SYN) {
		if (!d->started || d->next_off == 0) {
			d->started = 1;
			d->next_seq = seq + 1;
			d->next_off = 0;
		}
		seq++;
	}
	if (!d->started) {
		d->started = 1;
		d->next_seq = seq;
		d->next_off = 0;
	}
	if (caplen > len)
		caplen = len;
	int32_t dist = (int32_t)(seq - d->next_seq);
	int fin = (flags & TH_FIN) != 0;
	if (dist < 0 && (int64_t)d->next_off + dist < 0)
		return;
	uint64_t off = (uint64_t)((int64_t)d->next_off + dist);
	if (len == 0 && !fin)
		return;
	struct mseg s = { off, len, caplen, frame, fin, (uint8_t *)(uintptr_t)p };
	if (off <= d->next_off) {
		m_deliver(m, dir, &s);
		m_drain(m, dir);
	} else {
		m_hold(m, dir, &s, p);
	}
}

static void m_ack(struct model *m, int dir, uint32_t ack)
{
	struct mdir *o = &m->d[1 - dir];
	if (!o->started || o->fin_done || !o->n)
		return;
	int32_t dist = (int32_t)(ack - o->next_seq);
	if (dist <= 0)
		return;
	uint64_t upto = o->next_off + (uint64_t)dist;
	for (size_t i = 0; i < o->n; i++)
		if (at(o, i)->fin && at(o, i)->off + at(o, i)->len < upto)
			upto = at(o, i)->off + at(o, i)->len;
	while (o->next_off < upto) {
		uint64_t before = o->next_off;
		m_skip_hole(m, 1 - dir, upto);
		if (o->next_off == before)
			break;
	}
}

static void m_finish(struct model *m)
{
	for (int dir = 0; dir < 2; dir++) {
		struct mdir *d = &m->d[dir];
		while (d->n) {
			size_t before = d->n;
			m_skip_hole(m, dir, at(d, 0)->off);
			if (d->n == before)
				break;
		}
		free(d->slot);
	}
}

/* ---- scenarios ---- */

/* One thing that happens to the pair: a segment of side dir, or an ACK from dir. */
struct ev {
	int dir;
	int is_ack;
	uint32_t seq;       /* the segment's sequence number, or the ACK number */
	uint16_t flags;
	uint32_t len, caplen;
	uint32_t frame;
	const uint8_t *p;
	uint64_t rel;       /* place in the stream (order check: sort key) */
};

struct run_out {
	struct strbuf text;
	int over_cap;       /* more held than a cap allows after some call */
	int unbalanced;     /* the tree of held segments was higher than an AVL tree can be */
	int dup;
	uint8_t *bytes, *seen;
};

static void run_reasm(const struct ev *evs, size_t n, struct run_out *o, size_t size)
{
	struct run_ctx rc;
	struct reasm *rp = &rc.r;
	struct log l = { 0 };
	sb_init(&l.text);
	l.r = rp;
	rc.l = &l;
	if (size) {
		l.bytes = calloc(size, 1);
		l.seen = calloc(size, 1);
		l.size = size;
	}
	reasm_init(rp, &run_ops);
	o->over_cap = 0;
	o->unbalanced = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ev *e = &evs[i];
		if (e->is_ack)
			reasm_ack(rp, e->dir, e->seq);
		else
			reasm_segment(rp, e->dir, e->seq, e->flags, e->p, e->caplen, e->len, e->frame, e->frame);
		for (int d = 0; d < 2; d++) {
			if (reasm_held_segs(rp, d) > REASM_OOO_SEGS_MAX || reasm_held_bytes(rp, d) > REASM_OOO_MAX)
				o->over_cap = 1;
			/* AVL: height < 1.4405 log2(n + 2) - 0.3277 */
			if (reasm_held_height(rp, d) > 1.4405 * log2((double)reasm_held_segs(rp, d) + 2))
				o->unbalanced = 1;
		}
	}
	reasm_finish(rp);
	if (reasm_held_segs(rp, 0) || reasm_held_segs(rp, 1) || reasm_held_bytes(rp, 0) || reasm_held_bytes(rp, 1))
		o->over_cap = 1; /* finish must leave nothing held */
	reasm_fini(rp);
	o->text = l.text;
	o->dup = l.dup;
	o->bytes = l.bytes;
	o->seen = l.seen;
}

static struct strbuf run_model(const struct ev *evs, size_t n)
{
	struct log l = { 0 };
	sb_init(&l.text);
	struct model m = { 0 };
	m.log = &l;
	for (size_t i = 0; i < n; i++) {
		const struct ev *e = &evs[i];
		if (e->is_ack)
			m_ack(&m, e->dir, e->seq);
		else
			m_segment(&m, e->dir, e->seq, e->flags, e->p, e->caplen, e->len, e->frame);
	}
	m_finish(&m);
	return l.text;
}

static void out_free(struct run_out *o)
{
	sb_fini(&o->text);
	free(o->bytes);
	free(o->seen);
}

static void shuffle(struct ev *e, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = below((uint32_t)i);
		struct ev t = e[i - 1];
		e[i - 1] = e[j];
		e[j] = t;
	}
}

static void reverse(struct ev *e, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct ev t = e[i];
		e[i] = e[n - 1 - i];
		e[n - 1 - i] = t;
	}
}

/* Swaps some neighbours: the reordering a real network does. */
static void jitter(struct ev *e, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (below(4) == 0) {
			size_t j = i + 1 + below(n - i - 1 < 8 ? (uint32_t)(n - i - 1) : 8);
			struct ev t = e[i];
			e[i] = e[j];
			e[j] = t;
		}
}

static int by_rel(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->rel != y->rel)
		return x->rel < y->rel ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static void mix_order(struct ev *e, size_t n, int how)
{
	if (how == 0)
		shuffle(e, n);
	else if (how == 1)
		reverse(e, n);
	else
		jitter(e, n);
}

/* Property 1: the order segments come in changes nothing when they all carry the
 * stream's own bytes. Side 0 sends after a SYN; no ACKs, no snap length. */
static void order_does_not_matter(void)
{
	enum { ROUNDS = 600, LMAX = 4000 };
	static uint8_t stream[LMAX];
	static struct ev evs[4 * LMAX + 8];
	char why[400] = "";
	int bad = 0;
	for (int round = 0; round < ROUNDS && !bad; round++) {
		uint32_t L = 1 + below(LMAX);
		for (uint32_t i = 0; i < L; i++)
			stream[i] = (uint8_t)rnd();
		/* near 2^32 every third round, so the stream wraps */
		uint32_t isn = round % 3 == 0 ? 0xFFFFFFFFu - below(2 * L + 2) : (uint32_t)rnd();
		uint8_t *covered = calloc(L, 1);
		size_t n = 0;
		uint32_t frame = 1;
		evs[n++] = (struct ev){ 0, 0, isn, TH_SYN, 0, 0, frame++, NULL, 0 };
		int has_fin = 0;
		for (uint32_t pos = 0; pos < L;) {
			uint32_t len = 1 + below(300);
			if (len > L - pos)
				len = L - pos;
			int last = pos + len == L;
			if (below(6) != 0 || (last && below(2))) {
				uint16_t fl = TH_ACK | (last && below(2) ? TH_FIN : 0);
				has_fin |= (fl & TH_FIN) != 0;
				evs[n++] = (struct ev){ 0, 0, isn + 1 + pos, fl, len, len, frame++, stream + pos, pos };
				memset(covered + pos, 1, len);
			}
			pos += len;
		}
		/* retransmissions and overlaps of the same bytes, some starting where another does */
		uint32_t extra = below(L / 40 + 4);
		for (uint32_t k = 0; k < extra; k++) {
			uint32_t a = below(L), len = 1 + below(L - a < 500 ? L - a : 500);
			if (below(3) == 0 && n > 1) {
				const struct ev *o = &evs[1 + below((uint32_t)n - 1)];
				if (!o->is_ack && o->len) {
					a = (uint32_t)o->rel;
					len = 1 + below(L - a);
				}
			}
			evs[n++] = (struct ev){ 0, 0, isn + 1 + a, TH_ACK, len, len, frame++, stream + a, a };
			memset(covered + a, 1, len);
		}
		int fin_at_end = has_fin; /* the FIN rides on a segment ending at L */
		/* in order: sorted by place (the SYN first), then as a network might mix them */
		qsort(evs + 1, n - 1, sizeof *evs, by_rel);
		struct run_out ord, mixed;
		run_reasm(evs, n, &ord, L);
		mix_order(evs + 1, n - 1, round % 3);
		run_reasm(evs, n, &mixed, L);
		/* what the segments cover: the bytes, one gap per hole below the last covered byte */
		struct strbuf want;
		sb_init(&want);
		uint32_t top = L;
		while (top > 0 && !covered[top - 1])
			top--;
		for (uint32_t i = 0; i < top;) {
			uint32_t j = i;
			while (j < top && !covered[j])
				j++;
			if (j > i)
				sb_printf(&want, "G0 %" PRIu32 " %" PRIu32 "\n", i, j - i);
			while (j < top && covered[j])
				j++;
			i = j;
		}
		if (fin_at_end)
			sb_printf(&want, "F0 %" PRIu32 "\n", L);
		for (int k = 0; k < 2 && !bad; k++) {
			struct run_out *o = k ? &mixed : &ord;
			const char *which = k ? "mixed" : "in order";
			struct strbuf got; /* the gap and FIN lines of o */
			sb_init(&got);
			for (char *line = o->text.s; line && *line;) {
				char *nl = strchr(line, '\n');
				if (*line != 'D')
					sb_add(&got, line, (size_t)(nl - line + 1));
				line = nl + 1;
			}
			int same_bytes = !o->dup;
			for (uint32_t i = 0; i < L && same_bytes; i++)
				if (o->seen[i] != covered[i] || (covered[i] && o->bytes[i] != stream[i]))
					same_bytes = 0;
			if (!same_bytes || o->over_cap || o->unbalanced ||
			    strcmp(got.s ? got.s : "", want.s ? want.s : "") != 0) {
				snprintf(why, sizeof why,
					 "round %d (L=%" PRIu32 ", isn=%08" PRIx32 ", %s): bytes %s, dup %d; gaps/fin got\n%.120s\nwant\n%.120s",
					 round, L, isn, which, same_bytes ? "right" : "WRONG", o->dup, got.s ? got.s : "",
					 want.s ? want.s : "");
				bad = 1;
			}
			sb_fini(&got);
		}
		sb_fini(&want);
		out_free(&ord);
		out_free(&mixed);
		free(covered);
	}
	check(!bad, "reasm: any order of the same segments delivers the covered bytes once, the holes as gaps", why);
}

/* Compares reasm.c with the model on evs; returns 0 and fills why on a difference. */
static int same_as_model(const struct ev *evs, size_t n, const char *what, char *why, size_t whylen)
{
	struct run_out o;
	run_reasm(evs, n, &o, 0);
	struct strbuf m = run_model(evs, n);
	const char *a = o.text.s ? o.text.s : "", *b = m.s ? m.s : "";
	int ok = strcmp(a, b) == 0 && !o.over_cap && !o.unbalanced;
	if (!ok) {
		size_t i = 0;
		while (a[i] && a[i] == b[i])
			i++;
		while (i > 0 && a[i - 1] != '\n')
			i--;
		snprintf(why, whylen, "%s: %s; first difference at byte %zu:\nreasm: %.200s\nmodel: %.200s", what,
			 o.over_cap     ? "held more than a cap allows"
			 : o.unbalanced ? "the tree of held segments is not balanced"
					: "calls differ",
			 i, a + i, b + i);
	}
	out_free(&o);
	sb_fini(&m);
	return ok;
}

/* Property 2: the same calls as the sorted array, on hostile mixes: both sides, bytes
 * that differ between copies, snap lengths, FINs anywhere, ACKs, RSTs, no SYN. */
static void rules_unchanged(void)
{
	enum { ROUNDS = 1500, LMAX = 3000, NMAX = 400 };
	static uint8_t junk[2][LMAX + 600];
	static struct ev evs[2 * NMAX + 64];
	char why[900] = "";
	int bad = 0;
	for (int round = 0; round < ROUNDS && !bad; round++) {
		for (int d = 0; d < 2; d++)
			for (size_t i = 0; i < sizeof junk[d]; i++)
				junk[d][i] = (uint8_t)rnd();
		size_t n = 0;
		uint32_t frame = 1;
		uint32_t isn[2];
		uint32_t L[2];
		for (int d = 0; d < 2; d++) {
			isn[d] = round % 4 == 0 ? 0xFFFFFFFFu - below(LMAX) : (uint32_t)rnd();
			L[d] = 1 + below(LMAX);
			if (below(4))
				evs[n++] = (struct ev){ d, 0, isn[d], (uint16_t)(d ? TH_SYN | TH_ACK : TH_SYN), 0, 0, frame++,
							NULL, 0 };
		}
		uint32_t nseg = 1 + below(NMAX);
		for (uint32_t k = 0; k < nseg; k++) {
			int d = (int)below(2);
			uint32_t a = below(L[d] + 20), len = below(5) ? 1 + below(400) : 0;
			if (below(10) == 0)
				a = (uint32_t)-(int32_t)below(50); /* before the start */
			uint16_t fl = TH_ACK;
			uint32_t r = below(40);
			if (r == 0)
				fl |= TH_RST;
			else if (r < 4)
				fl |= TH_FIN;
			else if (r == 4)
				fl = TH_SYN | (d ? TH_ACK : 0); /* a SYN again */
			uint32_t caplen = below(4) == 0 ? below(len + 1) : len; /* cut by the snap length */
			if (below(12) == 0)
				caplen = 0;
			/* a copy's bytes differ from the other copies': which one wins shows */
			const uint8_t *p = junk[d] + below(500);
			uint32_t seq = isn[d] + 1 + a;
			evs[n++] = (struct ev){ d, 0, seq, fl, len, caplen, frame++, p, a };
			if (below(3) == 0) {
				int ad = (int)below(2);
				evs[n++] = (struct ev){ ad, 1, isn[!ad] + 1 + below(L[!ad] + 30), TH_ACK, 0, 0, frame++,
							NULL, 0 };
			}
		}
		if (round % 5 == 4) {
			/* keep the first packets first: the stream's start is then where the SYN says */
			size_t keep = n > 2 ? 2 : n;
			mix_order(evs + keep, n - keep, round % 3);
		}
		char what[80];
		snprintf(what, sizeof what, "round %d (%zu events, isn %08" PRIx32 "/%08" PRIx32 ")", round, n, isn[0],
			 isn[1]);
		if (!same_as_model(evs, n, what, why, sizeof why))
			bad = 1;
	}
	check(!bad, "reasm: same data, gap and FIN calls as the sorted-array rules (overlaps, snap lengths, ACKs, wrap)",
	      why);
}

/* Property 3: the caps. Many held segments, reversed or shuffled: the bytes cap (full
 * segments), the count cap (caplen 0, 1-byte, FIN-only segments); the model and
 * reasm.c must trip them at the same places, and nothing may be held past them. */
static void caps(void)
{
	enum { SEGS = REASM_OOO_SEGS_MAX + 3000 };
	static struct ev evs[SEGS + 20000];
	static uint8_t data[1448];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	struct {
		const char *name;
		uint32_t n, len, caplen;
		int how; /* 1 reversed, 0 shuffled */
		int fin_only;
		int copies; /* each segment sent this many times: held once (same start, not longer) */
	} cases[] = {
		{ "bytes cap: 3,500 full segments reversed", 3500, 1448, 1448, 1, 0, 1 },
		{ "bytes cap: 3,500 full segments shuffled", 3500, 1448, 1448, 0, 0, 1 },
		{ "bytes cap: 2,800 full segments sent twice, shuffled", 2800, 1448, 1448, 0, 0, 2 },
		{ "count cap: caplen-0 segments reversed", SEGS, 1448, 0, 1, 0, 1 },
		{ "count cap: 1-byte segments shuffled", SEGS, 1, 1, 0, 0, 1 },
		{ "count cap: FIN-only segments reversed", SEGS, 0, 0, 1, 1, 1 },
		{ "count cap: 10,000 caplen-0 segments sent twice, shuffled", 10000, 100, 0, 0, 0, 2 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint32_t isn = 0xFFFFFFFFu - 5000; /* these wrap too */
		size_t n = 0;
		evs[n++] = (struct ev){ 0, 0, isn, TH_SYN, 0, 0, 1, NULL, 0 };
		for (int copy = 0; copy < cases[c].copies; copy++)
			for (uint32_t i = 0; i < cases[c].n; i++) {
				uint32_t step = cases[c].len ? cases[c].len : 1;
				uint16_t fl = TH_ACK | (cases[c].fin_only ? TH_FIN : 0);
				evs[n++] = (struct ev){ 0, 0, isn + 1 + i * step, fl, cases[c].len, cases[c].caplen,
							(uint32_t)n + 1, data, i };
			}
		mix_order(evs + 1, n - 1, cases[c].how);
		char why[900] = "";
		int ok = same_as_model(evs, n, cases[c].name, why, sizeof why);
		char name[120];
		snprintf(name, sizeof name, "reasm: %s", cases[c].name);
		check(ok, name, why);
	}
}

/* What an open connection keeps: every direction is 32 bytes, and one that only saw
 * in-order segments holds no tree and maps each frame once (200,000 open connections,
 * hostile.py many-conns, each pay this). */
static void idle_cost(void)
{
	struct run_ctx rc;
	struct log l = { 0 };
	sb_init(&l.text);
	rc.l = &l;
	reasm_init(&rc.r, &run_ops);
	static const uint8_t req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	reasm_segment(&rc.r, 0, 1000, TH_ACK | TH_PSH, req, sizeof req - 1, sizeof req - 1, 1, 1);
	reasm_segment(&rc.r, 0, 1000 + sizeof req - 1, TH_ACK, req, 10, 10, 2, 2);
	reasm_segment(&rc.r, 0, 1000 + sizeof req - 1 + 30, TH_ACK, req, 10, 10, 3, 3); /* a hole: held */
	int held_one = reasm_held_segs(&rc.r, 0) == 1 && rc.r.d[0].held != NULL;
	reasm_segment(&rc.r, 0, 1000 + sizeof req - 1 + 10, TH_ACK, req, 20, 20, 4, 4); /* fills it */
	int ok = sizeof(struct reasm_dir) <= 32 || sizeof(void *) != 8;
	check(ok, "reasm: a direction's state is 32 bytes", "struct reasm_dir grew");
	check(held_one && rc.r.d[0].held == NULL && rc.r.d[1].held == NULL && rc.r.d[1].map == NULL,
	      "reasm: held-segment bookkeeping exists only while a segment is held", l.text.s);
	check(rc.r.d[0].map && rc.r.d[0].map->n == 4 && rc.r.d[0].map->cap == 4,
	      "reasm: the frame map starts at one entry and doubles", "map not 4 entries in 4");
	reasm_fini(&rc.r);
	sb_fini(&l.text);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	order_does_not_matter();
	rules_unchanged();
	caps();
	idle_cost();
	return fails ? 1 : 0;
}
