/* reasm.c: see reasm.h. Sequence numbers are compared modulo 2^32 (RFC 9293 §3.4):
 * a segment's place is its signed distance from the next expected sequence number,
 * turned into a 64-bit stream offset so streams over 4 GB keep counting.
 *
 * Held segments live in an AVL tree (Adelson-Velsky and Landis, 1962: the heights of
 * a node's two subtrees differ by at most one, so the height stays below 1.45 log2 n)
 * keyed by stream offset. A segment goes right of every equal offset, so the in-order
 * walk is by offset, then by arrival: the order a sorted array with insertion after
 * equal keys had, and therefore the order bytes are delivered in (the first delivered
 * copy of a byte wins). Segments leave only from the front (the least offset). Each
 * node also knows the least end of a held FIN in its subtree, which is all an ACK
 * needs to know of them. Reversed or shuffled segments thus cost O(log n) each, not
 * the O(n) scan and move they cost in a sorted array. */
#include "reasm.h"

#include "../base/xalloc.h"
#include "../decode/pkt.h"

#include <stdlib.h>
#include <string.h>

struct reasm_seg {
	struct reasm_seg *kid[2]; /* [0]: lesser offsets; [1]: greater or equal, later */
	uint64_t off;
	uint64_t fin_end_min;     /* least off + len of a FIN segment in this subtree; UINT64_MAX: none */
	uint32_t len;             /* bytes on the wire */
	uint32_t caplen;          /* bytes held (captured) */
	uint32_t frame;
	int64_t ts;
	uint8_t fin;
	uint8_t height;           /* of this subtree: 1 for a leaf */
	uint8_t data[];           /* caplen bytes */
};

struct reasm_held {
	struct reasm_seg *root;
	uint32_t n;     /* segments held: <= REASM_OOO_SEGS_MAX (+1 while a cap trips) */
	uint32_t bytes; /* their captured bytes: <= REASM_OOO_MAX plus one segment */
};

/* What deliver() needs of a segment, held or in hand. */
struct piece {
	uint64_t off;
	uint32_t len, caplen, frame;
	int64_t ts;
	int fin;
	const uint8_t *data;
};

static int height(const struct reasm_seg *n) { return n ? n->height : 0; }

static uint64_t fin_end_min(const struct reasm_seg *n) { return n ? n->fin_end_min : UINT64_MAX; }

/* Recomputes n's height and FIN summary from its children. */
static void update(struct reasm_seg *n)
{
	int hl = height(n->kid[0]), hr = height(n->kid[1]);
	n->height = (uint8_t)(1 + (hl > hr ? hl : hr));
	uint64_t m = n->fin ? n->off + n->len : UINT64_MAX;
	uint64_t ml = fin_end_min(n->kid[0]), mr = fin_end_min(n->kid[1]);
	if (ml < m)
		m = ml;
	if (mr < m)
		m = mr;
	n->fin_end_min = m;
}

/* Turns n's child on side s into the subtree's root (the in-order walk is unchanged). */
static struct reasm_seg *rotate(struct reasm_seg *n, int s)
{
	struct reasm_seg *c = n->kid[s];
	n->kid[s] = c->kid[!s];
	c->kid[!s] = n;
	update(n);
	update(c);
	return c;
}

/* Restores the AVL property at n, whose subtrees are AVL trees differing in height by
 * at most two; returns the subtree's new root. */
static struct reasm_seg *rebalance(struct reasm_seg *n)
{
	update(n);
	int bal = height(n->kid[1]) - height(n->kid[0]);
	if (bal > 1 || bal < -1) {
		int s = bal > 1; /* the taller side */
		struct reasm_seg *c = n->kid[s];
		if (height(c->kid[!s]) > height(c->kid[s]))
			n->kid[s] = rotate(c, !s);
		n = rotate(n, s);
	}
	return n;
}

/* Inserts node x after every node with an offset <= x->off. Recursion depth is the
 * tree's height: below 1.45 log2(REASM_OOO_SEGS_MAX + 2), about 21. */
static struct reasm_seg *tree_insert(struct reasm_seg *n, struct reasm_seg *x)
{
	if (!n) {
		x->kid[0] = x->kid[1] = NULL;
		update(x);
		return x;
	}
	int s = x->off >= n->off;
	n->kid[s] = tree_insert(n->kid[s], x);
	return rebalance(n);
}

/* Detaches the first node (least offset, earliest of equals) into *first. */
static struct reasm_seg *tree_pop_first(struct reasm_seg *n, struct reasm_seg **first)
{
	if (!n->kid[0]) {
		*first = n;
		return n->kid[1];
	}
	n->kid[0] = tree_pop_first(n->kid[0], first);
	return rebalance(n);
}

static struct reasm_seg *tree_first(struct reasm_seg *n)
{
	while (n && n->kid[0])
		n = n->kid[0];
	return n;
}

