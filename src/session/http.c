/* http.c: HTTP exchanges: a request, the 1xx answers to it and its final response, as
 * the HTTP decoder paired them (struct app_http request_msg / response_msg), in order of
 * the request's (or a lone response's) first frame. */
#include "session_int.h"

#include <stdlib.h>

struct interim_pos {
	uint32_t req; /* the request it answers */
	size_t pos;   /* its place in the connection's sorted messages */
};

static int interim_cmp(const void *a, const void *b)
{
	const struct interim_pos *x = a, *y = b;
	if (x->req != y->req)
		return x->req < y->req ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Scratch space one session_http call reuses for every connection: the exchanges of a
 * capture are walked once, so nothing is kept per connection for it. */
struct http_scratch {
	const struct appmsg **sorted;
	size_t cap_sorted;
	const struct appmsg **interim;
	size_t cap_interim;
};

static void conn_exchanges(struct session *s, const struct conn *c, void (*fn)(void *, const struct sess_http *),
			   void *ctx, struct http_scratch *scr)
{
	const struct appmsg ***interim = &scr->interim;
	size_t *cap = &scr->cap_interim;
	/* c's messages by first frame: session_msgs' when it made them, else made here */
	const struct sconn *sc = sess_sconn_get(s, c);
	const struct appmsg **v;
	size_t n;
	if (sc && sc->sorted) {
		v = sc->sorted;
		n = sc->n_sorted;
	} else {
		const uint32_t *ix = applog_conn(&s->app.log, c->idx, &n);
		xgrow(&scr->sorted, &scr->cap_sorted, n ? n : 1, sizeof *scr->sorted);
		v = scr->sorted;
		for (size_t i = 0; i < n; i++)
			v[i] = applog_get(&s->app.log, ix[i]);
		qsort(v, n, sizeof *v, sess_msg_cmp);
	}
	/* The 1xx answers of the connection by their request, then position: each request
	 * finds its own by binary search instead of scanning every later message (64,000
	 * exchanges on one connection took seconds). */
	struct interim_pos *ia = NULL;
	size_t n_ia = 0, cap_ia = 0;
	for (size_t j = 0; j < n; j++) {
		const struct appmsg *r = v[j];
		/* a 101 is the final answer of its HTTP/1.1 exchange, but interim when the
		 * upgraded protocol answers the request (h2c: stream 1, RFC 7540 §3.2) */
		const struct appmsg *rq101 = r->http && r->http->status == 101 && r->http->request_msg != APPMSG_NONE
						     ? applog_get(&s->app.log, r->http->request_msg)
						     : NULL;
		int upgraded_away = rq101 && rq101->http && rq101->http->response_msg != APPMSG_NONE &&
				    rq101->http->response_msg != r->id;
		if (r->http && !r->http->is_request && r->http->request_msg != APPMSG_NONE && r->http->status >= 100 &&
		    r->http->status < 200 && (r->http->status != 101 || upgraded_away)) {
			xgrow(&ia, &cap_ia, n_ia + 1, sizeof *ia);
			ia[n_ia++] = (struct interim_pos){ r->http->request_msg, j };
		}
	}
	if (n_ia > 1)
		qsort(ia, n_ia, sizeof *ia, interim_cmp);
	for (size_t k = 0; k < n; k++) {
		const struct appmsg *m = v[k];
		if (!m->http)
			continue;
		const struct app_http *h = m->http;
		struct sess_http x = { c, NULL, NULL, NULL, 0 };
		if (h->is_request) {
			x.req = m;
			x.resp = h->response_msg != APPMSG_NONE ? applog_get(&s->app.log, h->response_msg) : NULL;
			size_t ni = 0;
			/* 1xx answers to this request after it, in order. */
			size_t lo = 0, hi = n_ia;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (ia[mid].req < m->id || (ia[mid].req == m->id && ia[mid].pos <= k))
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t j = lo; j < n_ia && ia[j].req == m->id; j++) {
				xgrow(interim, cap, ni + 1, sizeof **interim);
				(*interim)[ni++] = v[ia[j].pos];
			}
			x.interim = *interim;
			x.n_interim = ni;
		} else {
			/* A response without a request, or whose request did not claim it. */
			const struct appmsg *rq =
				h->request_msg != APPMSG_NONE ? applog_get(&s->app.log, h->request_msg) : NULL;
			int claimed = rq && rq->http &&
				      (rq->http->response_msg == m->id || (h->status >= 100 && h->status < 200));
			if (claimed)
				continue;
			x.resp = m;
		}
		sess_call_out(s);
		fn(ctx, &x);
		sess_call_in(s);
	}
	xfree(ia);
}

int session_http(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_http *x), void *ctx)
{
	SESS_ENTER(s, -1);
	struct http_scratch x = { NULL, 0, NULL, 0 };
	if (c) {
		conn_exchanges(s, c, fn, ctx, &x);
	} else {
		size_t n;
		const struct conn *const *all = sess_conns(s, &n);
		for (size_t i = 0; i < n; i++)
			if (session_selected(s, all[i]))
				conn_exchanges(s, all[i], fn, ctx, &x);
	}
	xfree(x.sorted);
	xfree(x.interim);
	SESS_LEAVE(s);
	return 0;
}
