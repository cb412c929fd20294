/* export.c: `chattcp export FILE --files DIR [--force] [--json]`: every file carried
 * over HTTP written into DIR (see out/export_http.h for naming and Range merging). */
#include "appcli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/export_http.h"

#include <stdlib.h>
#include <string.h>

int cmd_export(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct export_opts eo;
	memset(&eo, 0, sizeof eo);
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--files") == 0) {
			if (!(eo.dir = args_value(&a, o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "--force") == 0)
			eo.force = 1;
		else if (strcmp(o, "--json") == 0)
			eo.json = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "export", NULL };
			return cmd_help(2, hv);
		} else
			return usage_error("export", "unknown option %s", o);
	}
	if (a.n_positional != 1)
		return usage_error("export", "expected one capture file");
	if (!eo.dir || !*eo.dir)
		return usage_error("export", "--files DIR is required");
	struct engine en;
	struct app app;
	int rc;
	/* Sink mode: each body is written as its message ends and freed behind it. */
	struct exporter *x = export_new(&eo);
	if (appcli_run_sink(&en, &app, a.positional[0], export_msg, x, &rc) < 0) {
		export_free(x);
		return rc;
	}
	struct strbuf b;
	sb_init(&b);
	struct err e;
	err_clear(&e);
	long n = export_finish(x, en.ct.conns, en.ct.n, &b, &e);
	export_free(x);
	if (!eo.json && n >= 0)
		sb_printf(&b, "%ld file%s written to %s\n", n, n == 1 ? "" : "s", eo.dir);
	sb_write(&b, stdout);
	sb_fini(&b);
	app_fini(&app);
	if (n < 0) {
		cli_error(&e);
		return cli_finish(&en, EXIT_SYSTEM);
	}
	return cli_finish(&en, EXIT_OK);
}
