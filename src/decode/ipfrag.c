/* ipfrag.c: rebuilding IPv4 (RFC 791) and IPv6 (RFC 8200 4.5) datagrams from their
 * fragments, so a UDP datagram or TCP segment split on the way is seen whole, in the
 * frame that completed it (as tshark shows it). Fragments of datagrams that never
 * complete are dropped when the table is full or they get old. */
#include "decode_int.h"

#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Datagrams being rebuilt at once: a capture with more than this many incomplete
 * datagrams in flight loses the oldest (bounded memory on a fragment flood). */
#define FRAG_MAX_PENDING 256
/* A datagram whose fragments are more than this many frames apart is given up. */
#define FRAG_MAX_AGE_FRAMES 100000
#define FRAG_MAX_DATAGRAM 65535

struct frag_range {
	uint32_t off, len;
};

struct frag_pending {
	int used;
	struct frag_key key;
	uint32_t first_frame, last_frame;
	uint32_t total;      /* known once the last fragment (no "more") arrives; 0 before */
	uint8_t *buf;        /* FRAG_MAX_DATAGRAM bytes */
	struct frag_range *ranges;
	size_t n_ranges, cap_ranges;
};

struct ipfrag {
	struct frag_pending slot[FRAG_MAX_PENDING];
	uint8_t *done;       /* the last completed datagram, handed out until the next call */
};

struct ipfrag *ipfrag_new(void) { return xcalloc(1, sizeof(struct ipfrag)); }

static void release(struct frag_pending *p)
{
	xfree(p->buf);
	xfree(p->ranges);
	memset(p, 0, sizeof *p);
}

void ipfrag_free(struct ipfrag *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < FRAG_MAX_PENDING; i++)
		release(&f->slot[i]);
	xfree(f->done);
	xfree(f);
}

static int key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->id == b->id && a->proto == b->proto && a->src.family == b->src.family &&
	       memcmp(a->src.a, b->src.a, 16) == 0 && memcmp(a->dst.a, b->dst.a, 16) == 0;
}

/* Pieces (disjoint byte ranges) one datagram may have at once. Real fragments arrive
 * in order or nearly, so they merge into one or two pieces; thousands of gaps are a
 * crafted flood, and such a datagram is dropped rather than searched on every fragment
 * (see tests/suite/bad-input, "fragment-flood"). */
#define FRAG_MAX_PIECES 1024

/* Adds [off, off + len) to p's list of pieces, kept sorted, disjoint and not touching,
 * merging the ones it meets: the cost per fragment is bounded by FRAG_MAX_PIECES, and
 * repeated or overlapping fragments do not grow the list. Returns -1 (nothing added)
 * when one more piece would pass FRAG_MAX_PIECES. */
static int add_range(struct frag_pending *p, uint32_t off, uint32_t len)
{
	if (len == 0)
		return 0;
	uint32_t end = off + len; /* <= FRAG_MAX_DATAGRAM, checked by the caller */
	size_t i = 0;
	while (i < p->n_ranges && p->ranges[i].off + p->ranges[i].len < off)
		i++;
	size_t j = i; /* pieces i..j-1 overlap or touch [off, end) */
	while (j < p->n_ranges && p->ranges[j].off <= end) {
		uint32_t e = p->ranges[j].off + p->ranges[j].len;
		if (p->ranges[j].off < off)
			off = p->ranges[j].off;
		if (e > end)
			end = e;
		j++;
	}
	if (i == j) {
		if (p->n_ranges >= FRAG_MAX_PIECES)
			return -1;
		xgrow(&p->ranges, &p->cap_ranges, p->n_ranges + 1, sizeof *p->ranges);
		memmove(&p->ranges[i + 1], &p->ranges[i], (p->n_ranges - i) * sizeof *p->ranges);
		p->n_ranges++;
	} else if (j - i > 1) {
		memmove(&p->ranges[i + 1], &p->ranges[j], (p->n_ranges - j) * sizeof *p->ranges);
		p->n_ranges -= j - i - 1;
	}
	p->ranges[i].off = off;
	p->ranges[i].len = end - off;
	return 0;
}

/* 1 when [0, total) is covered: the first piece starts at 0 and reaches total. */
static int complete(const struct frag_pending *p)
{
	return p->total && p->n_ranges && p->ranges[0].off == 0 && p->ranges[0].len >= p->total;
}

int ipfrag_add(struct ipfrag *f, const struct frag_key *k, uint32_t frame, uint32_t off, int more,
	       const uint8_t *data, uint32_t len, const uint8_t **out, uint32_t *out_len)
{
	if (off > FRAG_MAX_DATAGRAM || len > FRAG_MAX_DATAGRAM - off)
		return -1; /* claims to reach past 64 KiB: cannot be a real datagram */
	struct frag_pending *p = NULL, *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < FRAG_MAX_PENDING; i++) {
		struct frag_pending *s = &f->slot[i];
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (frame - s->last_frame > FRAG_MAX_AGE_FRAMES) {
			release(s);
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (key_eq(&s->key, k)) {
			p = s;
			break;
		}
		if (!oldest || s->last_frame < oldest->last_frame)
			oldest = s;
	}
	if (!p) {
		if (!free_slot) {
			release(oldest);
			free_slot = oldest;
		}
		p = free_slot;
		p->used = 1;
		p->key = *k;
		p->first_frame = frame;
		p->buf = xmalloc(FRAG_MAX_DATAGRAM);
	}
	p->last_frame = frame;
	memcpy(p->buf + off, data, len);
	if (add_range(p, off, len) < 0) {
		release(p);
		return -1;
	}
	if (!more)
		p->total = off + len;
	if (!complete(p))
		return 0;
	xfree(f->done);
	f->done = p->buf;
	*out = p->buf;
	*out_len = p->total;
	p->buf = NULL;
	release(p);
	return 1;
}
