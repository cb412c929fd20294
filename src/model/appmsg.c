/* appmsg.c: see appmsg.h. */
#include "appmsg.h"

#include "../base/sha.h"
#include "../base/xalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct app_event appmsg_events[APPEV_COUNT + 1] = {
	[APPEV_BUDGET_EXHAUSTED] = { "app.budget_exhausted", SEV_WARN, "the memory budget for what messages keep is spent (32 MiB a connection, 128 MiB a capture): later contents are counted, not kept" },
	[APPEV_NOTES_CAPPED] = { "app.notes_capped", SEV_NOTE, "more notes on one message than chattcp keeps (64): the rest are counted, not kept" },
	[APPEV_REASM_CAPPED] = { "app.reassembly_capped", SEV_WARN, "more data held out of order than chattcp holds (4 MiB or 16,384 segments a direction): the missing bytes before it are given up as a gap, and what needs them is not decoded" },
	[APPEV_COUNT] = { NULL, 0, NULL },
};

_Static_assert(sizeof(void *) != 8 || sizeof(struct appmsg) <= 136,
	       "struct appmsg grew: every message and every open connection's request has one");
_Static_assert(sizeof(void *) != 8 || sizeof(struct app_http) <= 88, "struct app_http grew: see its comment");
_Static_assert(sizeof(void *) != 8 || sizeof(struct applog_conn) <= 24, "struct applog_conn grew: one per connection");
_Static_assert(APPMSG_NOTES_MAX <= UINT8_MAX, "n_notes is 8 bits");
_Static_assert((APPMSG_NOTES_MAX & (APPMSG_NOTES_MAX - 1)) == 0, "a full notes array is a power of two");

/* A block of the log's messages, after the log it belongs to: a message finds its log
 * from its id (its place in the block), so no message carries a pointer to it. */
struct msg_block {
	struct applog *log;
	uint32_t retired;         /* messages of it retired (applog_conn_retire) */
	struct appmsg m[APPLOG_BLOCK];
};

static struct msg_block *block_at(const struct applog *l, size_t b)
{
	return (struct msg_block *)(void *)((char *)l->blocks[b] - offsetof(struct msg_block, m));
}

static struct applog *msg_log(const struct appmsg *m)
{
	const struct appmsg *first = m - m->id % APPLOG_BLOCK;
	return ((const struct msg_block *)(const void *)((const char *)first - offsetof(struct msg_block, m)))->log;
}

/* Entries an array of n elements has room for: a power of two (first `least`), so the
 * capacity need not be stored. */
static size_t room_for(size_t n, size_t least)
{
	if (!n)
		return 0;
	size_t c = least;
	while (c < n)
		c *= 2;
	return c;
}

/* The count of notes not kept, after a full notes array (one of APPMSG_NOTES_MAX). */
static uint64_t *notes_dropped(struct appmsg *m) { return (uint64_t *)(void *)(m->notes + APPMSG_NOTES_MAX); }

void applog_init(struct applog *l)
{
	memset(l, 0, sizeof *l);
	l->keep_max = APPLOG_KEEP_MAX;
	l->conn_keep_max = APPLOG_CONN_KEEP_MAX;
}

int applog_spent(const struct applog *l, uint32_t conn_idx)
{
	if (conn_idx < l->n_conns && l->conns[conn_idx].kept >= l->conn_keep_max)
		return 1;
	return l->kept >= l->keep_max ? 2 : 0;
}

/* Bytes kept by connection conn_idx's messages change by n (given back when negative). */
static void budget_add(struct applog *l, uint32_t conn_idx, int64_t n)
{
	struct applog_conn *lc = conn_idx < l->n_conns ? &l->conns[conn_idx] : NULL;
	if (n < 0) {
		uint64_t k = (uint64_t)-n;
		l->kept = l->kept > k ? l->kept - k : 0;
		if (lc)
			lc->kept = lc->kept > k ? lc->kept - k : 0;
		return;
	}
	l->kept += (uint64_t)n;
	if (l->kept > l->peak)
		l->peak = l->kept;
	if (lc)
		lc->kept += (uint64_t)n;
}

void appmsg_count(struct appmsg *m, size_t n)
{
	m->kept += n;
	budget_add(msg_log(m), m->conn, (int64_t)n);
}

/* Makes room for element n (0-based) of an array of m's holding n, whose capacity is
 * room_for(n, least); `extra` bytes follow a full array of `full` elements (0: none).
 * Counts what it adds. */
