/* diag.c: `chattcp diag FILE [-c ID ...] [--json]`: per-connection diagnosis (the
 * measurements and the findings of the session, rendered by out/report.c), its lines
 * wrapped to the width. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/report.h"

#include <string.h>

int cmd_diag(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON | CLI_CONN | CLI_NUMBERS);
	const char *o;
	int rc = -1;
	while (rc < 0 && (o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "diag");
		if (c < 0)
			rc = EXIT_USAGE;
		else if (c == CLI_DONE)
			rc = EXIT_OK;
		else if (!c)
			rc = cli_unknown("diag", o);
	}
	if (rc < 0 && a.n_positional != 1)
		rc = usage_error("diag", "expected one capture file");
	struct session *s = NULL;
	if (rc < 0) {
		struct session_opts so;
		memset(&so, 0, sizeof so);
		so.diag = 1;
		so.app = 1; /* the TLS and HTTP/2 findings read those layers' messages */
		so.body = SESS_BODY_HASH; /* (their fields, never a body) */
		/* and only they: every other message's contents go once it is complete, so
		 * memory does not follow the HTTP headers of the capture (470 MB on the large
		 * benchmark capture before) */
		so.live_release = 1;
		so.keep_msgs = "tls http2";
		so.absolute = co.absolute;
		so.keylog = co.keylog;
		s = cli_session(&so, a.positional[0], co.ids, co.n_ids, &rc);
	}
	if (!s) {
		cli_common_fini(&co);
		return rc;
	}
	cli_run(s);
	rc = cli_check_ids(s, co.ids, co.n_ids) ? EXIT_OK : EXIT_USAGE;
	struct layout ly;
	cli_layout(&co, &ly);
	struct strbuf b, t;
	sb_init(&b);
	sb_init(&t);
	size_t n;
	const struct conn *const *all = rc == EXIT_OK ? session_conns(s, &n) : NULL;
	int first = 1;
	for (size_t i = 0; all && i < n; i++) {
		if (!session_selected(s, all[i]))
			continue;
		if (co.json) {
			report_diag_json(&b, s, all[i]);
		} else {
			if (!first)
				sb_putc(&b, '\n');
			sb_reset(&t);
			report_diag_text(&t, s, all[i]);
			width_wrap_lines(&b, t.s, t.len, (size_t)ly.width, 2);
		}
		first = 0;
		cli_flush(&b);
	}
	sb_fini(&t);
	sb_fini(&b);
	cli_common_fini(&co);
	return cli_finish(s, rc);
}
