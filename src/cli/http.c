/* http.c: `chattcp http FILE [-c IDS] [--json] [-v] [--decode-as P]`: every HTTP
 * exchange: connection, request line and headers, response status and headers, body
 * sizes on the wire and decoded, and timing (request sent -> first response byte ->
 * last byte). */
#include "../base/xalloc.h"
#include "appcli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../out/http_json.h"

#include <stdlib.h>
#include <string.h>

struct http_ctx {
	const struct applog *l;
	struct strbuf b;
	int json, verbose;
	uint32_t *ids;
	size_t n_ids, cap_ids;
	uint64_t n;
};

static int wanted(const struct http_ctx *x, uint32_t id)
{
	if (!x->n_ids)
		return 1;
	for (size_t i = 0; i < x->n_ids; i++)
		if (x->ids[i] == id)
			return 1;
	return 0;
}

static void one(void *ctx, const struct conn *c, uint32_t req, uint32_t resp, const uint32_t *interim, size_t ni)
{
	struct http_ctx *x = ctx;
	if (!wanted(x, c->id))
		return;
	x->n++;
	if (x->json)
		http_exchange_json(&x->b, x->l, c, req, resp, interim, ni);
	else
		http_exchange_term(&x->b, x->l, c, req, resp, interim, ni, x->verbose);
	if (x->b.len > 1 << 16) {
		sb_write(&x->b, stdout);
		sb_reset(&x->b);
	}
}

int cmd_http(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct http_ctx x;
	memset(&x, 0, sizeof x);
	const char *force = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			x.json = 1;
		else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0)
			x.verbose = 1;
		else if (strcmp(o, "-c") == 0 || strcmp(o, "--conn") == 0) {
			const char *v = args_value(&a, o);
			if (!v || cli_parse_ids(v, &x.ids, &x.n_ids, &x.cap_ids) < 0) {
				xfree(x.ids);
				return usage_error("http", "-c takes connection ids: 3, 3,5 or 2-4");
			}
		} else if (strcmp(o, "--decode-as") == 0) {
			if (!(force = args_value(&a, o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "http", NULL };
			xfree(x.ids);
			return cmd_help(2, hv);
		} else {
			xfree(x.ids);
			return usage_error("http", "unknown option %s", o);
		}
	}
	if (a.n_positional != 1) {
		xfree(x.ids);
		return usage_error("http", "expected one capture file");
	}
	struct engine en;
	struct app app;
	int rc;
	if (appcli_run_listing(&en, &app, a.positional[0], force, &rc) < 0) {
		xfree(x.ids);
		return rc;
	}
	x.l = &app.log;
	sb_init(&x.b);
	appcli_http_exchanges(&en, &app.log, one, &x);
	if (!x.json && x.n == 0)
		sb_puts(&x.b, "no HTTP exchanges\n");
	sb_write(&x.b, stdout);
	sb_fini(&x.b);
	xfree(x.ids);
	app_fini(&app);
	return cli_finish(&en, EXIT_OK);
}
