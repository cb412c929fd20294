/* http.c: `chattcp http FILE [-c IDS] [--json] [-v] [--decode-as P]`: every HTTP
 * exchange: connection, request line and headers, response status and headers, body
 * sizes on the wire and decoded, and timing (request sent -> first response byte ->
 * last byte). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/http_json.h"

#include <string.h>

struct http_ctx {
	struct strbuf b;
	int json, verbose;
	uint64_t n;
};

static void one(void *ctx, const struct sess_http *x)
{
	struct http_ctx *h = ctx;
	h->n++;
	if (h->json)
		http_exchange_json(&h->b, x);
	else
		http_exchange_term(&h->b, x, h->verbose);
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
	struct sess_id *ids = NULL;
	size_t n_ids = 0, cap_ids = 0;
	const char *o;
	int rc = -1;
	while (rc < 0 && (o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			x.json = 1;
		else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0)
			x.verbose = 1;
		else if (strcmp(o, "-c") == 0 || strcmp(o, "--conn") == 0) {
			const char *v = args_value(&a, o);
			if (!v || cli_parse_conns(v, &ids, &n_ids, &cap_ids) < 0)
				rc = cli_conns_usage("http");
		} else if (strcmp(o, "--decode-as") == 0) {
			if (!(so.decode_as = args_value(&a, o)))
				rc = EXIT_USAGE;
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			rc = cli_help_for("http");
		else
			rc = usage_error("http", "unknown option %s", o);
	}
	if (rc < 0 && a.n_positional != 1)
		rc = usage_error("http", "expected one capture file");
	struct session *s = rc < 0 ? cli_session(&so, a.positional[0], ids, n_ids, &rc) : NULL;
	if (!s) {
		xfree(ids);
		return rc;
	}
	cli_run(s);
	sb_init(&x.b);
	session_http(s, NULL, one, &x);
	if (!x.json && x.n == 0)
		sb_puts(&x.b, "no HTTP exchanges\n");
	cli_flush(&x.b);
	sb_fini(&x.b);
	xfree(ids);
	return cli_finish(s, EXIT_OK);
}
