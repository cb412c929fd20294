/* appmsg.c: see appmsg.h. */
#include "appmsg.h"

#include "../base/sha.h"
#include "../base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct app_event appmsg_events[APPEV_COUNT + 1] = {
	[APPEV_BUDGET_EXHAUSTED] = { "app.budget_exhausted", SEV_WARN, "the memory budget for what messages keep is spent (32 MiB a connection, 128 MiB a capture): later contents are counted, not kept" },
	[APPEV_NOTES_CAPPED] = { "app.notes_capped", SEV_NOTE, "more notes on one message than chattcp keeps (64): the rest are counted, not kept" },
	[APPEV_REASM_CAPPED] = { "app.reassembly_capped", SEV_WARN, "more data held out of order than chattcp holds (4 MiB or 16,384 segments a direction): the missing bytes before it are given up as a gap, and what needs them is not decoded" },
	[APPEV_COUNT] = { NULL, 0, NULL },
};

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
	if (m->log)
		budget_add(m->log, m->conn, (int64_t)n);
}

/* Grows an array of m's as xgrow does, counting what it adds. */
static void grow_counted(struct appmsg *m, void *pp, uint32_t *cap32, size_t need, size_t size)
{
	size_t before = *cap32, cap = before;
	if (!before && need <= 2) {
		/* most messages have a field or two and a note at most: xgrow would start at 16 */
		void **p = pp;
		*p = xrealloc(*p, 2 * size);
		cap = 2;
	} else {
		xgrow(pp, &cap, need, size);
	}
	/* counts stay far below 2^32 (fields and notes are capped by their decoders) */
	*cap32 = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	if (cap > before)
		appmsg_count(m, (cap - before) * size + (before ? 0 : APPLOG_ALLOC_COST));
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
	for (size_t i = 0; i < m->n_kv; i++) {
		xfree(m->kv[i].name);
		xfree(m->kv[i].value);
	}
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
	if (!(h->static_strs & APP_HTTP_STATIC_METHOD))
		xfree((char *)(uintptr_t)h->method);
	if (!(h->static_strs & APP_HTTP_STATIC_VERSION))
		xfree((char *)(uintptr_t)h->version);
	xfree(h->uri);
	xfree(h->reason);
	xfree(h->content_encoding);
	xfree(h);
}

void appmsg_clear(struct appmsg *m)
{
	msg_fini(m);
	if (m->log)
		budget_add(m->log, m->conn, -(int64_t)m->kept);
	m->kept = 0;
	m->summary = NULL;
	m->kv = NULL;
	m->n_kv = m->cap_kv = 0;
	m->notes = NULL;
	m->n_notes = m->cap_notes = 0;
	m->body = NULL;
	m->http = NULL;
	m->cleared = 1;
}

void applog_fini(struct applog *l)
{
	for (size_t i = 0; i < l->n; i++)
		msg_fini(applog_get(l, (uint32_t)i));
	for (size_t b = 0; b < l->n_blocks; b++)
		xfree(l->blocks[b]);
	xfree(l->blocks);
	for (size_t c = 0; c < l->n_conns; c++)
		xfree(l->conns[c].ix);
	xfree(l->conns);
	applog_init(l);
}

struct appmsg *applog_add(struct applog *l, uint32_t conn_idx)
{
	if (l->n == l->n_blocks * APPLOG_BLOCK) {
		xgrow(&l->blocks, &l->cap_blocks, l->n_blocks + 1, sizeof *l->blocks);
		l->blocks[l->n_blocks] = xmalloc(APPLOG_BLOCK * sizeof **l->blocks);
		l->n_blocks++;
	}
	if (conn_idx >= l->n_conns) {
		size_t cap = l->n_conns;
		xgrow(&l->conns, &cap, (size_t)conn_idx + 1, sizeof *l->conns);
		memset(l->conns + l->n_conns, 0, (cap - l->n_conns) * sizeof *l->conns);
		l->n_conns = cap;
	}
	struct applog_conn *lc = &l->conns[conn_idx];
	if (lc->n == lc->cap) {
		/* two at first (a request and its response), then doubling: a capture of
		 * many short connections must not pay for 16 ids each */
		size_t cap = lc->cap ? (size_t)lc->cap * 2 : 2;
		if (cap > UINT32_MAX)
			cap = UINT32_MAX;
		lc->ix = xrealloc(lc->ix, cap * sizeof *lc->ix);
		lc->cap = (uint32_t)cap;
	}
	uint32_t id = (uint32_t)l->n++;
	lc->ix[lc->n++] = id;
	struct appmsg *m = applog_get(l, id);
	memset(m, 0, sizeof *m);
	m->id = id;
	m->conn = conn_idx;
	m->log = l;
	/* The struct counts too (it is most of what an empty event costs); a cleared
	 * message gives it back with its contents, since a live session clears what it
	 * showed and must not run out of budget after a million messages. */
	appmsg_count(m, sizeof *m + sizeof *lc->ix);
	return m;
}

const uint32_t *applog_conn(const struct applog *l, uint32_t conn_idx, size_t *n)
{
	if (conn_idx >= l->n_conns) {
		*n = 0;
		return NULL;
	}
	*n = l->conns[conn_idx].n;
	return l->conns[conn_idx].ix;
}

void appmsg_kv(struct appmsg *m, const char *name, const char *value, size_t value_len)
{
	grow_counted(m, &m->kv, &m->cap_kv, m->n_kv + 1, sizeof *m->kv);
	struct appkv *kv = &m->kv[m->n_kv];
	kv->name = xstrdup(name);
	kv->value = xstrndup(value ? value : "", value ? value_len : 0);
	kv->value_len = value ? value_len : 0;
	m->n_kv++;
	appmsg_count(m, strlen(name) + 1 + kv->value_len + 1 + 2 * APPLOG_ALLOC_COST);
}

void appmsg_note(struct appmsg *m, const struct app_event *ev, uint64_t off, const char *fmt, ...)
{
	char buf[512];
	if (ev->severity >= SEV_WARN)
		m->flags |= AM_MALFORMED;
	if (m->n_notes >= APPMSG_NOTES_MAX) {
		/* The last slot says how many more came; its text is rewritten in place. */
		struct appnote *last = &m->notes[m->n_notes - 1];
		m->notes_dropped++;
		snprintf(last->text, 128, "more than %d notes on this message: %llu more were counted, not kept",
			 APPMSG_NOTES_MAX - 1, (unsigned long long)m->notes_dropped);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	grow_counted(m, &m->notes, &m->cap_notes, m->n_notes + 1, sizeof *m->notes);
	struct appnote *n = &m->notes[m->n_notes];
	n->off = off;
	if (m->n_notes == APPMSG_NOTES_MAX - 1) {
		n->ev = &appmsg_events[APPEV_NOTES_CAPPED];
		n->text = xmalloc(128);
		m->notes_dropped = 1;
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
		if (m->log)
			budget_add(m->log, m->conn, -(int64_t)old);
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
	struct applog *l = m->log;
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
	if (room && m && m->log) {
		/* What the budget still allows (the buffer may grow up to twice what it holds). */
		const struct applog *l = m->log;
		uint64_t conn_kept = m->conn < l->n_conns ? l->conns[m->conn].kept : 0;
		uint64_t left = l->kept < l->keep_max ? l->keep_max - l->kept : 0;
		uint64_t cleft = conn_kept < l->conn_keep_max ? l->conn_keep_max - conn_kept : 0;
		int which = 2;
		if (cleft < left) {
			left = cleft;
			which = 1;
		}
		if (left < room) {
			room = (size_t)left;
			if (room < n)
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
