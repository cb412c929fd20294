/* conns.c: `chattcp conns FILE [--filter TEXT] [--json]`: the connection list, a
 * table that fits the width (out/report.h). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/report.h"
#include "../out/term_text.h"

#include <string.h>

int cmd_conns(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init_time(&co, CLI_JSON, FMT_T_ABS);
	const char *filter = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "conns");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--filter") == 0 || strcmp(o, "-f") == 0) {
			if (!(filter = args_value(&a, "conns", o)))
				return EXIT_USAGE;
		} else
			return cli_unknown("conns", o);
	}
	if (a.n_positional != 1)
		return usage_error("conns", "expected one capture file");
	char why[160];
	if (filter && session_filter_check(filter, why, sizeof why) < 0)
		return usage_error("conns", "--filter: %s", why);
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.app = 1; /* the APP column (and proto:http in a filter) */
	int rc;
	struct session *s = cli_session(&so, a.positional[0], NULL, 0, &rc);
	if (!s)
		return rc;
	cli_run(s);
	struct layout ly;
	cli_layout(&co, &ly);
	struct strbuf b;
	sb_init(&b);
	struct conns_table ct;
	struct sess_counts k0;
	session_counts(s, &k0);
	report_conns_init(&ct, &ly, co.time, k0.first_ts);
	size_t n, shown = 0;
	const struct conn *const *all = session_conns(s, &n);
	for (size_t i = 0; i < n && !co.json; i++)
		if (session_conn_matches(s, all[i], filter))
			report_conns_measure(&ct, s, all[i]);
	if (!co.json)
		report_conns_head(&ct, &b);
	for (size_t i = 0; i < n; i++) {
		if (!session_conn_matches(s, all[i], filter))
			continue;
		shown++;
		if (co.json)
			json_conn(&b, all[i]);
		else
			report_conns_line(&ct, &b, s, all[i]);
		if (b.len > 1 << 16)
			cli_flush(&b);
	}
	report_conns_fini(&ct);
	if (!co.json) {
		struct strbuf t;
		sb_init(&t);
		struct sess_counts k;
		session_counts(s, &k);
		if (filter && !shown) {
			sb_puts(&t, "no connection matches the filter '");
			term_text_str(&t, filter);
			sb_printf(&t, "' (of %zu)\n", n);
		} else if (filter) {
			sb_printf(&t, "%zu of %zu connections match the filter\n", shown, n);
		}
		report_conns_summary(&t, &k);
		width_wrap_lines(&b, t.s, t.len, (size_t)ly.width, 2);
		sb_fini(&t);
	}
	cli_flush(&b);
	sb_fini(&b);
	cli_common_fini(&co);
	return cli_finish(s, EXIT_OK);
}
