/* opts.c: the one argument scanner and the options every command shares (--width,
 * --color, --ascii, --json, -c), with errors as one line; the one output path to
 * standard output, which remembers a failed write so every command exits 3 on it. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/fmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void args_init(struct args *a, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
}

static void positional(struct args *a, const char *s)
{
	if (a->n_positional < ARGS_POSITIONAL_MAX)
		a->positional[a->n_positional] = s;
	a->n_positional++; /* counted past the max: "expected one file" still trips */
}

const char *args_next(struct args *a)
{
	a->pending = NULL;
	while (a->i < a->argc) {
		char *s = a->argv[a->i++];
		if (strcmp(s, "--") == 0) {
			while (a->i < a->argc)
				positional(a, a->argv[a->i++]);
			return NULL;
		}
		if (s[0] == '-' && s[1] != '\0') {
			char *eq = strncmp(s, "--", 2) == 0 ? strchr(s, '=') : NULL;
			if (eq) {
				*eq = '\0';
				a->pending = eq + 1;
				return s;
			}
			/* -c3 is -c 3 and -tr is -t r (the short options that take a value). */
			if (s[1] == 'c' && s[2] != '\0') {
				a->pending = s + 2;
				return "-c";
			}
			if (s[1] == 't' && s[2] != '\0') {
				a->pending = s + 2;
				return "-t";
			}
			return s;
		}
		positional(a, s);
	}
	return NULL;
}

const char *args_value(struct args *a, const char *cmd, const char *opt)
{
	if (a->pending) {
		const char *v = a->pending;
		a->pending = NULL;
		return v;
	}
	if (a->i < a->argc)
		return a->argv[a->i++];
	usage_error(cmd, "%s needs a value", opt);
	return NULL;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "chattcp %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'chattcp help %s')\n", cmd);
	return EXIT_USAGE;
}

int cli_conns_usage(const char *cmd)
{
	return usage_error(cmd, "-c takes connection ids: 3, 3,5, 2-4 (TCP, as tcp.stream), u0 or udp:0-2 (UDP, as udp.stream)");
}

static int parse_number(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || errno || *end || end == v || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

int cli_number(const char *v, long lo, long hi, long *out) { return parse_number(v, lo, hi, out); }

void cli_common_init(struct cli_common *c, unsigned accept)
{
	memset(c, 0, sizeof *c);
	c->accept = accept;
	c->color = "auto";
}

void cli_common_init_time(struct cli_common *c, unsigned accept, int time_default)
{
	cli_common_init(c, accept | CLI_TIME);
	c->time = time_default;
}

void cli_common_fini(struct cli_common *c)
{
	xfree(c->ids);
	c->ids = NULL;
	cli_filter_fini(&c->y);
}

/* --plugin FILE and --plugin-port N (session_plugin_load): loaded as they are read, so a
 * -Y after them can name the plugin's fields. */
int cli_plugin_opt(struct args *a, const char *k, const char *cmd)
{
	const char *v;
	if (!strcmp(k, "--plugin")) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		struct err e;
		err_clear(&e);
		if (session_plugin_load(v, &e) < 0) {
			usage_error(cmd, "%s", e.msg);
			return -1;
		}
		return 1;
	}
	if (!strcmp(k, "--plugin-port")) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		char *end;
		long port = strtol(v, &end, 10);
		if (*end || end == v || port < 1 || port > 65535 || !session_plugin_any()) {
			usage_error(cmd, session_plugin_any() ? "--plugin-port takes a port 1-65535, not '%s'"
						      : "--plugin-port %s: give --plugin FILE first", v);
			return -1;
		}
		session_plugin_port((uint16_t)port);
		return 1;
	}
	return 0;
}

int cli_common_opt(struct args *a, const char *k, struct cli_common *c, const char *cmd)
{
	const char *v;
	long n;
	if (!strcmp(k, "-h") || !strcmp(k, "--help"))
		return cli_help_for(cmd) == EXIT_OK ? CLI_DONE : -1;
	if (!strcmp(k, "--width")) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		if (parse_number(v, WIDTH_MIN, WIDTH_MAX, &n) < 0) {
			usage_error(cmd, "--width takes %d to %d columns, not '%s'", WIDTH_MIN, WIDTH_MAX, v);
			return -1;
		}
		c->width = (int)n;
		return 1;
	}
	if (!strcmp(k, "--color") || !strcmp(k, "--colour")) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		if (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never")) {
			usage_error(cmd, "--color takes auto, always or never, not '%s'", v);
			return -1;
		}
		c->color = v;
		return 1;
	}
	int pr = cli_plugin_opt(a, k, cmd);
	if (pr)
		return pr;
	if (!strcmp(k, "--keylog")) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		c->keylog = v;
		return 1;
	}
	if (!strcmp(k, "--ascii")) {
		c->ascii = 1;
		return 1;
	}
	if ((!strcmp(k, "--relative") || !strcmp(k, "--absolute")) && (c->accept & CLI_NUMBERS)) {
		c->absolute = k[2] == 'a';
		return 1;
	}
	if ((!strcmp(k, "-t") || !strcmp(k, "--time")) && (c->accept & CLI_TIME)) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		int t = fmt_time_parse(v);
		if (t < 0) {
			usage_error(cmd, "%s takes a, ad, u, ud, r, d, dd or e (tshark's time formats), not '%s'", k, v);
			return -1;
		}
		c->time = t;
		c->time_given = 1;
		return 1;
	}
	if (!strcmp(k, "--json") && (c->accept & CLI_JSON)) {
		c->json = 1;
		return 1;
	}
	if ((!strcmp(k, "-Y") || !strcmp(k, "--display-filter")) && (c->accept & CLI_FILTER)) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		if (c->y.f) {
			usage_error(cmd, "-Y is given once (join expressions with && or ||)");
			return -1;
		}
		return cli_filter_compile(&c->y, cmd, v) < 0 ? -1 : 1;
	}
	if ((!strcmp(k, "-c") || !strcmp(k, "--conn")) && (c->accept & CLI_CONN)) {
		if (!(v = args_value(a, cmd, k)))
			return -1;
		size_t before = c->n_ids;
		if (cli_parse_conns(v, &c->ids, &c->n_ids, &c->cap_ids) < 0 || c->n_ids == before) {
			cli_conns_usage(cmd);
			return -1;
		}
		return 1;
	}
	return 0;
}

int cli_unknown(const char *cmd, const char *k)
{
	return usage_error(cmd, "unknown option %s", k);
}

void cli_layout(const struct cli_common *c, struct layout *ly)
{
	ly->width = width_pick(c->width);
	ly->color = !c->json && cli_color(c->color);
	ly->unicode = !c->ascii && cli_unicode();
}

/* --- the output path --- */

/* No state of our own: the stream's error indicator (ferror) is sticky, so a failed
 * write anywhere is seen at the end. Once it is set nothing more is written (a full
 * disk does not take a whole chat of failed writes). */
void cli_write(const void *p, size_t n)
{
	if (n && !ferror(stdout))
		fwrite(p, 1, n, stdout);
}

void cli_flush(struct strbuf *b)
{
	cli_write(b->s, b->len);
	sb_reset(b);
}

void cli_push(void)
{
	if (!ferror(stdout))
		fflush(stdout);
}

int cli_out_check(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	if (errno != EPIPE)
		fprintf(stderr, "chattcp: cannot write the output%s%s\n", errno ? ": " : "", errno ? strerror(errno) : "");
	return EXIT_SYSTEM;
}