/* The last node in walk order with an offset <= off, or NULL. */
static struct reasm_seg *tree_last_at_or_before(struct reasm_seg *n, uint64_t off)
{
	struct reasm_seg *best = NULL;
	while (n) {
		if (n->off <= off) {
			best = n;
			n = n->kid[1];
		} else {
			n = n->kid[0];
		}
	}
	return best;
}

static void tree_free(struct reasm_seg *n)
{
	if (!n)
		return;
	tree_free(n->kid[0]);
	tree_free(n->kid[1]);
	xfree(n);
}

void reasm_init(struct reasm *r, const struct reasm_ops *ops)
{
	memset(r, 0, sizeof *r);
	r->ops = ops;
}

void reasm_fini(struct reasm *r)
{
	for (int d = 0; d < 2; d++) {
		if (r->d[d].held)
			tree_free(r->d[d].held->root);
		xfree(r->d[d].held);
		xfree(r->d[d].map);
	}
	memset(r, 0, sizeof *r);
}

static void map_add(struct reasm_dir *d, uint64_t off, uint32_t frame, int64_t ts)
{
	struct reasm_map *m = d->map;
	if (m && m->n && m->e[m->n - 1].frame == frame)
		return;
	if (m && m->n >= REASM_MAP_MAX) {
		/* Drop the older half: they were not released, so the consumer holds a very
		 * long message; its first frame will be reported late, not wrongly placed. */
		uint32_t keep = REASM_MAP_MAX / 2;
		memmove(m->e, m->e + (m->n - keep), keep * sizeof *m->e);
		m->n = keep;
	}
	if (!m || m->n == m->cap) {
		uint32_t cap = m ? m->cap * 2 : 1; /* <= REASM_MAP_MAX: a power of two */
		m = xrealloc(m, sizeof *m + cap * sizeof m->e[0]);
		if (!d->map)
			m->n = 0;
		m->cap = cap;
		d->map = m;
	}
	m->e[m->n].off = off;
	m->e[m->n].frame = frame;
	m->e[m->n].ts = ts;
	m->n++;
}

uint64_t reasm_datagram(struct reasm *r, int dir, size_t n, uint32_t frame, int64_t ts)
{
	struct reasm_dir *d = &r->d[dir];
	uint64_t off = d->next_off;
	map_add(d, off, frame, ts);
	d->next_off += n;
	return off;
}