static void grow_counted(struct appmsg *m, void *pp, size_t n, size_t least, size_t size, size_t full, size_t extra)
{
	size_t before = room_for(n, least);
	if (n < before)
		return;
	size_t cap = room_for(n + 1, least);
	size_t bytes = cap * size + (cap == full ? extra : 0);
	void **p = pp;
	*p = xrealloc(*p, bytes);
	appmsg_count(m, (cap - before) * size + (cap == full ? extra : 0) + (before ? 0 : APPLOG_ALLOC_COST));
}

static void body_free(struct appbody *b)
{
	if (!b)
		return;
	sha256_free(b->hash);
	xfree(b->p);
	xfree(b);
}

static void msg_fini(struct appmsg *m)
{
	xfree(m->summary);
	for (size_t i = 0; i < m->n_kv; i++)
		xfree(m->kv[i].name); /* and its value: one block */
	xfree(m->kv);
	for (size_t i = 0; i < m->n_notes; i++)
		xfree(m->notes[i].text);
	xfree(m->notes);
	body_free(m->body);
	app_http_free(m->http);
}

void app_http_free(struct app_http *h)
{
	if (!h)
		return;
	xfree(h->content_encoding); /* the start line's strings are in h's block */
	xfree(h);
}

/* What a message's entry in the log costs: given back only when its connection is
 * retired and the entry can go, not when its contents are cleared (the entry stays: a
 * batch view that clears what it printed, fed a million events in one body, must still
 * trip the budget). */
#define MSG_ENTRY_COST (sizeof(struct appmsg) + sizeof(uint32_t))

void appmsg_clear(struct appmsg *m)
{
	msg_fini(m);
	uint64_t entry = m->kept < MSG_ENTRY_COST ? m->kept : MSG_ENTRY_COST;
	budget_add(msg_log(m), m->conn, -(int64_t)(m->kept - entry));
	m->kept = entry;
	m->summary = NULL;
	m->kv = NULL;
	m->n_kv = 0;
	m->notes = NULL;
	m->n_notes = 0;
	m->body = NULL;
	m->http = NULL;
	m->cleared = 1;
}

void applog_fini(struct applog *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->blocks[i / APPLOG_BLOCK]) /* (NULL: every message of it retired) */
			msg_fini(applog_get(l, (uint32_t)i));
	for (size_t b = 0; b < l->n_blocks; b++)
		if (l->blocks[b])
			xfree(block_at(l, b));
	xfree(l->blocks);
	for (size_t c = 0; c < l->n_conns; c++)
		if (l->conns[c].n > APPLOG_CONN_INLINE)
			xfree(l->conns[c].ix.array);
	xfree(l->conns);
	applog_init(l);
}

void applog_conn_retire(struct applog *l, uint32_t conn_idx)
{
	if (conn_idx >= l->n_conns)
		return;
	struct applog_conn *lc = &l->conns[conn_idx];
	const uint32_t *ix = lc->n <= APPLOG_CONN_INLINE ? lc->ix.in_place : lc->ix.array;
	for (uint32_t i = 0; i < lc->n; i++) {
		struct appmsg *m = applog_get(l, ix[i]);
		if (!m->cleared)
			appmsg_clear(m);
		budget_add(l, conn_idx, -(int64_t)m->kept); /* the entry goes */
		m->kept = 0;
		m->cleared = 2;
		size_t b = ix[i] / APPLOG_BLOCK;
		struct msg_block *mb = block_at(l, b);
		/* (a block is full before its last message can be retired) */
		if (++mb->retired == APPLOG_BLOCK) {
			xfree(mb);
			l->blocks[b] = NULL;
		}
	}
	if (lc->n > APPLOG_CONN_INLINE)
		xfree(lc->ix.array);
	memset(lc, 0, sizeof *lc);
}

