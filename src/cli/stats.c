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
	struct cli_common co;
	cli_common_init(&co, CLI_JSON);
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "stats");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (!c)
			return cli_unknown("stats", o);
	}
	if (a.n_positional != 1)
		return usage_error("stats", "expected one capture file");
	struct session_opts so;
	memset(&so, 0, sizeof so);
	int rc;
	so.keylog = co.keylog;
	struct session *s = cli_session(&so, a.positional[0], NULL, 0, &rc);
	if (!s)
		return rc;
	cli_run(s);
	struct sess_stats st;
	struct sess_counts k;
	session_stats(s, &st);
	session_counts(s, &k);
	struct layout ly;
	cli_layout(&co, &ly);
	struct strbuf b, t;
	sb_init(&b);
	sb_init(&t);
	report_stats(&t, &st, &k, co.json);
	if (co.json)
		sb_add(&b, t.s, t.len);
	else
		width_wrap_lines(&b, t.s, t.len, (size_t)ly.width, 2);
	cli_flush(&b);
	sb_fini(&t);
	sb_fini(&b);
	return cli_finish(s, EXIT_OK);
}