uint32_t reasm_frame_at(const struct reasm *r, int dir, uint64_t off, int64_t *ts)
{
	const struct reasm_map *m = r->d[dir].map;
	if (!m || !m->n) {
		if (ts)
			*ts = 0;
		return 0;
	}
	/* Last entry with entry.off <= off (binary search; the map is sorted). */
	size_t lo = 0, hi = m->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->e[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (ts)
		*ts = m->e[lo].ts;
	return m->e[lo].frame;
}

void reasm_release(struct reasm *r, int dir, uint64_t off)
{
	struct reasm_map *m = r->d[dir].map;
	if (!m)
		return;
	size_t i = 0;
	/* Keep the entry covering off itself. */
	while (i + 1 < m->n && m->e[i + 1].off <= off)
		i++;
	if (i) {
		memmove(m->e, m->e + i, (m->n - i) * sizeof *m->e);
		m->n -= (uint32_t)i;
	}
}

size_t reasm_held_segs(const struct reasm *r, int dir) { return r->d[dir].held ? r->d[dir].held->n : 0; }

size_t reasm_held_bytes(const struct reasm *r, int dir) { return r->d[dir].held ? r->d[dir].held->bytes : 0; }

int reasm_held_height(const struct reasm *r, int dir)
{
	return r->d[dir].held ? height(r->d[dir].held->root) : 0;
}

/* The first held segment of d, or NULL. */
static struct reasm_seg *held_first(const struct reasm_dir *d) { return d->held ? tree_first(d->held->root) : NULL; }

/* Delivers the in-order part of a segment starting at or before next_off. */
static void deliver(struct reasm *r, int dir, const struct piece *s)
{
	struct reasm_dir *d = &r->d[dir];
	uint64_t end = s->off + s->len;
	if (end > d->next_off) {
		uint64_t skip = d->next_off - s->off; /* s->off <= next_off */
		uint64_t cap_end = s->off + s->caplen;
		if (cap_end > d->next_off) {
			size_t n = (size_t)(cap_end - d->next_off);
			map_add(d, d->next_off, s->frame, s->ts);
			if (r->ops->data)
				r->ops->data(r, dir, s->data + skip, n, d->next_off);
			d->next_off += n;
			d->next_seq += (uint32_t)n;
		}
		if (end > d->next_off) {
			/* Cut by the snap length: the rest existed but was not captured. */
			uint64_t miss = end - d->next_off;
			map_add(d, d->next_off, s->frame, s->ts);
			if (r->ops->gap)
				r->ops->gap(r, dir, d->next_off, miss);
			d->next_off += miss;
			d->next_seq += (uint32_t)miss;
		}
	}
	if (s->fin && !d->fin_done && end <= d->next_off) {
		d->fin_done = 1;
		d->next_seq++; /* the FIN takes one sequence number */
		if (r->ops->fin)
			r->ops->fin(r, dir, d->next_off);
	}
}

/* Delivers held segments that now fit, first to last. */
static void drain(struct reasm *r, int dir)
{
	struct reasm_dir *d = &r->d[dir];
	struct reasm_seg *first;
	while ((first = held_first(d)) && first->off <= d->next_off) {
		struct reasm_held *h = d->held;
		h->root = tree_pop_first(h->root, &first);
		h->n--;
		h->bytes -= first->caplen;
		struct piece pc = { first->off, first->len, first->caplen, first->frame, first->ts, first->fin,
				    first->data };
		deliver(r, dir, &pc);
		xfree(first);
	}
	if (d->held && !d->held->n) {
		xfree(d->held);
		d->held = NULL;
	}
}

/* Declares the hole before the first held segment (or up to `upto`) a gap. */
static void skip_hole(struct reasm *r, int dir, uint64_t upto)
{
	struct reasm_dir *d = &r->d[dir];
	uint64_t to = upto;
	const struct reasm_seg *first = held_first(d);
	if (first && first->off < to)
		to = first->off;
	if (to > d->next_off) {
		uint64_t n = to - d->next_off;
		if (r->ops->gap)
			r->ops->gap(r, dir, d->next_off, n);
		d->next_off = to;
		d->next_seq += (uint32_t)n;
	}
	drain(r, dir);
}

static void hold(struct reasm *r, int dir, const struct piece *pc)
{
	struct reasm_dir *d = &r->d[dir];
	/* The same start held already (the latest such): keep the longer (first copy's
	 * bytes win), unless only this one carries the FIN. */
	const struct reasm_seg *prev = d->held ? tree_last_at_or_before(d->held->root, pc->off) : NULL;
	if (prev && prev->off == pc->off && prev->len >= pc->len && !(pc->fin && !prev->fin))
		return;
	struct reasm_seg *s = xmalloc(sizeof *s + pc->caplen);
	s->off = pc->off;
	s->len = pc->len;
	s->caplen = pc->caplen;
	s->frame = pc->frame;
	s->ts = pc->ts;
	s->fin = (uint8_t)pc->fin;
	if (pc->caplen)
		memcpy(s->data, pc->data, pc->caplen);
	if (!d->held)
		d->held = xcalloc(1, sizeof *d->held);
	d->held->root = tree_insert(d->held->root, s);
	d->held->n++;
	d->held->bytes += pc->caplen;
	while (d->held && (d->held->bytes > REASM_OOO_MAX || d->held->n > REASM_OOO_SEGS_MAX)) {
		d->capping = 1;
		skip_hole(r, dir, held_first(d)->off);
		d->capping = 0;
	}
}

void reasm_segment(struct reasm *r, int dir, uint32_t seq, uint16_t flags, const uint8_t *p, uint32_t caplen,
		   uint32_t len, uint32_t frame, int64_t ts)
{
	struct reasm_dir *d = &r->d[dir];
	if (flags & TH_RST)
		return; /* RFC 9293 §3.10.7.4: RST payload is diagnostic text, not stream data */
	if (flags & TH_SYN) {
		if (!d->started || d->next_off == 0) {
			d->started = 1;
			d->next_seq = seq + 1;
			d->next_off = 0;
		}
		seq++; /* data on a SYN (TCP Fast Open) follows the SYN's number */
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
		return; /* before the start of the stream: nothing to place it at */
	uint64_t off = (uint64_t)((int64_t)d->next_off + dist);
	if (len == 0 && !fin)
		return;
	struct piece pc = { off, len, caplen, frame, ts, fin, p };
	if (off <= d->next_off) {
		deliver(r, dir, &pc);
		drain(r, dir);
	} else {
		hold(r, dir, &pc);
	}
}

void reasm_ack(struct reasm *r, int dir, uint32_t ack)
{
	struct reasm_dir *o = &r->d[1 - dir];
	/* Only a hole with held bytes after it is declared: an ACK alone may be captured
	 * before the data it acknowledges (capture ordering across interfaces/CPUs). */
	if (!o->started || o->fin_done || !o->held)
		return;
	int32_t dist = (int32_t)(ack - o->next_seq);
	if (dist <= 0)
		return;
	/* The peer had bytes we never saw. A held FIN segment ends the range: the ACK of
	 * a FIN counts one past the last byte. */
	uint64_t upto = o->next_off + (uint64_t)dist;
	if (o->held->root->fin_end_min < upto)
		upto = o->held->root->fin_end_min;
	while (o->next_off < upto) {
		uint64_t before = o->next_off;
		skip_hole(r, 1 - dir, upto);
		if (o->next_off == before)
			break;
	}
}

void reasm_finish(struct reasm *r)
{
	for (int dir = 0; dir < 2; dir++) {
		struct reasm_dir *d = &r->d[dir];
		while (d->held) {
			size_t before = d->held->n;
			skip_hole(r, dir, held_first(d)->off);
			if (d->held && d->held->n == before)
				break;
		}
	}
}