struct appmsg *applog_add(struct applog *l, uint32_t conn_idx)
{
	if (l->n == l->n_blocks * APPLOG_BLOCK) {
		xgrow(&l->blocks, &l->cap_blocks, l->n_blocks + 1, sizeof *l->blocks);
		struct msg_block *b = xmalloc(sizeof *b);
		b->log = l;
		b->retired = 0;
		l->blocks[l->n_blocks] = b->m;
		l->n_blocks++;
	}
	if (conn_idx >= l->n_conns) {
		size_t cap = l->n_conns;
		xgrow(&l->conns, &cap, (size_t)conn_idx + 1, sizeof *l->conns);
		memset(l->conns + l->n_conns, 0, (cap - l->n_conns) * sizeof *l->conns);
		l->n_conns = cap;
	}
	struct applog_conn *lc = &l->conns[conn_idx];
	if (lc->n == APPLOG_CONN_INLINE) {
		/* two in place (a request and its response), then an array, doubling: a
		 * capture of many short connections pays for no array at all */
		uint32_t *a = xmalloc(2 * APPLOG_CONN_INLINE * sizeof *a);
		memcpy(a, lc->ix.in_place, sizeof lc->ix.in_place);
		lc->ix.array = a;
	} else if (lc->n > APPLOG_CONN_INLINE && (lc->n & (lc->n - 1)) == 0) {
		lc->ix.array = xrealloc(lc->ix.array, (size_t)lc->n * 2 * sizeof *lc->ix.array);
	}
	uint32_t id = (uint32_t)l->n++;
	(lc->n < APPLOG_CONN_INLINE ? lc->ix.in_place : lc->ix.array)[lc->n] = id;
	lc->n++;
	struct appmsg *m = applog_get(l, id);
	memset(m, 0, sizeof *m);
	m->id = id;
	m->conn = conn_idx;
	/* The struct counts too (it is most of what an empty event costs); a cleared
	 * message gives it back with its contents, since a live session clears what it
	 * showed and must not run out of budget after a million messages. */
	appmsg_count(m, sizeof *m + sizeof(uint32_t));
	return m;
}

const uint32_t *applog_conn(const struct applog *l, uint32_t conn_idx, size_t *n)
{
	if (conn_idx >= l->n_conns) {
		*n = 0;
		return NULL;
	}
	const struct applog_conn *lc = &l->conns[conn_idx];
	*n = lc->n;
	return lc->n <= APPLOG_CONN_INLINE ? lc->ix.in_place : lc->ix.array;
}

void appmsg_kv(struct appmsg *m, const char *name, const char *value, size_t value_len)
{
	grow_counted(m, &m->kv, m->n_kv, 1, sizeof *m->kv, 0, 0);
	struct appkv *kv = &m->kv[m->n_kv];
	size_t nl = strlen(name), vl = value ? value_len : 0;
	if (vl > (size_t)-1 - nl - 2)
		xmalloc((size_t)-1); /* fails: no value that large */
	/* "name\0value\0" in one block: the value may hold NUL bytes, value_len says */
	char *s = xmalloc(nl + 1 + vl + 1);
	memcpy(s, name, nl + 1);
	if (vl)
		memcpy(s + nl + 1, value, vl);
	s[nl + 1 + vl] = '\0';
	kv->name = s;
	kv->value = s + nl + 1;
	kv->value_len = vl;
	m->n_kv++;
	appmsg_count(m, nl + 1 + vl + 1 + APPLOG_ALLOC_COST);
}

void appmsg_kv_append(struct appmsg *m, size_t i, const char *p, size_t n)
{
	struct appkv *kv = &m->kv[i];
	size_t nl = (size_t)(kv->value - kv->name), vl = kv->value_len;
	if (n > (size_t)-1 - nl - vl - 1)
		xmalloc((size_t)-1); /* fails: no value that large */
	char *s = xrealloc(kv->name, nl + vl + n + 1);
	memcpy(s + nl + vl, p, n);
	s[nl + vl + n] = '\0';
	kv->name = s;
	kv->value = s + nl;
	kv->value_len = vl + n;
	appmsg_count(m, n);
}

