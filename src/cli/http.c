/* http.c: `chattcp http FILE [-c IDS] [-t FORMAT] [--json] [-v] [--decode-as P]`: every
 * HTTP exchange: connection, its time (-t, as the chat's: wall clock by default, as an
 * access log), request line and headers, response status and headers, body sizes on the
 * wire and decoded, and timing (request sent -> first response byte -> last byte). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/fmt.h"
#include "../out/http_json.h"

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
};

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
	if (h->json)
		http_exchange_json(&h->b, x);
	else {
		sb_reset(&h->t);
		http_exchange_term(&h->t, x, h->verbose, h->time, time_base(h, x));
		width_wrap_lines(&h->b, h->t.s, h->t.len, h->width, 2);
	}
	if (h->b.len > 1 << 16)
		cli_flush(&h->b);
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
	struct session *s = rc < 0 ? cli_session(&so, a.positional[0], co.ids, co.n_ids, &rc) : NULL;
	if (!s) {
		cli_common_fini(&co);
		return rc;
	}
	cli_run(s);
	x.json = co.json;
	x.time = co.time;
	x.prev_shown = INT64_MIN;
	struct sess_counts cn;
	session_counts(s, &cn);
	x.first_ts = cn.first_ts;
	struct layout ly;
	cli_layout(&co, &ly);
	x.width = (size_t)ly.width;
	sb_init(&x.b);
	sb_init(&x.t);
	session_http(s, NULL, one, &x);
	if (!x.json && x.n == 0)
		sb_puts(&x.b, "no HTTP exchanges\n");
	cli_flush(&x.b);
	sb_fini(&x.b);
	sb_fini(&x.t);
	xfree(x.prev_conn);
	cli_common_fini(&co);
	return cli_finish(s, EXIT_OK);
}
