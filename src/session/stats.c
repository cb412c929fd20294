/* stats.c: questions about the whole capture or one connection that are answered from
 * what the pass measured: statistics and top talkers, the diagnosis, the raw bytes,
 * the connection filter, and the closed tables of names. */
#include "session_int.h"

#include "../base/ts.h"
#include "../out/fmt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

uint64_t sess_conn_bytes(const struct conn *c) { return c->bytes[0] + c->bytes[1]; }

uint64_t sess_conn_retx(const struct conn *c) { return c->proto == 6 ? conn_label_count(c, LB_RETRANSMISSION) : 0; }

static int by_bytes(const void *x, const void *y)
{
	const struct conn *a = *(const struct conn *const *)x, *b = *(const struct conn *const *)y;
	uint64_t p = sess_conn_bytes(a), q = sess_conn_bytes(b);
	if (p != q)
		return p < q ? 1 : -1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int by_retx(const void *x, const void *y)
{
	const struct conn *a = *(const struct conn *const *)x, *b = *(const struct conn *const *)y;
	uint64_t p = sess_conn_retx(a), q = sess_conn_retx(b);
	if (p != q)
		return p < q ? 1 : -1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

void session_stats(struct session *s, struct sess_stats *o)
{
	memset(o, 0, sizeof *o);
	SESS_ENTER(s, );
	size_t n;
	const struct conn *const *all = sess_conns(s, &n);
	const struct conn **v = xmalloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = all[i];
		v[i] = c;
		if (c->proto != 6) {
			o->udp++;
			continue;
		}
		o->tcp++;
		if (c->tags & TAG_HS_INCOMPLETE)
			o->hs_incomplete++;
		if (c->tags & TAG_CLOSE_INCOMPLETE)
			o->close_incomplete++;
		if (c->tags & TAG_RETRANS)
			o->retx++;
		if (c->tags & TAG_RST)
			o->rst++;
		for (int l = 0; l < LB_COUNT; l++)
			o->labels[l] += conn_label_count(c, l);
	}
	o->duration_ns = s->en.n_frames ? ts_sub(s->en.last_ts, s->en.first_ts) : 0;
	qsort(v, n, sizeof *v, by_bytes);
	for (size_t i = 0; i < n && o->n_top_bytes < SESS_TOP; i++)
		o->top_bytes[o->n_top_bytes++] = v[i];
	qsort(v, n, sizeof *v, by_retx);
	for (size_t i = 0; i < n && o->n_top_retx < SESS_TOP && sess_conn_retx(v[i]); i++)
		o->top_retx[o->n_top_retx++] = v[i];
	xfree(v);
	SESS_LEAVE(s);
}

const struct diag_conn *session_diag(struct session *s, const struct conn *c)
{
	return s->dg ? diag_get(s->dg, c) : NULL;
}

int session_findings(struct session *s, const struct conn *c, struct diag_findings *out)
{
	out->n = 0;
	if (!s->dg)
		return 0;
	SESS_ENTER(s, -1);
	diag_findings(s->dg, c, out);
	sess_tls_findings(s, c, out);
	sess_h2_findings(s, c, out);
	SESS_LEAVE(s);
	return (int)out->n;
}

void session_tls(struct session *s, const struct conn *c, struct sess_tls *out)
{
	memset(out, 0, sizeof *out);
	SESS_ENTER(s, );
	sess_tls_facts(s, c, out);
	SESS_LEAVE(s);
}

void session_end_words(struct session *s, const struct conn *c, struct strbuf *out)
{
	diag_end_words(session_diag(s, c), c, out);
}

const struct sess_run *session_raw(const struct session *s, const struct conn *c, size_t *n, uint64_t *dropped)
{
	const struct sconn *sc = sess_sconn_get(s, c);
	const struct sconn_raw *rw = sc ? sc->raw : NULL;
	*n = rw ? rw->n_runs : 0;
	if (dropped)
		*dropped = rw ? rw->dropped : 0;
	return rw ? rw->runs : NULL;
}

/* The filter's keywords: "key:value", or "key value" as two words. */
static const char *const filter_keys[] = { "port", "ip", "host", "proto", "tag", "id", NULL };

/* The keyword w[0..n) names (its index), or -1. */
static int filter_key(const char *w, size_t n)
{
	for (int i = 0; filter_keys[i]; i++)
		if (strlen(filter_keys[i]) == n && strncasecmp(w, filter_keys[i], n) == 0)
			return i;
	return -1;
}

/* The next word of *p (spaces skip), into *w and *n; 0 at the end. */
static int next_word(const char **p, const char **w, size_t *n)
{
	while (**p == ' ')
		(*p)++;
	const char *e = *p;
	while (*e && *e != ' ')
		e++;
	*w = *p;
	*n = (size_t)(e - *p);
	*p = e;
	return *n > 0;
}

/* One term of the filter: key (or -1: a bare word) and value. Returns 0 at the end,
 * -1 for a keyword without a value or an unknown "key:". */
static int next_term(const char **p, int *key, const char **v, size_t *vn, char *why, size_t why_n)
{
	const char *w;
	size_t n;
	if (!next_word(p, &w, &n))
		return 0;
	const char *colon = memchr(w, ':', n);
	/* "udp:0" style text and IPv6 addresses hold colons too: only a known key counts. */
	if (colon && filter_key(w, (size_t)(colon - w)) >= 0) {
		*key = filter_key(w, (size_t)(colon - w));
		*v = colon + 1;
		*vn = n - (size_t)(colon + 1 - w);
	} else if (!colon && filter_key(w, n) >= 0) {
		*key = filter_key(w, n);
		if (!next_word(p, v, vn)) {
			snprintf(why, why_n, "'%.*s' needs a value (%.*s:VALUE)", (int)n, w, (int)n, w);
			return -1;
		}
	} else {
		*key = -1;
		*v = w;
		*vn = n;
	}
	if (*key >= 0 && *vn == 0) {
		snprintf(why, why_n, "'%s:' needs a value", filter_keys[*key]);
		return -1;
	}
	if (*key < 0 && colon && colon > w && colon == w + n - 1) {
		snprintf(why, why_n, "unknown filter word '%.*s' (port:, ip:, proto:, tag:, id:)", (int)n, w);
		return -1;
	}
	return 1;
}

int session_filter_check(const char *filter, char *why, size_t why_n)
{
	const char *p = filter ? filter : "", *v;
	size_t vn;
	int key, r;
	while ((r = next_term(&p, &key, &v, &vn, why, why_n)) > 0)
		;
	return r;
}

static int eq_word(const char *a, const char *b, size_t bn)
{
	return strlen(a) == bn && strncasecmp(a, b, bn) == 0;
}

/* Tag names with their spaces as dashes ("reused ports" is tag:reused-ports). */
static int tag_matches(uint32_t tags, const char *v, size_t vn)
{
	for (int i = 0; i < TAG_COUNT_; i++) {
		if (!(tags & (1u << i)))
			continue;
		const char *t = conn_tag_name(i);
		size_t tn = strlen(t);
		if (tn != vn)
			continue;
		size_t k = 0;
		while (k < tn && (tolower((unsigned char)t[k]) == tolower((unsigned char)v[k]) || (t[k] == ' ' && v[k] == '-')))
			k++;
		if (k == tn)
			return 1;
	}
	return 0;
}

static int term_matches(const struct session *s, const struct conn *c, const char *row, int key, const char *v,
			size_t vn)
{
	char a[64], stack[128];
	switch (key) {
	case 0: /* port */
		for (int d = 0; d < 2; d++) {
			snprintf(a, sizeof a, "%u", c->ep[d].port);
			if (eq_word(a, v, vn))
				return 1;
		}
		return 0;
	case 1: /* ip */
	case 2: /* host */
		for (int d = 0; d < 2; d++) {
			ipaddr_str(&c->ep[d].addr, a, sizeof a);
			if (eq_word(a, v, vn))
				return 1;
		}
		return 0;
	case 3: { /* proto: transport, or any decoder of the stack */
		if (eq_word(c->proto == 6 ? "tcp" : "udp", v, vn))
			return 1;
		session_conn_stack(s, c, stack, sizeof stack);
		for (const char *p = stack; *p;) {
			const char *w;
			size_t n;
			if (!next_word(&p, &w, &n))
				break;
			if (n == vn && strncasecmp(w, v, vn) == 0)
				return 1;
		}
		return 0;
	}
	case 4:
		return tag_matches(c->tags, v, vn);
	case 5: {
		snprintf(a, sizeof a, "%s%u", c->proto == 6 ? "" : "u", (unsigned)c->id);
		return eq_word(a, v, vn) || (c->proto == 6 && vn > 1 && v[0] == 't' && eq_word(a, v + 1, vn - 1));
	}
	default: { /* a bare word: in the row's text, as typed */
		size_t hn = strlen(row);
		for (size_t i = 0; i + vn <= hn; i++)
			if (strncasecmp(row + i, v, vn) == 0)
				return 1;
		return 0;
	}
	}
}

int session_conn_matches(const struct session *s, const struct conn *c, const char *filter)
{
	if (!filter || !*filter)
		return 1;
	struct strbuf row;
	sb_init(&row);
	char a[80], z[80], stack[128];
	session_conn_stack(s, c, stack, sizeof stack);
	sb_printf(&row, "%s %s %s %s ", c->proto == 6 ? "tcp" : "udp", fmt_endpoint(&c->ep[0], a, sizeof a),
		  fmt_endpoint(&c->ep[1], z, sizeof z), stack);
	fmt_tags(&row, c->tags, ", ", 0);
	int ok = 1, key, r;
	const char *p = filter, *v;
	size_t vn;
	char why[8];
	while (ok && (r = next_term(&p, &key, &v, &vn, why, sizeof why)) > 0)
		ok = term_matches(s, c, row.s, key, v, vn);
	sb_fini(&row);
	return ok;
}

void session_events(void (*fn)(void *ctx, const char *table, const struct app_event *ev), void *ctx)
{
	for (size_t i = 0; proto_registry[i]; i++)
		for (const struct app_event *e = proto_registry[i]->events; e && e->name; e++)
			fn(ctx, proto_registry[i]->name, e);
	for (const struct app_event *e = appmsg_events; e->name; e++)
		fn(ctx, "app", e);
	for (const struct app_event *e = note_kinds; e->name; e++)
		fn(ctx, "note", e);
	for (const struct app_event *e = diag_rules; e->name; e++)
		fn(ctx, "diag", e);
}
