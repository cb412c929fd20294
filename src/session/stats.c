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
	SESS_LEAVE(s);
	return (int)out->n;
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

/* Every word of the filter must appear in the row's text, its letters in order
 * (fuzzy, like fzf); case does not matter. */
static int fuzzy_word(const char *hay, const char *w, size_t wn)
{
	/* A plain substring match is preferred, the subsequence match is the fallback. */
	size_t hn = strlen(hay);
	for (size_t i = 0; i + wn <= hn; i++)
		if (strncasecmp(hay + i, w, wn) == 0)
			return 1;
	/* Numbers and addresses must match as typed: "1.0.0.1" is not fuzzily inside
	 * "127.0.0.1:8000". Words of letters (tags, protocols) may be abbreviated. */
	for (size_t i = 0; i < wn; i++)
		if (!isalpha((unsigned char)w[i]) && w[i] != '-' && w[i] != ' ')
			return 0;
	size_t j = 0;
	for (size_t i = 0; i < hn && j < wn; i++)
		if (tolower((unsigned char)hay[i]) == tolower((unsigned char)w[j]))
			j++;
	return j == wn;
}

int session_conn_matches(const struct conn *c, const char *filter)
{
	if (!filter || !*filter)
		return 1;
	struct strbuf row;
	sb_init(&row);
	char a[80], z[80];
	sb_printf(&row, "%s %s %s ", c->proto == 6 ? "tcp" : "udp", fmt_endpoint(&c->ep[0], a, sizeof a),
		  fmt_endpoint(&c->ep[1], z, sizeof z));
	fmt_tags(&row, c->tags, " ", 0);
	int ok = 1;
	const char *p = filter;
	while (*p && ok) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p)
			ok = fuzzy_word(row.s, p, (size_t)(e - p));
		p = e;
	}
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
