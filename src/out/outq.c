/* outq.c: see outq.h. A connection's held text is a list of records (key, length,
 * bytes): in memory first; when the memory held passes its limit, every connection's
 * records in memory are sorted and written to the temporary file as one run each.
 * Printing a connection reads its runs back in order (one after the other when their
 * keys do not overlap, which is the rule: records mostly come in key order; else
 * merged), then what is still in memory. */
#include "outq.h"

#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes of a run read back at a time (grown for a longer record). */
#define OUTQ_READ_CHUNK ((size_t)64 << 10)
/* A record's header: its key (8 bytes), its length (4). */
#define REC_HDR 12
/* A record longer than this is cut (the length field is 32 bits; no view makes one
 * near it: a chat bubble folds its payload, an HTTP exchange lists headers). */
#define OUTQ_REC_MAX ((size_t)UINT32_MAX - REC_HDR)

struct oq_run {
	uint64_t off, len, min, max;
};

struct oq_conn {
	char *mem;            /* records in memory */
	size_t len, cap;
	uint64_t min, max;    /* keys of the records in memory */
	uint32_t n_mem;
	uint8_t unsorted;     /* a record came with a key below one before it */
	uint8_t dirty;        /* on the list of connections with records in memory */
	struct oq_run *runs;
	size_t n_runs, cap_runs;
	char *head, *tail;
	size_t n_head, n_tail;
};

enum { ST_OPEN = 0, ST_DONE = 1, ST_PRINTED = 2 };

/* One namespace of keys (TCP from 0, UDP from OUTQ_UDP): by index. */
struct oq_space {
	struct oq_conn **c;
	uint8_t *st;
	size_t n, cap;
};

struct outq {
	void (*emit)(void *ctx, const char *p, size_t n);
	void *ctx;
	size_t mem_max, held, peak;
	struct oq_space sp[2];
	size_t next;           /* TCP: every key below it is printed */
	/* connections with records in memory (some may be printed since: skipped) */
	struct oq_slot { uint32_t space; size_t i; } *dirty;
	size_t n_dirty, cap_dirty;
	int fd;                /* the temporary file, -1 until the first spill */
	uint64_t fsize;
	char err[256];
	int failed;
};

struct outq *outq_new(size_t mem_max, void (*emit)(void *ctx, const char *p, size_t n), void *ctx)
{
	struct outq *q = xcalloc(1, sizeof *q);
	q->emit = emit;
	q->ctx = ctx;
	/* CHATTCP_OUTQ_MAX=BYTES: a smaller limit, so tests take the temporary file's paths */
	const char *env = getenv("CHATTCP_OUTQ_MAX");
	if (!mem_max && env && *env)
		mem_max = (size_t)strtoull(env, NULL, 10);
	q->mem_max = mem_max ? mem_max : OUTQ_MEM_MAX;
	q->fd = -1;
	return q;
}

const char *outq_error(const struct outq *q) { return q->failed ? q->err : NULL; }
uint64_t outq_spilled(const struct outq *q) { return q->fsize; }
size_t outq_peak(const struct outq *q) { return q->peak; }

static void fail(struct outq *q, const char *what, int e)
{
	if (q->failed)
		return;
	q->failed = 1;
	const char *dir = getenv("TMPDIR");
	snprintf(q->err, sizeof q->err, "cannot hold the output to print it in connection order: %s %s: %s "
		 "(%llu MB held there; set TMPDIR to a larger file system, or choose fewer connections with -c)",
		 what, dir && *dir ? dir : "/tmp", strerror(e), (unsigned long long)(q->fsize >> 20));
}

/* The slot of conn, grown to hold it. */
static struct oq_space *space_of(struct outq *q, uint64_t conn, size_t *i)
{
	struct oq_space *s = &q->sp[conn >= OUTQ_UDP];
	uint64_t k = conn >= OUTQ_UDP ? conn - OUTQ_UDP : conn;
	*i = (size_t)k;
	if (*i >= s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		while (cap <= *i)
			cap *= 2;
		s->c = xrealloc(s->c, cap * sizeof *s->c);
		s->st = xrealloc(s->st, cap);
		memset(s->c + s->cap, 0, (cap - s->cap) * sizeof *s->c);
		memset(s->st + s->cap, 0, cap - s->cap);
		s->cap = cap;
	}
	if (*i >= s->n)
		s->n = *i + 1;
	return s;
}

