/* common.c: see cli.h. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../cases/cases.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void args_init(struct args *a, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
}

const char *args_next(struct args *a)
{
	a->pending = NULL;
	while (a->i < a->argc) {
		char *s = a->argv[a->i++];
		if (strcmp(s, "--") == 0) {
			while (a->i < a->argc && a->n_positional < 8)
				a->positional[a->n_positional++] = a->argv[a->i++];
			return NULL;
		}
		if (s[0] == '-' && s[1] != '\0') {
			char *eq = strncmp(s, "--", 2) == 0 ? strchr(s, '=') : NULL;
			if (eq) {
				*eq = '\0';
				a->pending = eq + 1;
			}
			return s;
		}
		if (a->n_positional < 8)
			a->positional[a->n_positional++] = s;
	}
	return NULL;
}

const char *args_value(struct args *a, const char *opt)
{
	if (a->pending) {
		const char *v = a->pending;
		a->pending = NULL;
		return v;
	}
	if (a->i < a->argc)
		return a->argv[a->i++];
	fprintf(stderr, "chattcp: option %s needs a value\n", opt);
	return NULL;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "chattcp %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'chattcp help %s')\n", cmd);
	return EXIT_USAGE;
}

void cli_error(const struct err *e)
{
	fprintf(stderr, "chattcp: %s\n", e->msg);
}

int cli_open(struct engine *en, const char *spec)
{
	struct err e;
	err_clear(&e);
	int rc;
	if (strncmp(spec, "case:", 5) == 0) {
		const struct case_blob *cb = case_find(spec + 5);
		if (!cb) {
			fprintf(stderr, "chattcp: %s: no such built-in case (see 'chattcp cases')\n", spec);
			return -1;
		}
		rc = engine_open_mem(en, spec, cb->capture, cb->capture_len, &e);
	} else {
		rc = engine_open(en, spec, &e);
	}
	if (rc < 0) {
		cli_error(&e);
		return -1;
	}
	return 0;
}

void cli_run(struct engine *en)
{
	engine_run(en);
}

int cli_finish(struct engine *en, int rc)
{
	if (fflush(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, "chattcp: write error: %s\n", strerror(errno));
		rc = EXIT_SYSTEM;
	}
	if (en->damaged) {
		/* One line: what and where, and that what came before was used. */
		fprintf(stderr, "chattcp: %s (read %llu packets before it)\n", en->err.msg,
			(unsigned long long)en->n_frames);
		if (rc == EXIT_OK)
			rc = EXIT_BADINPUT;
	}
	engine_close(en);
	return rc;
}

int cli_color(const char *mode)
{
	if (!mode || strcmp(mode, "auto") == 0) {
		const char *term = getenv("TERM");
		if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
			return 0;
		return isatty(1) && term && strcmp(term, "dumb") != 0;
	}
	return strcmp(mode, "always") == 0;
}

int cli_term_width(void)
{
	const char *cols = getenv("COLUMNS");
	if (cols) {
		long v = strtol(cols, NULL, 10);
		if (v >= 40 && v <= 1000)
			return (int)v;
	}
	struct winsize ws;
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return 100;
}

int cli_parse_ids(const char *s, uint32_t **ids, size_t *n, size_t *cap)
{
	while (*s) {
		char *end;
		errno = 0;
		unsigned long a = strtoul(s, &end, 10);
		if (end == s || errno || a > 0xffffffffu)
			return -1;
		unsigned long z = a;
		if (*end == '-') {
			const char *t = end + 1;
			z = strtoul(t, &end, 10);
			if (end == t || z < a || z > 0xffffffffu || z - a > 1000000)
				return -1;
		}
		for (unsigned long v = a; v <= z; v++) {
			xgrow(ids, cap, *n + 1, sizeof **ids);
			(*ids)[(*n)++] = (uint32_t)v;
		}
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return 0;
}
