/* stats.c: `chattcp stats FILE [--json]`: file-level statistics: connections and
 * their troubles, packets by analysis label, top connections, capture duration. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/report.h"

#include <string.h>

int cmd_stats(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int json = 0;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			return cli_help_for("stats");
		else
			return usage_error("stats", "unknown option %s", o);
	}
	if (a.n_positional != 1)
		return usage_error("stats", "expected one capture file");
	struct session_opts so;
	memset(&so, 0, sizeof so);
	int rc;
	struct session *s = cli_session(&so, a.positional[0], NULL, 0, &rc);
	if (!s)
		return rc;
	cli_run(s);
	struct sess_stats st;
	struct sess_counts k;
	session_stats(s, &st);
	session_counts(s, &k);
	struct strbuf b;
	sb_init(&b);
	report_stats(&b, &st, &k, json);
	cli_flush(&b);
	sb_fini(&b);
	return cli_finish(s, EXIT_OK);
}