static struct oq_conn *conn_get(struct oq_space *s, size_t i)
{
	if (!s->c[i])
		s->c[i] = xcalloc(1, sizeof *s->c[i]);
	return s->c[i];
}

static void conn_free(struct outq *q, struct oq_conn *c)
{
	q->held -= c->cap;
	xfree(c->mem);
	xfree(c->runs);
	xfree(c->head);
	xfree(c->tail);
	xfree(c);
}

/* ---- records in memory ---- */

struct rec_ix {
	uint64_t key;
	size_t at, pos;
};

static int rec_ix_cmp(const void *a, const void *b)
{
	const struct rec_ix *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static void rec_hdr(const char *p, uint64_t *key, uint32_t *n)
{
	memcpy(key, p, 8);
	memcpy(n, p + 8, 4);
}

/* c's records in memory in key order (stable): an index of their offsets, or NULL
 * when they are in order already. */
static struct rec_ix *mem_order(const struct oq_conn *c)
{
	if (!c->unsorted)
		return NULL;
	struct rec_ix *ix = xmalloc((c->n_mem ? c->n_mem : 1) * sizeof *ix);
	size_t at = 0;
	for (uint32_t i = 0; i < c->n_mem; i++) {
		uint32_t n;
		rec_hdr(c->mem + at, &ix[i].key, &n);
		ix[i].at = at;
		ix[i].pos = i;
		at += REC_HDR + n;
	}
	qsort(ix, c->n_mem, sizeof *ix, rec_ix_cmp);
	return ix;
}

static int write_all(struct outq *q, const char *p, size_t n)
{
	while (n) {
		ssize_t k = pwrite(q->fd, p, n, (off_t)q->fsize);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			fail(q, "writing a temporary file in", k < 0 ? errno : ENOSPC);
			return -1;
		}
		p += k;
		n -= (size_t)k;
		q->fsize += (uint64_t)k;
	}
	return 0;
}

static int spool_open(struct outq *q)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* A file system without O_TMPFILE: make a file and unlink it at once. */
		char path[4096];
		if (snprintf(path, sizeof path, "%s/chattcp-outq-XXXXXX", dir) < (int)sizeof path) {
			fd = mkostemp(path, O_CLOEXEC);
			if (fd >= 0)
				unlink(path);
		}
	}
	if (fd < 0) {
		fail(q, "making a temporary file in", errno);
		return -1;
	}
	q->fd = fd;
	return 0;
}

/* Writes c's records in memory as one run (sorted) and frees them. */
static void spill_conn(struct outq *q, struct oq_conn *c)
{
	if (!c->n_mem || q->failed)
		return;
	struct oq_run r = { q->fsize, 0, c->min, c->max };
	struct rec_ix *ix = mem_order(c);
	if (!ix) {
		write_all(q, c->mem, c->len);
	} else {
		for (uint32_t i = 0; i < c->n_mem && !q->failed; i++) {
			uint64_t key;
			uint32_t n;
			rec_hdr(c->mem + ix[i].at, &key, &n);
			write_all(q, c->mem + ix[i].at, REC_HDR + (size_t)n);
		}
		xfree(ix);
	}
	r.len = q->fsize - r.off;
	if (c->n_runs == c->cap_runs) {
		/* from one: most connections spill once, if at all, and there may be many */
		c->cap_runs = c->cap_runs ? c->cap_runs * 2 : 1;
		c->runs = xrealloc(c->runs, c->cap_runs * sizeof *c->runs);
	}
	c->runs[c->n_runs++] = r;
	q->held -= c->cap;
	xfree(c->mem);
	c->mem = NULL;
	c->len = c->cap = 0;
	c->n_mem = 0;
	c->unsorted = 0;
}

static struct oq_conn *dirty_conn(struct outq *q, const struct oq_slot *d)
{
	struct oq_conn *c = q->sp[d->space].c[d->i];
	return c && c->dirty ? c : NULL;
}

/* Memory is past its limit: every connection's records go to the file. */
static void spill_all(struct outq *q)
{
	if (q->fd < 0 && spool_open(q) < 0)
		return;
	for (size_t i = 0; i < q->n_dirty && !q->failed; i++) {
		struct oq_conn *c = dirty_conn(q, &q->dirty[i]);
		if (c) {
			spill_conn(q, c);
			c->dirty = 0;
		}
	}
	q->n_dirty = 0;
}

/* The dirty list without the connections printed since (now and then, so it does not
 * grow with every connection when nothing is spilled). */
