/* stream.c: `chattcp stream FILE -c ID [-t FORMAT] [--decode-as P] [--json] [--raw-out FILE
 * [--side client|server|both]]`, or `--all`: the whole connection as alternating
 * client/server messages, each with its first frame's time (-t), decoded (Follow Stream, with structure); a connection no
 * decoder recognised is shown as raw runs of bytes. --raw-out writes the reassembled
 * bytes of one side (or both, in order) to a file. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/payload.h"
#include "../out/stream_term.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

struct stream_opts {
	struct sess_id id;
	int have_id, all, json, side, side_given;
	const char *decode_as, *raw_out, *spec, *keylog;
	struct layout ly;
	struct cli_yfilter *y;  /* -Y: only connections with a frame it selects */
	int time;               /* -t: enum fmt_time of each message's header */
	int64_t first_ts;       /* the capture's first frame (-t r) */
	int64_t *prev_shown;    /* the previous message shown, any connection (-t dd) */
};

/* The reassembled bytes into path ('-': standard output, through the output path, and
 * the summary goes to standard error so it does not mix with the bytes). */
static int write_raw(const char *path, const struct sess_run *runs, size_t n_runs, int side, struct strbuf *b)
{
	int to_stdout = strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "chattcp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	uint64_t n = 0, gaps = 0, gap_bytes = 0;
	for (size_t i = 0; i < n_runs; i++) {
		const struct sess_run *r = &runs[i];
		if (side >= 0 && r->dir != side)
			continue;
		if (!r->p) {
			gaps++;
			gap_bytes += r->len;
			continue;
		}
		if (to_stdout) {
			cli_write(r->p, r->len);
		} else if (fwrite(r->p, 1, r->len, f) != r->len) {
			fprintf(stderr, "chattcp: %s: %s\n", path, strerror(errno));
			fclose(f);
			return -1;
		}
		n += r->len;
	}
	if (to_stdout) {
		if (gaps)
			fprintf(stderr, "chattcp: %" PRIu64 " gaps (%" PRIu64 " bytes never captured) left out of the output\n",
				gaps, gap_bytes);
		return 0;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "chattcp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	sb_printf(b, "wrote %" PRIu64 " bytes (%s) to %s", n,
		  side < 0 ? "both sides, in order" : side ? "server -> client" : "client -> server", path);
	if (gaps)
		sb_printf(b, "; %" PRIu64 " gaps (%" PRIu64 " bytes never captured) left out", gaps, gap_bytes);
	sb_putc(b, '\n');
	return 0;
}

static void show_raw(struct strbuf *b, const struct sess_run *runs, size_t n_runs, const struct conn *c, int width)
{
	char ep[80];
	for (size_t i = 0; i < n_runs; i++) {
		const struct sess_run *r = &runs[i];
		fmt_endpoint(&c->ep[r->dir], ep, sizeof ep);
		if (!r->p) {
			sb_printf(b, "%s %s  bytes %" PRIu64 "-%" PRIu64 ": %zu bytes NOT CAPTURED (gap)\n\n", r->dir ? "<<" : ">>",
				  ep, r->off, r->off + r->len, r->len);
			continue;
		}
		sb_printf(b, "%s %s  bytes %" PRIu64 "-%" PRIu64 " (%zu)\n", r->dir ? "<<" : ">>", ep, r->off, r->off + r->len,
			  r->len);
		payload_render(b, r->p, r->len, r->len, 4096, width);
		sb_putc(b, '\n');
	}
}

/* A connection nothing decoded, as JSON: one object per run of bytes or gap (out/json.h),
 * so --json says as much as the text view. */
static void raw_json(struct strbuf *b, const struct sess_run *runs, size_t n_runs, const struct conn *c)
{
	for (size_t i = 0; i < n_runs; i++) {
		json_raw_run(b, &runs[i], c);
		if (b->len > 1 << 16)
			cli_flush(b);
	}
}

/* One connection's messages (or raw bytes); returns an exit status. */
static int one_conn(struct session *s, const struct stream_opts *o, const struct conn *c, struct strbuf *b)
{
	int width = o->ly.width;
	int to_stdout = o->raw_out && strcmp(o->raw_out, "-") == 0;
	size_t n;
	const struct appmsg *const *m = session_msgs(s, c, &n);
	if (to_stdout)
		n = 0; /* the bytes alone: no message may mix with them */
	if (!o->json && !o->all && !to_stdout) {
		char stack[128], id[16];
		session_conn_stack(s, c, stack, sizeof stack);
		sb_printf(b, "%s %s (%s, decoded as %s): %zu messages\n\n", c->proto == 6 ? "Connection" : "Conversation",
			  fmt_conn_id(c, id, sizeof id), c->proto == 6 ? "TCP" : "UDP", *stack ? stack : "nothing (raw bytes)",
			  n);
	}
	int64_t prev_conn = INT64_MIN; /* -t d: the connection's previous message */
	for (size_t k = 0; k < n; k++) {
		int64_t base = o->time == FMT_T_REL ? o->first_ts
			       : o->time == FMT_T_DELTA ? prev_conn
			       : o->time == FMT_T_DELTA_SHOWN ? *o->prev_shown : INT64_MIN;
		prev_conn = *o->prev_shown = m[k]->first_ts;
		if (o->json)
			appmsg_json(b, m[k], c);
		else
			stream_term_msg(b, m[k], c, width, o->time, base);
		if (b->len > 1 << 16)
			cli_flush(b);
	}
	size_t n_runs;
	uint64_t dropped;
	const struct sess_run *runs = session_raw(s, c, &n_runs, &dropped);
	if (n == 0 && !o->json && !o->all && !to_stdout)
		show_raw(b, runs, n_runs, c, width);
	if (n == 0 && o->json && !o->all && !to_stdout)
		raw_json(b, runs, n_runs, c);
	if (dropped)
		fprintf(stderr, "chattcp: %" PRIu64 " bytes past the %zu MB kept for the raw view were left out\n", dropped,
			(size_t)256);
	if (o->raw_out && write_raw(o->raw_out, runs, n_runs, o->side, b) < 0)
		return EXIT_SYSTEM;
	return EXIT_OK;
}