void appmsg_note(struct appmsg *m, const struct app_event *ev, uint64_t off, const char *fmt, ...)
{
	char buf[512];
	if (ev->severity >= SEV_WARN)
		m->flags |= AM_MALFORMED;
	if (m->n_notes >= APPMSG_NOTES_MAX) {
		/* The last slot says how many more came; its text is rewritten in place. */
		struct appnote *last = &m->notes[m->n_notes - 1];
		uint64_t *dropped = notes_dropped(m);
		++*dropped;
		snprintf(last->text, 128, "more than %d notes on this message: %llu more were counted, not kept",
			 APPMSG_NOTES_MAX - 1, (unsigned long long)*dropped);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* two at first (most messages have a note at most), room for the count of dropped
	 * ones after a full array */
	grow_counted(m, &m->notes, m->n_notes, 2, sizeof *m->notes, APPMSG_NOTES_MAX, sizeof(uint64_t));
	struct appnote *n = &m->notes[m->n_notes];
	n->off = off;
	if (m->n_notes == APPMSG_NOTES_MAX - 1) {
		n->ev = &appmsg_events[APPEV_NOTES_CAPPED];
		n->text = xmalloc(128);
		*notes_dropped(m) = 1;
		snprintf(n->text, 128, "more than %d notes on this message: %llu more were counted, not kept",
			 APPMSG_NOTES_MAX - 1, 1ULL);
	} else {
		n->ev = ev;
		n->text = xstrdup(buf);
	}
	m->n_notes++;
	appmsg_count(m, strlen(n->text) + 1 + APPLOG_ALLOC_COST);
}

void appmsg_set_summary(struct appmsg *m, const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	if (m->summary) {
		size_t old = strlen(m->summary) + 1 + APPLOG_ALLOC_COST;
		m->kept = m->kept > old ? m->kept - old : 0;
		budget_add(msg_log(m), m->conn, -(int64_t)old);
	}
	xfree(m->summary);
	m->summary = d;
	appmsg_count(m, strlen(d) + 1 + APPLOG_ALLOC_COST);
}

const struct appkv *appmsg_find(const struct appmsg *m, const char *name)
{
	for (size_t i = 0; i < m->n_kv; i++)
		if (strcasecmp(m->kv[i].name, name) == 0)
			return &m->kv[i];
	return NULL;
}

struct appbody *appmsg_body(struct appmsg *m, size_t keep, int hash)
{
	if (m->body)
		return m->body;
	struct appbody *b = xcalloc(1, sizeof *b);
	m->body = b;
	b->owner = m;
	b->keep = keep;
	appmsg_count(m, sizeof *b + APPLOG_ALLOC_COST);
	if (hash) {
		b->hash = sha256_new();
		sha256_start(b->hash);
	}
	return b;
}

/* The first body byte the budget refuses: the message says so, once. */
static void body_budget_cut(struct appbody *b, int which)
{
	struct appmsg *m = b->owner;
	if (b->budget_cut || !m)
		return;
	b->budget_cut = 1;
	struct applog *l = msg_log(m);
	l->n_spent++;
	if (m->conn < l->n_conns)
		l->conns[m->conn].spent = 1;
	appmsg_note(m, &appmsg_events[APPEV_BUDGET_EXHAUSTED], m->off,
		    "body kept up to %zu bytes: the %s memory budget (%llu MiB) is spent; the rest is counted%s, not kept",
		    b->len, which == 2 ? "capture's" : "connection's",
		    (unsigned long long)((which == 2 ? l->keep_max : l->conn_keep_max) >> 20), b->hash ? " and hashed" : "");
}

void appbody_add(struct appbody *b, const uint8_t *p, size_t n)
{
	if (!n || b->done)
		return;
	b->out += n;
	if (b->hash)
		sha256_add(b->hash, p, n);
	size_t room = b->keep > b->len ? b->keep - b->len : 0;
	struct appmsg *m = b->owner;
	size_t want = n < room ? n : room;
	if (want && m) {
		/* What the budget still allows, counted as the buffer is (its capacity, a power
		 * of two of at least 16 bytes, whatever pieces the bytes came in): so where a
		 * body is cut does not depend on how the stream was segmented. */
		const struct applog *l = msg_log(m);
		uint64_t conn_kept = m->conn < l->n_conns ? l->conns[m->conn].kept : 0;
		uint64_t left = l->kept < l->keep_max ? l->keep_max - l->kept : 0;
		uint64_t cleft = conn_kept < l->conn_keep_max ? l->conn_keep_max - conn_kept : 0;
		int which = 2;
		if (cleft < left) {
			left = cleft;
			which = 1;
		}
		/* the largest capacity the budget pays for: growing from cap to c costs
		 * c - cap (and the allocation's cost for the first block) */
		uint64_t line = left + b->cap;
		line = b->cap ? line : (line > APPLOG_ALLOC_COST ? line - APPLOG_ALLOC_COST : 0);
		uint64_t most = b->cap;
		if (line >= 16) {
			uint64_t c = 16;
			while (c <= line / 2)
				c *= 2;
			if (c > most)
				most = c;
		}
		size_t fits = most > b->len ? (size_t)(most - b->len < want ? most - b->len : want) : 0;
		if (fits < want) {
			room = fits;
			body_budget_cut(b, which);
		}
	}
	size_t take = n < room ? n : room;
	if (take < n)
		b->capped = 1;
	if (take) {
		size_t before = b->cap;
		xgrow(&b->p, &b->cap, b->len + take, 1);
		if (m && b->cap > before)
			appmsg_count(m, b->cap - before + (before ? 0 : APPLOG_ALLOC_COST));
		memcpy(b->p + b->len, p, take);
		b->len += take;
	}
}

void appbody_end(struct appbody *b)
{
	if (b->done)
		return;
	b->done = 1;
	if (b->hash) {
		if (b->out)
			sha256_end(b->hash, b->sha256);
		sha256_free(b->hash);
		b->hash = NULL;
	}
}
