/* graph.c: `chattcp graph FILE -c ID [--json]`: the points the window's graphs draw for
 * a connection (session_graph), one line per packet: the data behind the time-sequence,
 * throughput, RTT and window graphs, for scripts and for checking the browser. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/graph_json.h"

#include <inttypes.h>
#include <string.h>

struct graph_out {
	struct strbuf *b;
	int json;
};

static void graph_line(void *ctx, const struct sess_graph_pt *pt)
{
	struct graph_out *g = ctx;
	if (g->json) {
		graph_json_point(g->b, pt);
	} else {
		sb_printf(g->b, "%8" PRIu32 " %12.6f %s seq %" PRIu32 ":%" PRIu32, pt->frame, (double)pt->t_ns / 1e9,
			  pt->dir ? "<-" : "->", pt->seq, pt->end);
		if (pt->has_ack)
			sb_printf(g->b, " ack %" PRIu32, pt->ack);
		sb_printf(g->b, " win %" PRIu32 " in-flight %" PRIu32, pt->win, pt->inflight);
		if (pt->rtt_ns >= 0)
			sb_printf(g->b, " rtt %.3f ms", (double)pt->rtt_ns / 1e6);
		sb_putc(g->b, '\n');
	}
	if (g->b->len > 1 << 16)
		cli_flush(g->b);
}

int cmd_graph(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON | CLI_CONN);
	const char *o;
	int rc = -1;
	while (rc < 0 && (o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "graph");
		if (c < 0)
			rc = EXIT_USAGE;
		else if (c == CLI_DONE)
			rc = EXIT_OK;
		else if (!c)
			rc = cli_unknown("graph", o);
	}
	if (rc < 0 && a.n_positional != 1)
		rc = usage_error("graph", "expected one capture file");
	if (rc < 0 && co.n_ids != 1)
		rc = usage_error("graph", "expected one connection: -c ID");
	struct session *s = NULL;
	if (rc < 0) {
		struct session_opts so;
		memset(&so, 0, sizeof so);
		so.keep = SESS_KEEP_PACKETS;
		so.keylog = co.keylog;
		s = cli_session(&so, a.positional[0], co.ids, co.n_ids, &rc);
	}
	if (!s) {
		cli_common_fini(&co);
		return rc;
	}
	cli_run(s);
	rc = cli_check_ids(s, co.ids, co.n_ids) ? EXIT_OK : EXIT_USAGE;
	const struct conn *c = rc == EXIT_OK ? session_conn(s, co.ids[0]) : NULL;
	struct strbuf b;
	sb_init(&b);
	if (c) {
		struct graph_out g = { &b, co.json };
		if (co.json)
			graph_json_header(&b, c);
		long n = session_graph(s, c, graph_line, &g);
		if (co.json && n >= 0)
			graph_json_footer(&b, n);
	}
	cli_flush(&b);
	sb_fini(&b);
	cli_common_fini(&co);
	return cli_finish(s, rc);
}
