/* export.c: `chattcp export FILE --files DIR [--force] [--json]`: every file carried
 * over HTTP written into DIR (see out/export_http.h for naming and Range merging).
 * Each body is written as its exchange completes and freed behind it, so memory
 * follows the exchanges in progress, not the file. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/export_http.h"
#include "../out/term_text.h"

#include <string.h>

/* -Y: the exchange's request or response ends in a frame the filter selects. */
static int exchange_chosen(void *ctx, const struct sess_http *x)
{
	struct cli_yfilter *y = ctx;
	if (!y->f)
		return 1;
	return (x->req && cli_filter_frame(y, x->req->last_frame)) ||
	       (x->resp && cli_filter_frame(y, x->resp->last_frame));
}

int cmd_export(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct export_opts eo;
	memset(&eo, 0, sizeof eo);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON | CLI_FILTER);
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "export");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--files") == 0) {
			if (!(eo.dir = args_value(&a, "export", o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "--force") == 0)
			eo.force = 1;
		else
			return cli_unknown("export", o);
	}
	eo.json = co.json;
	struct layout ly;
	cli_layout(&co, &ly);
	eo.ly = &ly;
	if (a.n_positional != 1)
		return usage_error("export", "expected one capture file");
	if (!eo.dir || !*eo.dir)
		return usage_error("export", "--files DIR is required");
	struct exporter *x = export_new(&eo);
	struct session_opts so;
	memset(&so, 0, sizeof so);
	struct export_feed feed = { x, exchange_chosen, &co.y };
	export_session(&so, &feed);
	cli_filter_hook(&co.y, &so);
	int rc;
	so.keylog = co.keylog;
	struct session *s = cli_session(&so, a.positional[0], NULL, 0, &rc);
	if (!s) {
		export_free(x);
		return rc;
	}
	cli_run(s);
	struct strbuf b;
	sb_init(&b);
	struct err e;
	err_clear(&e);
	long n = export_finish(x, &b, &e);
	export_free(x);
	if (!eo.json && n >= 0) {
		struct strbuf l;
		sb_init(&l);
		sb_printf(&l, "%ld file%s written to ", n, n == 1 ? "" : "s");
		term_text_str(&l, eo.dir);
		width_wrap_lines(&b, l.s, l.len, (size_t)ly.width, 2);
		sb_fini(&l);
	}
	cli_flush(&b);
	sb_fini(&b);
	if (n < 0) {
		term_text_line(stderr, "chattcp: ", e.msg); /* may name a file from the capture */
		return cli_finish(s, EXIT_SYSTEM);
	}
	return cli_finish(s, EXIT_OK);
}
