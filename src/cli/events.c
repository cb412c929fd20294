/* events.c: `chattcp events [--json]`: every name a note, an application message's
 * note or a diagnosis can carry, with its severity and meaning: the closed tables
 * (docs/json.md lists the same, and tests/suite/events checks they agree). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/json.h"

#include <string.h>

struct ev_ctx {
	struct strbuf b;
	int json;
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
	} else {
		sb_printf(&x->b, "%-10s %-34s %-8s %s\n", table, ev->name, severity_name(ev->severity), ev->meaning);
	}
}

int cmd_events(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct ev_ctx x;
	memset(&x, 0, sizeof x);
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			x.json = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			return cli_help_for("events");
		else
			return usage_error("events", "unknown option %s", o);
	}
	if (a.n_positional)
		return usage_error("events", "takes no file");
	sb_init(&x.b);
	if (!x.json)
		sb_printf(&x.b, "%-10s %-34s %-8s %s\n", "TABLE", "NAME", "SEVERITY", "MEANING");
	session_events(one, &x);
	cli_flush(&x.b);
	sb_fini(&x.b);
	return cli_finish(NULL, EXIT_OK);
}
