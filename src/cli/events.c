/* events.c: `chattcp events [--json]`: every name a note, an application message's
 * note or a diagnosis can carry, with its severity and meaning: the closed tables
 * (docs/json.md lists the same, and tests/suite/events checks they agree). The text
 * is a table that fits the width, its meaning column wrapping. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/json.h"
#include "../out/table.h"

#include <string.h>

static const struct table_col cols[] = {
	{ .head = "TABLE", .min = 5 },
	{ .head = "NAME", .min = 16 },
	{ .head = "SEVERITY", .min = 7 },
	{ .head = "MEANING", .wrap = 1, .min = 16 },
};

struct ev_ctx {
	struct strbuf b;
	struct table t;
	int json, measure;
};

static void one(void *ctx, const char *table, const struct app_event *ev)
{
	struct ev_ctx *x = ctx;
	if (x->json) {
		int f = 1;
		sb_putc(&x->b, '{');
		json_str_field(&x->b, &f, "table", table);
		json_str_field(&x->b, &f, "name", ev->name);
		json_str_field(&x->b, &f, "severity", severity_name(ev->severity));
		json_str_field(&x->b, &f, "meaning", ev->meaning);
		sb_puts(&x->b, "}\n");
		return;
	}
	const char *cells[4] = { table, ev->name, severity_name(ev->severity), ev->meaning };
	if (x->measure)
		table_measure(&x->t, cells);
	else
		table_row(&x->t, &x->b, cells);
}

int cmd_events(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON);
	struct ev_ctx x;
	memset(&x, 0, sizeof x);
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "events");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (!c)
			return cli_unknown("events", o);
	}
	if (a.n_positional)
		return usage_error("events", "takes no file");
	x.json = co.json;
	struct layout ly;
	cli_layout(&co, &ly);
	sb_init(&x.b);
	if (!x.json) {
		table_init(&x.t, cols, 4, &ly);
		x.measure = 1;
		session_events(one, &x);
		x.measure = 0;
		table_layout(&x.t);
		table_head(&x.t, &x.b);
	}
	session_events(one, &x);
	cli_flush(&x.b);
	sb_fini(&x.b);
	return cli_finish(NULL, EXIT_OK);
}
