/* appmsg.c: see appmsg.h. */
#include "appmsg.h"

#include "../base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

void applog_init(struct applog *l) { memset(l, 0, sizeof *l); }

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
	if (m->http) {
		xfree(m->http->method);
		xfree(m->http->uri);
		xfree(m->http->version);
		xfree(m->http->reason);
		xfree(m->http->content_encoding);
		xfree(m->http->body);
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
	m->http = NULL;
}

void applog_fini(struct applog *l)
{
	for (size_t i = 0; i < l->n; i++)
		msg_fini(&l->m[i]);
	xfree(l->m);
	xfree(l->by_conn);
	xfree(l->first);
	applog_init(l);
}

uint32_t applog_add(struct applog *l)
{
	xgrow(&l->m, &l->cap, l->n + 1, sizeof *l->m);
	memset(&l->m[l->n], 0, sizeof l->m[l->n]);
	return (uint32_t)l->n++;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void appmsg_kv(struct appmsg *m, const char *name, const char *value, size_t value_len)
{
	xgrow(&m->kv, &m->cap_kv, m->n_kv + 1, sizeof *m->kv);
	struct appkv *kv = &m->kv[m->n_kv++];
	kv->name = xstrdup(name);
	kv->value = dup_n(value ? value : "", value ? value_len : 0);
	kv->value_len = value ? value_len : 0;
}

void appmsg_note(struct appmsg *m, const char *event, uint64_t off, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	xgrow(&m->notes, &m->cap_notes, m->n_notes + 1, sizeof *m->notes);
	struct appnote *n = &m->notes[m->n_notes++];
	n->event = event;
	n->off = off;
	n->text = xstrdup(buf);
}

void appmsg_set_summary(struct appmsg *m, const char *s, size_t n)
{
	xfree(m->summary);
	m->summary = dup_n(s, n);
}

const struct appkv *appmsg_find(const struct appmsg *m, const char *name)
{
	for (size_t i = 0; i < m->n_kv; i++)
		if (strcasecmp(m->kv[i].name, name) == 0)
			return &m->kv[i];
	return NULL;
}

/* Groups the messages by connection once (counting sort, stable), so asking for every
 * connection in turn costs O(messages), not O(connections x messages). */
static void build_index(struct applog *l)
{
	uint32_t max_conn = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->m[i].conn > max_conn)
			max_conn = l->m[i].conn;
	xfree(l->by_conn);
	xfree(l->first);
	l->n_first = (size_t)max_conn + 2;
	l->first = xcalloc(l->n_first, sizeof *l->first);
	l->by_conn = xmalloc((l->n ? l->n : 1) * sizeof *l->by_conn);
	for (size_t i = 0; i < l->n; i++)
		l->first[l->m[i].conn + 1]++;
	for (size_t c = 1; c < l->n_first; c++)
		l->first[c] += l->first[c - 1];
	uint32_t *fill = xmalloc(l->n_first * sizeof *fill);
	memcpy(fill, l->first, l->n_first * sizeof *fill);
	for (size_t i = 0; i < l->n; i++)
		l->by_conn[fill[l->m[i].conn]++] = (uint32_t)i;
	xfree(fill);
	l->indexed_n = l->n;
}

uint32_t *applog_conn_msgs(const struct applog *cl, uint32_t conn_idx, size_t *n)
{
	struct applog *l = (struct applog *)(uintptr_t)cl; /* the index is a cache */
	if (!l->first || l->indexed_n != l->n)
		build_index(l);
	size_t k = 0;
	const uint32_t *src = NULL;
	if ((size_t)conn_idx + 1 < l->n_first) {
		src = l->by_conn + l->first[conn_idx];
		k = l->first[conn_idx + 1] - l->first[conn_idx];
	}
	uint32_t *ix = xmalloc((k ? k : 1) * sizeof *ix);
	if (k)
		memcpy(ix, src, k * sizeof *ix);
	/* Insertion sort by first frame, stable: messages of one connection are few, and
	 * mostly in order already (they are logged as they complete). */
	for (size_t i = 1; i < k; i++) {
		uint32_t v = ix[i];
		size_t j = i;
		while (j > 0 && l->m[ix[j - 1]].first_frame > l->m[v].first_frame) {
			ix[j] = ix[j - 1];
			j--;
		}
		ix[j] = v;
	}
	*n = k;
	return ix;
}
