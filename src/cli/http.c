/* http.c: `chattcp http FILE [-c IDS] [-t FORMAT] [--json] [-v] [--decode-as P]`: every
 * HTTP exchange: connection, its time (-t, as the chat's: wall clock by default, as an
 * access log), request line and headers, response status and headers, body sizes on the
 * wire and decoded, and timing (request sent -> first response byte -> last byte). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/fmt.h"
#include "../out/http_json.h"
#include "../out/outq.h"

#include <string.h>

struct http_ctx {
	struct strbuf b, t;
	int json, verbose;
	uint64_t n;
	size_t width;
	int time;           /* -t: enum fmt_time */
	int64_t first_ts;   /* the capture's first frame (-t r) */
	int64_t prev_shown; /* the previous exchange listed (-t dd) */
	int64_t *prev_conn; /* by conn idx: the connection's previous exchange (-t d) */
	size_t n_prev_conn;
	/* Streaming (every connection, and a time that does not count from the previous
	 * exchange shown): each exchange is formatted as it completes and held in q until
	 * its connection and those before it are done, then printed in the order a listing
	 * after the end gives (connections by id, exchanges by their first frame). So the
	 * listing of a 1.8 GB capture needs no more memory than its busiest minute. */
	struct outq *q;
	struct session *s;
};

static void emit(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	cli_write(p, n);
}

static uint64_t conn_order(const struct conn *c) { return c->proto == 17 ? OUTQ_UDP + c->id : c->id; }

/* What -t counts from for this exchange, and remembers it for the next one. */
static int64_t time_base(struct http_ctx *h, const struct sess_http *x)
{
	int64_t ts = http_exchange_ts(x), base = INT64_MIN;
	uint32_t i = x->c->idx;
	if (i >= h->n_prev_conn) {
		size_t n = h->n_prev_conn ? h->n_prev_conn : 16;
		while (n <= i)
			n *= 2;
		h->prev_conn = xrealloc(h->prev_conn, n * sizeof *h->prev_conn);
		for (size_t k = h->n_prev_conn; k < n; k++)
			h->prev_conn[k] = INT64_MIN;
		h->n_prev_conn = n;
	}
	if (h->time == FMT_T_REL)
		base = h->first_ts;
	else if (h->time == FMT_T_DELTA)
		base = h->prev_conn[i];
	else if (h->time == FMT_T_DELTA_SHOWN)
		base = h->prev_shown;
	if (ts != INT64_MIN) {
		h->prev_conn[i] = ts;
		h->prev_shown = ts;
	}
	return base;
}

static void one(void *ctx, const struct sess_http *x)
{
	struct http_ctx *h = ctx;
	h->n++;
	if (h->q) {
		if (h->time == FMT_T_REL && h->first_ts == INT64_MIN) {
			struct sess_counts cn;
			session_counts(h->s, &cn);
			h->first_ts = cn.first_ts;
		}
		sb_reset(&h->b);
	}
	if (h->json)
		http_exchange_json(&h->b, x);
	else {
		sb_reset(&h->t);
		http_exchange_term(&h->t, x, h->verbose, h->time, time_base(h, x));
		width_wrap_lines(&h->b, h->t.s, h->t.len, h->width, 2);
	}
	if (h->q) {
		const struct appmsg *m = x->req ? x->req : x->resp;
		outq_add(h->q, conn_order(x->c), (uint64_t)m->first_frame << 32 | m->id, h->b.s, h->b.len);
		sb_reset(&h->b);
	} else if (h->b.len > 1 << 16)
		cli_flush(&h->b);
}

static void conn_done(void *ctx, const struct conn *c)
{
	struct http_ctx *h = ctx;
	outq_done(h->q, conn_order(c), NULL, 0, NULL, 0);
}

int cmd_http(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct http_ctx x;
	memset(&x, 0, sizeof x);
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.app = 1;
	so.body = SESS_BODY_HASH; /* the listing gives sizes and digests, never bytes */
	struct cli_common co;
	cli_common_init_time(&co, CLI_JSON | CLI_CONN | CLI_NUMBERS, FMT_T_ABS);
	const char *o;
	int rc = -1;
	while (rc < 0 && (o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "http");
		if (c < 0)
			rc = EXIT_USAGE;
		else if (c == CLI_DONE)
			rc = EXIT_OK;
		else if (c)
			continue;
		else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0)
			x.verbose = 1;
		else if (strcmp(o, "--decode-as") == 0) {
			if (!(so.decode_as = args_value(&a, "http", o)))
				rc = EXIT_USAGE;
		} else
			rc = cli_unknown("http", o);
	}
	if (rc < 0 && a.n_positional != 1)
		rc = usage_error("http", "expected one capture file");
	so.keylog = co.keylog;
	x.json = co.json;
	x.time = co.time;
	x.prev_shown = INT64_MIN;
	x.first_ts = INT64_MIN;
	struct layout ly;
	cli_layout(&co, &ly);
	x.width = (size_t)ly.width;
	sb_init(&x.b);
	sb_init(&x.t);
	/* -c lists few connections (kept whole: little); -t d and dd count from the exchange
	 * before, which is known only in the printed order. */
	int streaming = co.n_ids == 0 && co.time != FMT_T_DELTA && co.time != FMT_T_DELTA_SHOWN;
	if (rc < 0 && streaming) {
		x.q = outq_new(0, emit, NULL);
		so.live_release = 1;
		so.on_http = one;
		so.on_conn_done = conn_done;
		so.ctx = &x;
	}
	struct session *s = rc < 0 ? cli_session(&so, a.positional[0], co.ids, co.n_ids, &rc) : NULL;
	if (!s) {
		outq_free(x.q);
		sb_fini(&x.b);
		sb_fini(&x.t);
		cli_common_fini(&co);
		return rc;
	}
	x.s = s;
	cli_run(s);
	if (x.q) {
		if (outq_finish(x.q) < 0) {
			fprintf(stderr, "chattcp: http: %s\n", outq_error(x.q));
			rc = EXIT_SYSTEM;
		}
		outq_free(x.q);
		x.q = NULL;
	} else {
		struct sess_counts cn;
		session_counts(s, &cn);
		x.first_ts = cn.first_ts;
		session_http(s, NULL, one, &x);
	}
	if (!x.json && x.n == 0)
		sb_puts(&x.b, "no HTTP exchanges\n");
	cli_flush(&x.b);
	sb_fini(&x.b);
	sb_fini(&x.t);
	xfree(x.prev_conn);
	cli_common_fini(&co);
	return cli_finish(s, rc == EXIT_SYSTEM ? rc : EXIT_OK);
}
