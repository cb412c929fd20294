/* conns.c: `chattcp conns FILE [--filter TEXT] [--json]`: the connection list. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/json.h"
#include "../out/report.h"

#include <string.h>

int cmd_conns(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int json = 0;
	const char *filter = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--filter") == 0 || strcmp(o, "-f") == 0) {
			if (!(filter = args_value(&a, o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			return cli_help_for("conns");
		else
			return usage_error("conns", "unknown option %s", o);
	}
	if (a.n_positional != 1)
		return usage_error("conns", "expected one capture file");
	struct session_opts so;
	memset(&so, 0, sizeof so);
	int rc;
	struct session *s = cli_session(&so, a.positional[0], NULL, 0, &rc);
	if (!s)
		return rc;
	cli_run(s);
	struct strbuf b;
	sb_init(&b);
	if (!json)
		report_conns_head(&b);
	size_t n;
	const struct conn *const *all = session_conns(s, &n);
	for (size_t i = 0; i < n; i++) {
		if (!session_conn_matches(all[i], filter))
			continue;
		if (json)
			json_conn(&b, all[i]);
		else
			report_conns_line(&b, all[i]);
		if (b.len > 1 << 16)
			cli_flush(&b);
	}
	if (!json) {
		struct sess_counts k;
		session_counts(s, &k);
		report_conns_summary(&b, &k);
	}
	cli_flush(&b);
	sb_fini(&b);
	return cli_finish(s, EXIT_OK);
}
