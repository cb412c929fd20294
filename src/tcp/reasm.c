/* reasm.c: see reasm.h. Sequence numbers are compared modulo 2^32 (RFC 9293 §3.4):
 * a segment's place is its signed distance from the next expected sequence number,
 * turned into a 64-bit stream offset so streams over 4 GB keep counting. */
#include "reasm.h"

#include "../base/xalloc.h"
#include "../decode/pkt.h"

#include <stdlib.h>
#include <string.h>

void reasm_init(struct reasm *r, struct reasm_cb cb)
{
	memset(r, 0, sizeof *r);
	r->cb = cb;
}

void reasm_fini(struct reasm *r)
{
	for (int d = 0; d < 2; d++) {
		for (size_t i = 0; i < r->d[d].n_ooo; i++)
			xfree(r->d[d].ooo[i].data);
		xfree(r->d[d].ooo);
		xfree(r->d[d].map);
	}
	memset(r, 0, sizeof *r);
}

static void map_add(struct reasm_dir *d, uint64_t off, uint32_t frame, int64_t ts)
{
	if (d->n_map && d->map[d->n_map - 1].frame == frame)
		return;
	if (d->n_map >= REASM_MAP_MAX) {
		/* Drop the older half: they were not released, so the consumer holds a very
		 * long message; its first frame will be reported late, not wrongly placed. */
		size_t keep = REASM_MAP_MAX / 2;
		memmove(d->map, d->map + (d->n_map - keep), keep * sizeof *d->map);
		d->n_map = keep;
	}
	xgrow(&d->map, &d->cap_map, d->n_map + 1, sizeof *d->map);
	d->map[d->n_map].off = off;
	d->map[d->n_map].frame = frame;
	d->map[d->n_map].ts = ts;
	d->n_map++;
}

void reasm_map_frame(struct reasm *r, int dir, uint64_t off, uint32_t frame, int64_t ts)
{
	map_add(&r->d[dir], off, frame, ts);
}