static void dirty_compact(struct outq *q)
{
	size_t k = 0;
	for (size_t i = 0; i < q->n_dirty; i++)
		if (dirty_conn(q, &q->dirty[i]))
			q->dirty[k++] = q->dirty[i];
	q->n_dirty = k;
}

/* ---- printing ---- */

/* A run read back record by record. */
struct cursor {
	uint64_t off, end;    /* what is left of the run in the file */
	char *buf;
	size_t cap, pos, have;
	uint64_t key;         /* the current record */
	const char *text;
	uint32_t n;
};

/* Makes `need` bytes from pos available in the buffer. 0, or -1. */
static int cur_fill(struct outq *q, struct cursor *k, size_t need)
{
	if (k->have - k->pos >= need)
		return 0;
	memmove(k->buf, k->buf + k->pos, k->have - k->pos);
	k->have -= k->pos;
	k->pos = 0;
	if (need > k->cap) {
		k->buf = xrealloc(k->buf, need);
		k->cap = need;
	}
	while (k->have < need) {
		size_t want = k->cap - k->have;
		if (want > k->end - k->off)
			want = (size_t)(k->end - k->off);
		ssize_t r = want ? pread(q->fd, k->buf + k->have, want, (off_t)k->off) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fail(q, "reading back a temporary file in", r < 0 ? errno : EIO);
			return -1;
		}
		k->have += (size_t)r;
		k->off += (uint64_t)r;
	}
	return 0;
}

/* The next record of the run: 1, 0 at its end, -1 on an error. */
static int cur_next(struct outq *q, struct cursor *k)
{
	if (k->pos == k->have && k->off == k->end)
		return 0;
	if (cur_fill(q, k, REC_HDR) < 0)
		return -1;
	rec_hdr(k->buf + k->pos, &k->key, &k->n);
	if (cur_fill(q, k, REC_HDR + (size_t)k->n) < 0)
		return -1;
	k->text = k->buf + k->pos + REC_HDR;
	k->pos += REC_HDR + (size_t)k->n;
	return 1;
}

static void cur_open(struct cursor *k, const struct oq_run *r)
{
	memset(k, 0, sizeof *k);
	k->off = r->off;
	k->end = r->off + r->len;
	k->cap = OUTQ_READ_CHUNK;
	k->buf = xmalloc(k->cap);
}

static void print_runs(struct outq *q, struct oq_conn *c)
{
	int apart = 1; /* runs one after the other in key order */
	for (size_t i = 1; i < c->n_runs; i++)
		if (c->runs[i].min < c->runs[i - 1].max)
			apart = 0;
	if (apart) {
		struct cursor k;
		for (size_t i = 0; i < c->n_runs && !q->failed; i++) {
			cur_open(&k, &c->runs[i]);
			while (cur_next(q, &k) == 1)
				q->emit(q->ctx, k.text, k.n);
			xfree(k.buf);
		}
		return;
	}
	/* Merged: the least key of all runs' current records, the earliest run on ties. */
	struct cursor *ks = xcalloc(c->n_runs, sizeof *ks);
	int *live = xcalloc(c->n_runs, sizeof *live);
	for (size_t i = 0; i < c->n_runs; i++) {
		cur_open(&ks[i], &c->runs[i]);
		live[i] = cur_next(q, &ks[i]) == 1;
	}
	for (;;) {
		size_t best = c->n_runs;
		for (size_t i = 0; i < c->n_runs; i++)
			if (live[i] && (best == c->n_runs || ks[i].key < ks[best].key))
				best = i;
		if (best == c->n_runs || q->failed)
			break;
		q->emit(q->ctx, ks[best].text, ks[best].n);
		live[best] = cur_next(q, &ks[best]) == 1;
	}
	for (size_t i = 0; i < c->n_runs; i++)
		xfree(ks[i].buf);
	xfree(ks);
	xfree(live);
}

static void print_conn(struct outq *q, struct oq_conn *c)
{
	if (q->failed)
		return;
	if (c->head)
		q->emit(q->ctx, c->head, c->n_head);
	if (c->n_runs) {
		/* what is in memory joins the runs when it overlaps them */
		if (c->n_mem && c->min < c->runs[c->n_runs - 1].max)
			spill_conn(q, c);
		print_runs(q, c);
	}
	if (c->n_mem && !q->failed) {
		struct rec_ix *ix = mem_order(c);
		size_t at = 0;
		for (uint32_t i = 0; i < c->n_mem; i++) {
			size_t p = ix ? ix[i].at : at;
			uint64_t key;
			uint32_t n;
			rec_hdr(c->mem + p, &key, &n);
			q->emit(q->ctx, c->mem + p + REC_HDR, n);
			at += REC_HDR + n;
		}
		xfree(ix);
	}
	if (c->tail && !q->failed)
		q->emit(q->ctx, c->tail, c->n_tail);
}

