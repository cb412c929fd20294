/* appcli.c: see appcli.h. */
#include "appcli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void appcli_proto_names(char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; proto_registry[i] && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", proto_registry[i]->name);
}

static int run(struct engine *en, struct app *a, const char *spec, const char *force,
	       int (*sel)(void *ctx, const struct conn *c), void *sel_ctx,
	       void (*sink)(void *ctx, const struct applog *l, uint32_t ix), void *sink_ctx, int keep, int *rc)
{
	const struct proto_desc *fd = NULL;
	if (force) {
		fd = proto_find(force);
		if (!fd) {
			char names[256];
			appcli_proto_names(names, sizeof names);
			fprintf(stderr, "chattcp: --decode-as %s: unknown protocol (known: %s)\n", force, names);
			*rc = EXIT_USAGE;
			return -1;
		}
	}
	if (cli_open(en, spec) < 0) {
		*rc = EXIT_BADINPUT;
		return -1;
	}
	app_init(a, en);
	a->force = fd;
	a->force_sel = sel;
	a->force_ctx = sel_ctx;
	a->msg_sink = sink;
	a->msg_sink_ctx = sink_ctx;
	a->keep_messages = keep;
	app_attach(a);
	cli_run(en);
	app_end(a);
	*rc = 0;
	return 0;
}

int appcli_run(struct engine *en, struct app *a, const char *spec, const char *force,
	       int (*sel)(void *ctx, const struct conn *c), void *sel_ctx, int *rc)
{
	return run(en, a, spec, force, sel, sel_ctx, NULL, NULL, 0, rc);
}

static void no_sink(void *ctx, const struct applog *l, uint32_t ix)
{
	(void)ctx;
	(void)l;
	(void)ix;
}

int appcli_run_listing(struct engine *en, struct app *a, const char *spec, const char *force, int *rc)
{
	return run(en, a, spec, force, NULL, NULL, no_sink, NULL, 1, rc);
}

int appcli_run_sink(struct engine *en, struct app *a, const char *spec,
		    void (*sink)(void *ctx, const struct applog *l, uint32_t ix), void *sink_ctx, int *rc)
{
	return run(en, a, spec, NULL, NULL, NULL, sink, sink_ctx, 0, rc);
}

struct conn *appcli_conn_by_id(const struct engine *en, uint32_t id)
{
	for (size_t i = 0; i < en->ct.n; i++)
		if (en->ct.conns[i]->id == id)
			return en->ct.conns[i];
	return NULL;
}

void appcli_http_exchanges(const struct engine *en, const struct applog *l,
			   void (*fn)(void *ctx, const struct conn *c, uint32_t req, uint32_t resp,
				      const uint32_t *interim, size_t n_interim),
			   void *ctx)
{
	size_t nc = en->ct.n;
	uint32_t *interim = NULL;
	size_t cap_i = 0;
	/* id -> connection once: a lookup per id would make this quadratic. */
	const struct conn **by_id = xcalloc(nc ? nc : 1, sizeof *by_id);
	for (size_t i = 0; i < nc; i++)
		if (en->ct.conns[i]->id < nc)
			by_id[en->ct.conns[i]->id] = en->ct.conns[i];
	for (uint32_t id = 0; id < nc; id++) {
		const struct conn *c = by_id[id];
		if (!c)
			continue;
		size_t n;
		uint32_t *ix = applog_conn_msgs(l, c->idx, &n);
		for (size_t k = 0; k < n; k++) {
			const struct appmsg *m = &l->m[ix[k]];
			if (!m->http)
				continue;
			const struct app_http *h = m->http;
			if (h->is_request) {
				uint32_t resp = h->response_msg;
				size_t ni = 0;
				/* 1xx answers to this request, in order. */
				for (size_t j = k + 1; j < n; j++) {
					const struct appmsg *r = &l->m[ix[j]];
					if (r->http && !r->http->is_request && r->http->request_msg == ix[k] &&
					    r->http->status >= 100 && r->http->status < 200 && r->http->status != 101) {
						xgrow(&interim, &cap_i, ni + 1, sizeof *interim);
						interim[ni++] = ix[j];
					}
				}
				fn(ctx, c, ix[k], resp, interim, ni);
			} else {
				/* A response without a request, or whose request did not claim it. */
				int claimed = h->request_msg != UINT32_MAX &&
					      (l->m[h->request_msg].http->response_msg == ix[k] ||
					       (h->status >= 100 && h->status < 200));
				if (!claimed)
					fn(ctx, c, UINT32_MAX, ix[k], NULL, 0);
			}
		}
		xfree(ix);
	}
	xfree(interim);
	xfree(by_id);
}