uint32_t reasm_frame_at(const struct reasm *r, int dir, uint64_t off, int64_t *ts)
{
	const struct reasm_dir *d = &r->d[dir];
	if (!d->n_map) {
		if (ts)
			*ts = 0;
		return 0;
	}
	/* Last entry with entry.off <= off (binary search; the map is sorted). */
	size_t lo = 0, hi = d->n_map;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->map[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (ts)
		*ts = d->map[lo].ts;
	return d->map[lo].frame;
}

void reasm_release(struct reasm *r, int dir, uint64_t off)
{
	struct reasm_dir *d = &r->d[dir];
	size_t i = 0;
	/* Keep the entry covering off itself. */
	while (i + 1 < d->n_map && d->map[i + 1].off <= off)
		i++;
	if (i) {
		memmove(d->map, d->map + i, (d->n_map - i) * sizeof *d->map);
		d->n_map -= i;
	}
}

/* Delivers the in-order part of a segment starting at or before next_off. */
static void deliver(struct reasm *r, int dir, const struct reasm_seg *s)
{
	struct reasm_dir *d = &r->d[dir];
	uint64_t end = s->off + s->len;
	if (end > d->next_off) {
		uint64_t skip = d->next_off - s->off; /* s->off <= next_off */
		uint64_t cap_end = s->off + s->caplen;
		if (cap_end > d->next_off) {
			size_t n = (size_t)(cap_end - d->next_off);
			map_add(d, d->next_off, s->frame, s->ts);
			if (r->cb.data)
				r->cb.data(r->cb.ctx, dir, s->data + skip, n, d->next_off);
			d->next_off += n;
			d->next_seq += (uint32_t)n;
		}
		if (end > d->next_off) {
			/* Cut by the snap length: the rest existed but was not captured. */
			uint64_t miss = end - d->next_off;
			d->gaps++;
			d->gap_bytes += miss;
			map_add(d, d->next_off, s->frame, s->ts);
			if (r->cb.gap)
				r->cb.gap(r->cb.ctx, dir, d->next_off, miss);
			d->next_off += miss;
			d->next_seq += (uint32_t)miss;
		}
	}
	if (s->fin && !d->fin_done && end <= d->next_off) {
		d->fin_done = 1;
		d->next_seq++; /* the FIN takes one sequence number */
		if (r->cb.fin)
			r->cb.fin(r->cb.ctx, dir, d->next_off);
	}
}

/* Delivers held segments that now fit. */
static void drain(struct reasm *r, int dir)
{
	struct reasm_dir *d = &r->d[dir];
	size_t i = 0;
	while (i < d->n_ooo && d->ooo[i].off <= d->next_off) {
		deliver(r, dir, &d->ooo[i]);
		d->ooo_bytes -= d->ooo[i].caplen;
		xfree(d->ooo[i].data);
		i++;
	}
	if (i) {
		memmove(d->ooo, d->ooo + i, (d->n_ooo - i) * sizeof *d->ooo);
		d->n_ooo -= i;
	}
}

/* Declares the hole before the first held segment (or up to `upto`) a gap. */
static void skip_hole(struct reasm *r, int dir, uint64_t upto)
{
	struct reasm_dir *d = &r->d[dir];
	uint64_t to = upto;
	if (d->n_ooo && d->ooo[0].off < to)
		to = d->ooo[0].off;
	if (to > d->next_off) {
		uint64_t n = to - d->next_off;
		d->gaps++;
		d->gap_bytes += n;
		if (r->cb.gap)
			r->cb.gap(r->cb.ctx, dir, d->next_off, n);
		d->next_off = to;
		d->next_seq += (uint32_t)n;
	}
	drain(r, dir);
}

static void hold(struct reasm *r, int dir, uint64_t off, const uint8_t *p, uint32_t caplen, uint32_t len,
		 int fin, uint32_t frame, int64_t ts)
{
	struct reasm_dir *d = &r->d[dir];
	size_t i = d->n_ooo;
	while (i > 0 && d->ooo[i - 1].off > off)
		i--;
	/* The same start held already: keep the longer (first copy's bytes win). */
	if (i > 0 && d->ooo[i - 1].off == off && d->ooo[i - 1].len >= len && !(fin && !d->ooo[i - 1].fin))
		return;
	xgrow(&d->ooo, &d->cap_ooo, d->n_ooo + 1, sizeof *d->ooo);
	memmove(d->ooo + i + 1, d->ooo + i, (d->n_ooo - i) * sizeof *d->ooo);
	struct reasm_seg *s = &d->ooo[i];
	s->off = off;
	s->len = len;
	s->caplen = caplen;
	s->frame = frame;
	s->ts = ts;
	s->fin = (uint8_t)fin;
	s->data = xmalloc(caplen ? caplen : 1);
	if (caplen)
		memcpy(s->data, p, caplen);
	d->n_ooo++;
	d->ooo_bytes += caplen;
	while (d->ooo_bytes > REASM_OOO_MAX && d->n_ooo)
		skip_hole(r, dir, d->ooo[0].off);
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
	if (off <= d->next_off) {
		struct reasm_seg s = { off, len, caplen, frame, ts, (uint8_t)fin, (uint8_t *)(uintptr_t)p };
		deliver(r, dir, &s);
		drain(r, dir);
	} else {
		hold(r, dir, off, p, caplen, len, fin, frame, ts);
	}
}

void reasm_ack(struct reasm *r, int dir, uint32_t ack)
{
	struct reasm_dir *o = &r->d[1 - dir];
	/* Only a hole with held bytes after it is declared: an ACK alone may be captured
	 * before the data it acknowledges (capture ordering across interfaces/CPUs). */
	if (!o->started || o->fin_done || !o->n_ooo)
		return;
	int32_t dist = (int32_t)(ack - o->next_seq);
	if (dist <= 0)
		return;
	/* The peer had bytes we never saw. A held FIN segment ends the range: the ACK of
	 * a FIN counts one past the last byte. */
	uint64_t upto = o->next_off + (uint64_t)dist;
	for (size_t i = 0; i < o->n_ooo; i++)
		if (o->ooo[i].fin && o->ooo[i].off + o->ooo[i].len < upto)
			upto = o->ooo[i].off + o->ooo[i].len;
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
		while (d->n_ooo) {
			size_t before = d->n_ooo;
			skip_hole(r, dir, d->ooo[0].off);
			if (d->n_ooo == before)
				break;
		}
	}
}
