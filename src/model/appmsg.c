/* appmsg.c: see appmsg.h. */
#include "appmsg.h"

#include "../base/sha.h"
#include "../base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void applog_init(struct applog *l) { memset(l, 0, sizeof *l); }

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
	if (m->http) {
		xfree(m->http->method);
		xfree(m->http->uri);
		xfree(m->http->version);
		xfree(m->http->reason);
		xfree(m->http->content_encoding);
		xfree(m->http);
	}
}

void appmsg_clear(struct appmsg *m)
{
	msg_fini(m);
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
		size_t cap = lc->cap;
		xgrow(&lc->ix, &cap, (size_t)lc->n + 1, sizeof *lc->ix);
		lc->cap = (uint32_t)cap;
	}
	uint32_t id = (uint32_t)l->n++;
	lc->ix[lc->n++] = id;
	struct appmsg *m = applog_get(l, id);
	memset(m, 0, sizeof *m);
	m->id = id;
	m->conn = conn_idx;
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
	xgrow(&m->kv, &m->cap_kv, m->n_kv + 1, sizeof *m->kv);
	struct appkv *kv = &m->kv[m->n_kv];
	kv->name = xstrdup(name);
	kv->value = xstrndup(value ? value : "", value ? value_len : 0);
	kv->value_len = value ? value_len : 0;
	m->n_kv++;
}

void appmsg_note(struct appmsg *m, const struct app_event *ev, uint64_t off, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	xgrow(&m->notes, &m->cap_notes, m->n_notes + 1, sizeof *m->notes);
	struct appnote *n = &m->notes[m->n_notes];
	n->ev = ev;
	n->off = off;
	n->text = xstrdup(buf);
	m->n_notes++;
	if (ev->severity >= SEV_WARN)
		m->flags |= AM_MALFORMED;
}

void appmsg_set_summary(struct appmsg *m, const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	xfree(m->summary);
	m->summary = d;
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
	b->keep = keep;
	if (hash) {
		b->hash = sha256_new();
		sha256_start(b->hash);
	}
	return b;
}

void appbody_add(struct appbody *b, const uint8_t *p, size_t n)
{
	if (!n || b->done)
		return;
	b->out += n;
	if (b->hash)
		sha256_add(b->hash, p, n);
	size_t room = b->keep > b->len ? b->keep - b->len : 0;
	size_t take = n < room ? n : room;
	if (take < n)
		b->capped = 1;
	if (take) {
		xgrow(&b->p, &b->cap, b->len + take, 1);
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
