/* http.c: HTTP exchanges: a request, the 1xx answers to it and its final response, as
 * the HTTP decoder paired them (struct app_http request_msg / response_msg), in order of
 * the request's (or a lone response's) first frame. */
#include "session_int.h"

#include <stdlib.h>

static void conn_exchanges(struct session *s, const struct conn *c, void (*fn)(void *, const struct sess_http *),
			   void *ctx, const struct appmsg ***interim, size_t *cap)
{
	struct sconn *sc = sess_sconn(s, c, 1);
	if (!sc->sorted) {
		size_t k;
		const uint32_t *ix = applog_conn(&s->app.log, c->idx, &k);
		sc->sorted = xmalloc((k ? k : 1) * sizeof *sc->sorted);
		for (size_t i = 0; i < k; i++)
			sc->sorted[i] = applog_get(&s->app.log, ix[i]);
		sc->n_sorted = k;
		qsort(sc->sorted, k, sizeof *sc->sorted, sess_msg_cmp);
	}
	const struct appmsg **v = sc->sorted;
	size_t n = sc->n_sorted;
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
			/* 1xx answers to this request, in order. */
			for (size_t j = k + 1; j < n; j++) {
				const struct appmsg *r = v[j];
				if (r->http && !r->http->is_request && r->http->request_msg == m->id && r->http->status >= 100 &&
				    r->http->status < 200 && r->http->status != 101) {
					xgrow(interim, cap, ni + 1, sizeof **interim);
					(*interim)[ni++] = r;
				}
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
}

int session_http(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_http *x), void *ctx)
{
	SESS_ENTER(s, -1);
	const struct appmsg **interim = NULL;
	size_t cap = 0;
	if (c) {
		conn_exchanges(s, c, fn, ctx, &interim, &cap);
	} else {
		size_t n;
		const struct conn *const *all = sess_conns(s, &n);
		for (size_t i = 0; i < n; i++)
			if (session_selected(s, all[i]))
				conn_exchanges(s, all[i], fn, ctx, &interim, &cap);
	}
	xfree(interim);
	SESS_LEAVE(s);
	return 0;
}
