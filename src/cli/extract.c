/* extract.c: `chattcp extract FILE -o OUT.pcap|OUT.pcapng|- [-c ID ...] [-Y EXPR]
 * [--frames A-B]`: the frames chosen, written as they are read (out/capwrite.h), so
 * Wireshark opens the result and shows the same frames. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../filter/filter.h"
#include "../out/capwrite.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct extract {
	struct cli_common co;
	const char *out, *format;
	uint32_t from, to;        /* --frames A-B (0, 0: all) */
	struct capwrite *w;
	struct err e;
	int failed;
};

static int chosen(const struct extract *x, const struct sess_frame_view *f)
{
	uint32_t fr = f->pk->frame;
	if (x->to && (fr < x->from || fr > x->to))
		return 0;
	if (x->co.n_ids) {
		if (!f->c)
			return 0;
		size_t i;
		for (i = 0; i < x->co.n_ids; i++)
			if (x->co.ids[i].proto == f->c->proto && x->co.ids[i].id == f->c->id)
				break;
		if (i == x->co.n_ids)
			return 0;
	}
	return !x->co.y.f || filter_match(x->co.y.f, f);
}

static void on_frame(void *ctx, const struct sess_frame_view *f)
{
	struct extract *x = ctx;
	if (!x->failed && chosen(x, f) && capwrite_rec(x->w, f->rec, &x->e) < 0)
		x->failed = 1;
}

static int frames_opt(struct extract *x, const char *v)
{
	char *end;
	unsigned long lo = strtoul(v, &end, 10), hi = lo;
	if (end != v && *end == '-') {
		const char *p = end + 1;
		hi = *p ? strtoul(p, &end, 10) : UINT32_MAX;
		if (!*p)
			end = (char *)(uintptr_t)p;
		else if (end == p)
			end = (char *)(uintptr_t)v;
	}
	if (end == v || *end || lo < 1 || hi < lo || hi > UINT32_MAX)
		return usage_error("extract", "--frames takes A-B, A- or N (frame numbers from 1), not '%s'", v);
	x->from = (uint32_t)lo;
	x->to = (uint32_t)hi;
	return 0;
}

/* The options; -1 to go on, or the exit status. */
static int extract_args(int argc, char **argv, struct extract *x, const char **spec)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &x->co, "extract");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		const char *v;
		if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			if (!(x->out = args_value(&a, "extract", o)))
				return EXIT_USAGE;
		} else if (!strcmp(o, "--format")) {
			if (!(x->format = args_value(&a, "extract", o)))
				return EXIT_USAGE;
			if (strcmp(x->format, "pcap") && strcmp(x->format, "pcapng"))
				return usage_error("extract", "--format takes pcap or pcapng, not '%s'", x->format);
		} else if (!strcmp(o, "--frames")) {
			if (!(v = args_value(&a, "extract", o)) || frames_opt(x, v))
				return EXIT_USAGE;
		} else {
			return cli_unknown("extract", o);
		}
	}
	if (a.n_positional != 1)
		return usage_error("extract", "expected one capture file");
	if (!x->out)
		return usage_error("extract", "-o OUT.pcap, OUT.pcapng or - (standard output) is required");
	*spec = a.positional[0];
	if (!strcmp(x->out, "-") && isatty(STDOUT_FILENO))
		return usage_error("extract", "standard output is a terminal: a capture is binary (-o FILE, or a pipe)");
	struct stat in, out;
	if (strcmp(x->out, "-") && stat(*spec, &in) == 0 && stat(x->out, &out) == 0 && in.st_dev == out.st_dev &&
	    in.st_ino == out.st_ino)
		return usage_error("extract", "-o %s is the capture being read", x->out);
	return -1;
}

static int ends_with(const char *s, const char *e)
{
	size_t n = strlen(s), k = strlen(e);
	return n >= k && !strcmp(s + n - k, e);
}

int cmd_extract(int argc, char **argv)
{
	struct extract x;
	memset(&x, 0, sizeof x);
	cli_common_init(&x.co, CLI_CONN | CLI_FILTER);
	err_clear(&x.e);
	const char *spec = NULL;
	int rc = extract_args(argc, argv, &x, &spec);
	if (rc >= 0)
		goto out;
	int pcapng = x.format ? !strcmp(x.format, "pcapng") : ends_with(x.out, ".pcapng") || !strcmp(x.out, "-");
	if (!(x.w = capwrite_open(x.out, pcapng, &x.e))) {
		fprintf(stderr, "chattcp extract: %s\n", x.e.msg);
		rc = EXIT_SYSTEM;
		goto out;
	}
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.on_frame = on_frame;
	so.frame_ctx = &x;
	so.keylog = x.co.keylog;
	so.app = x.co.y.f && filter_needs_app(x.co.y.f);
	struct session *s = cli_session(&so, spec, x.co.ids, x.co.n_ids, &rc);
	if (!s) {
		capwrite_close(x.w, &x.e);
		goto out;
	}
	cli_run(s);
	rc = cli_check_ids(s, x.co.ids, x.co.n_ids) ? EXIT_OK : EXIT_USAGE;
	uint64_t n = capwrite_records(x.w), bytes = capwrite_bytes(x.w);
	if (capwrite_close(x.w, &x.e) < 0 || x.failed) {
		fprintf(stderr, "chattcp extract: %s\n", x.e.msg);
		rc = x.e.code ? x.e.code : EXIT_SYSTEM;
	} else if (strcmp(x.out, "-")) {
		fprintf(stderr, "%llu frame%s (%llu bytes) written to %s\n", (unsigned long long)n, n == 1 ? "" : "s",
			(unsigned long long)bytes, x.out);
	}
	cli_common_fini(&x.co);
	return cli_finish(s, rc);
out:
	cli_common_fini(&x.co);
	return rc;
}