/* Prints connection i of space s and forgets it. */
static void print_slot(struct outq *q, struct oq_space *s, size_t i)
{
	struct oq_conn *c = s->c[i];
	s->st[i] = ST_PRINTED;
	if (!c)
		return;
	print_conn(q, c);
	conn_free(q, c);
	s->c[i] = NULL;
}

/* ---- the interface ---- */

void outq_add(struct outq *q, uint64_t conn, uint64_t key, const char *p, size_t n)
{
	if (q->failed)
		return;
	size_t i;
	struct oq_space *s = space_of(q, conn, &i);
	if (s->st[i] == ST_PRINTED)
		return; /* (said done before: nothing more is printed of it) */
	struct oq_conn *c = conn_get(s, i);
	if (n > OUTQ_REC_MAX)
		n = OUTQ_REC_MAX;
	size_t need = c->len + REC_HDR + n;
	if (need > c->cap) {
		size_t cap = c->cap ? c->cap : 128;
		while (cap < need)
			cap *= 2;
		c->mem = xrealloc(c->mem, cap);
		q->held += cap - c->cap;
		c->cap = cap;
	}
	uint32_t n32 = (uint32_t)n;
	memcpy(c->mem + c->len, &key, 8);
	memcpy(c->mem + c->len + 8, &n32, 4);
	memcpy(c->mem + c->len + REC_HDR, p, n);
	c->len = need;
	if (!c->n_mem || key < c->min)
		c->min = key;
	if (c->n_mem && key < c->max)
		c->unsorted = 1;
	if (!c->n_mem || key > c->max)
		c->max = key;
	c->n_mem++;
	if (!c->dirty) {
		if (q->n_dirty >= 4096 && q->n_dirty == q->cap_dirty)
			dirty_compact(q);
		c->dirty = 1;
		xgrow(&q->dirty, &q->cap_dirty, q->n_dirty + 1, sizeof *q->dirty);
		q->dirty[q->n_dirty++] = (struct oq_slot){ (uint32_t)(s - q->sp), i };
	}
	if (q->held > q->peak)
		q->peak = q->held;
	if (q->held > q->mem_max)
		spill_all(q);
}

static char *dup_bytes(const char *p, size_t n)
{
	if (!p)
		return NULL;
	char *d = xmalloc(n ? n : 1);
	memcpy(d, p, n);
	return d;
}

void outq_done(struct outq *q, uint64_t conn, const char *head, size_t n_head, const char *tail, size_t n_tail)
{
	if (q->failed)
		return;
	size_t i;
	struct oq_space *s = space_of(q, conn, &i);
	if (s->st[i] != ST_OPEN)
		return;
	if (head || tail) {
		struct oq_conn *c = conn_get(s, i);
		c->head = dup_bytes(head, n_head);
		c->n_head = n_head;
		c->tail = dup_bytes(tail, n_tail);
		c->n_tail = n_tail;
	}
	s->st[i] = ST_DONE;
	if (s != &q->sp[0])
		return;
	while (q->next < s->n && s->st[q->next] == ST_DONE && !q->failed)
		print_slot(q, s, q->next++);
}

int outq_finish(struct outq *q)
{
	for (int k = 0; k < 2 && !q->failed; k++) {
		struct oq_space *s = &q->sp[k];
		for (size_t i = k ? 0 : q->next; i < s->n && !q->failed; i++)
			if (s->st[i] != ST_PRINTED)
				print_slot(q, s, i);
		if (!k)
			q->next = s->n;
	}
	return q->failed ? -1 : 0;
}

void outq_free(struct outq *q)
{
	if (!q)
		return;
	for (int k = 0; k < 2; k++) {
		struct oq_space *s = &q->sp[k];
		for (size_t i = 0; i < s->n; i++)
			if (s->c[i])
				conn_free(q, s->c[i]);
		xfree(s->c);
		xfree(s->st);
	}
	xfree(q->dirty);
	if (q->fd >= 0)
		close(q->fd);
	xfree(q);
}