static int run(struct stream_opts *o)
{
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.app = 1;
	so.raw = !o->all;
	so.decode_as = o->decode_as;
	so.keylog = o->keylog;
	cli_filter_hook(o->y, &so);
	int rc;
	struct session *s = cli_session(&so, o->spec, &o->id, o->all ? 0 : 1, &rc);
	if (!s)
		return rc;
	cli_run(s);
	if (!o->all && !cli_check_ids(s, &o->id, 1))
		return cli_finish(s, EXIT_USAGE);
	struct sess_counts cn;
	session_counts(s, &cn);
	o->first_ts = cn.first_ts;
	int64_t prev_shown = INT64_MIN;
	o->prev_shown = &prev_shown;
	struct strbuf b;
	sb_init(&b);
	size_t n;
	const struct conn *const *all = session_conns(s, &n);
	for (size_t i = 0; i < n && rc == EXIT_OK; i++)
		if (session_selected(s, all[i]) && (!o->y->f || cli_filter_conn(o->y, all[i])))
			rc = one_conn(s, o, all[i], &b);
	cli_flush(&b);
	sb_fini(&b);
	return cli_finish(s, rc);
}

int cmd_stream(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct stream_opts o;
	memset(&o, 0, sizeof o);
	o.side = -1;
	struct cli_common co;
	cli_common_init_time(&co, CLI_JSON | CLI_CONN | CLI_NUMBERS | CLI_FILTER, FMT_T_ABS);
	o.y = &co.y;
	const char *k;
	int rc = -1;
	while (rc < 0 && (k = args_next(&a))) {
		int c = cli_common_opt(&a, k, &co, "stream");
		if (c < 0)
			rc = EXIT_USAGE;
		else if (c == CLI_DONE)
			rc = EXIT_OK;
		else if (c)
			continue;
		else if (strcmp(k, "--all") == 0)
			o.all = 1;
		else if (strcmp(k, "--decode-as") == 0) {
			if (!(o.decode_as = args_value(&a, "stream", k)))
				rc = EXIT_USAGE;
		} else if (strcmp(k, "--raw-out") == 0) {
			if (!(o.raw_out = args_value(&a, "stream", k)))
				rc = EXIT_USAGE;
		} else if (strcmp(k, "--side") == 0) {
			const char *v = args_value(&a, "stream", k);
			static const char *const sides[] = { "client", "server", "both" };
			int sd = -2;
			for (int i = 0; v && i < 3; i++)
				if (strcmp(v, sides[i]) == 0)
					sd = i == 2 ? -1 : i;
			if (!v)
				rc = EXIT_USAGE;
			else if (sd == -2)
				rc = usage_error("stream", "--side takes client, server or both, not '%s'", v);
			o.side = sd;
			o.side_given = 1;
		} else
			rc = cli_unknown("stream", k);
	}
	if (rc < 0 && co.n_ids > 1)
		rc = usage_error("stream", "-c takes one connection id (3 for TCP, u3 for UDP); --all shows every one");
	if (rc < 0 && a.n_positional != 1)
		rc = usage_error("stream", "expected one capture file");
	if (rc < 0 && !co.n_ids && !o.all)
		rc = usage_error("stream", "-c ID (one connection) or --all is required");
	if (rc < 0 && o.all && o.raw_out)
		rc = usage_error("stream", "--raw-out needs one connection (-c ID)");
	if (rc < 0 && o.side_given && !o.raw_out)
		rc = usage_error("stream", "--side chooses what --raw-out writes: give --raw-out FILE too");
	if (rc < 0) {
		if (co.n_ids)
			o.id = co.ids[0];
		o.have_id = co.n_ids == 1;
		o.json = co.json;
		cli_layout(&co, &o.ly);
		o.spec = a.positional[0];
		o.keylog = co.keylog;
		o.time = co.time;
		rc = run(&o);
	}
	cli_common_fini(&co);
	return rc;
}
