/* diag.c: `chattcp diag FILE [-c ID ...] [--json]`: per-connection diagnosis (the
 * measurements and the findings of the session, rendered by out/report.c). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/report.h"

#include <string.h>

int cmd_diag(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int json = 0;
	struct sess_id *ids = NULL;
	size_t n_ids = 0, cap_ids = 0;
	const char *o;
	int rc = -1;
	while (rc < 0 && (o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "-c") == 0 || strcmp(o, "--conn") == 0) {
			const char *v = args_value(&a, o);
			if (!v || cli_parse_conns(v, &ids, &n_ids, &cap_ids) < 0)
				rc = cli_conns_usage("diag");
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			rc = cli_help_for("diag");
		else
			rc = usage_error("diag", "unknown option %s", o);
	}
	if (rc < 0 && a.n_positional != 1)
		rc = usage_error("diag", "expected one capture file");
	struct session *s = NULL;
	if (rc < 0) {
		struct session_opts so;
		memset(&so, 0, sizeof so);
		so.diag = 1;
		s = cli_session(&so, a.positional[0], ids, n_ids, &rc);
	}
	if (!s) {
		xfree(ids);
		return rc;
	}
	cli_run(s);
	rc = cli_check_ids(s, ids, n_ids) ? EXIT_OK : EXIT_USAGE;
	struct strbuf b;
	sb_init(&b);
	size_t n;
	const struct conn *const *all = rc == EXIT_OK ? session_conns(s, &n) : NULL;
	int first = 1;
	for (size_t i = 0; all && i < n; i++) {
		if (!session_selected(s, all[i]))
			continue;
		if (json) {
			report_diag_json(&b, s, all[i]);
		} else {
			if (!first)
				sb_putc(&b, '\n');
			report_diag_text(&b, s, all[i]);
		}
		first = 0;
		cli_flush(&b);
	}
	sb_fini(&b);
	xfree(ids);
	return cli_finish(s, rc);
}
