/* stream.c: `chattcp stream FILE -c ID [--decode-as P] [--json] [--raw-out FILE
 * [--side client|server|both]]`, or `--all`: the whole connection as alternating
 * client/server messages, decoded (Follow Stream, with structure); a connection no
 * decoder recognised is shown as raw runs of bytes. --raw-out writes the reassembled
 * bytes of one side (or both, in order) to a file. */
#include "appcli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../out/fmt.h"
#include "../out/payload.h"
#include "../out/stream_term.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Raw bytes kept for the chosen connection: the stream view of an undecoded
 * connection and --raw-out; beyond this the rest is counted, not kept. */
#define STREAM_RAW_MAX ((size_t)256 << 20)

struct run {
	uint32_t conn;
	uint8_t dir;
	uint8_t gap;
	uint64_t off;
	size_t len;
	uint8_t *p; /* NULL for a gap */
};

struct stream_ctx {
	uint32_t id;
	int all;
	struct run *runs;
	size_t n_runs, cap_runs, kept;
	uint64_t dropped;
};

/* TCP ids are final during the pass (tcp.stream order); UDP ids are not, so every
 * UDP conversation that could still turn out to be the one is kept. */
static int sel_conn(void *ctx, const struct conn *c)
{
	const struct stream_ctx *x = ctx;
	if (x->all)
		return 1;
	return c->proto == 6 ? c->proto_idx == x->id : c->proto_idx <= x->id;
}

static void tap(void *ctx, const struct conn *c, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct stream_ctx *x = ctx;
	if (x->all)
		return;
	struct run *last = x->n_runs ? &x->runs[x->n_runs - 1] : NULL;
	if (p && last && last->p && last->conn == c->idx && last->dir == dir && last->off + last->len == off &&
	    x->kept + n <= STREAM_RAW_MAX) {
		last->p = xrealloc(last->p, last->len + n);
		memcpy(last->p + last->len, p, n);
		last->len += n;
		x->kept += n;
		return;
	}
	if (p && x->kept + n > STREAM_RAW_MAX) {
		x->dropped += n;
		return;
	}
	xgrow(&x->runs, &x->cap_runs, x->n_runs + 1, sizeof *x->runs);
	struct run *r = &x->runs[x->n_runs++];
	r->conn = c->idx;
	r->dir = (uint8_t)dir;
	r->off = off;
	r->len = n;
	r->gap = p == NULL;
	r->p = NULL;
	if (p) {
		r->p = xmalloc(n ? n : 1);
		memcpy(r->p, p, n);
		x->kept += n;
	}
}

static int write_raw(const char *path, const struct stream_ctx *x, uint32_t conn_idx, int side, struct strbuf *b)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "chattcp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	uint64_t n = 0, gaps = 0, gap_bytes = 0;
	for (size_t i = 0; i < x->n_runs; i++) {
		const struct run *r = &x->runs[i];
		if (r->conn != conn_idx || (side >= 0 && r->dir != side))
			continue;
		if (r->gap) {
			gaps++;
			gap_bytes += r->len;
			continue;
		}
		if (fwrite(r->p, 1, r->len, f) != r->len) {
			fprintf(stderr, "chattcp: %s: %s\n", path, strerror(errno));
			fclose(f);
			return -1;
		}
		n += r->len;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "chattcp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	sb_printf(b, "wrote %" PRIu64 " bytes (%s) to %s", n, side < 0 ? "both sides, in order" : side ? "server -> client" : "client -> server", path);
	if (gaps)
		sb_printf(b, "; %" PRIu64 " gaps (%" PRIu64 " bytes never captured) left out", gaps, gap_bytes);
	sb_putc(b, '\n');
	return 0;
}

static void show_raw(struct strbuf *b, const struct stream_ctx *x, const struct conn *c, int width)
{
	char ep[80];
	for (size_t i = 0; i < x->n_runs; i++) {
		const struct run *r = &x->runs[i];
		if (r->conn != c->idx)
			continue;
		fmt_endpoint(&c->ep[r->dir], ep, sizeof ep);
		if (r->gap) {
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

int cmd_stream(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct stream_ctx x;
	memset(&x, 0, sizeof x);
	int json = 0, have_id = 0, side = -1;
	const char *force = NULL, *raw_out = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "-c") == 0 || strcmp(o, "--conn") == 0) {
			const char *v = args_value(&a, o);
			char *end;
			if (!v)
				return EXIT_USAGE;
			unsigned long id = strtoul(v, &end, 10);
			if (*end || end == v || id > 0xffffffffu)
				return usage_error("stream", "-c takes one connection id");
			x.id = (uint32_t)id;
			have_id = 1;
		} else if (strcmp(o, "--all") == 0)
			x.all = 1;
		else if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--decode-as") == 0) {
			if (!(force = args_value(&a, o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "--raw-out") == 0) {
			if (!(raw_out = args_value(&a, o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "--side") == 0) {
			const char *v = args_value(&a, o);
			if (!v)
				return EXIT_USAGE;
			if (strcmp(v, "client") == 0)
				side = 0;
			else if (strcmp(v, "server") == 0)
				side = 1;
			else if (strcmp(v, "both") == 0)
				side = -1;
			else
				return usage_error("stream", "--side takes client, server or both");
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "stream", NULL };
			return cmd_help(2, hv);
		} else
			return usage_error("stream", "unknown option %s", o);
	}
	if (a.n_positional != 1)
		return usage_error("stream", "expected one capture file");
	if (!have_id && !x.all)
		return usage_error("stream", "-c ID (one connection) or --all is required");
	if (x.all && raw_out)
		return usage_error("stream", "--raw-out needs one connection (-c ID)");
	int width = cli_term_width();
	struct engine en;
	struct app app;
	int rc;
	/* The tap must be in place before the pass: set it up through a tiny pre-run. */
	const struct proto_desc *fd = NULL;
	if (force && !(fd = proto_find(force))) {
		char names[256];
		appcli_proto_names(names, sizeof names);
		fprintf(stderr, "chattcp: --decode-as %s: unknown protocol (known: %s)\n", force, names);
		return EXIT_USAGE;
	}
	if (cli_open(&en, a.positional[0]) < 0)
		return EXIT_BADINPUT;
	app_init(&app, &en);
	app.force = fd;
	app.force_sel = x.all ? NULL : sel_conn;
	app.force_ctx = &x;
	app.tap = tap;
	app.tap_sel = sel_conn;
	app.tap_ctx = &x;
	app_attach(&app);
	if (!x.all)
		engine_filter_last_sink(&en, sel_conn, &x); /* decode only the connection shown */
	cli_run(&en);
	app_end(&app);
	rc = EXIT_OK;
	struct strbuf b;
	sb_init(&b);
	uint32_t total = en.ct.n_tcp + en.ct.n_udp;
	if (!x.all && x.id >= total) {
		fprintf(stderr, "chattcp: %s: no connection %u (the capture has %u: 0 to %u)\n", en.cf.name, x.id, total,
			total ? total - 1 : 0);
		rc = EXIT_USAGE;
		goto out;
	}
	for (uint32_t id = 0; id < total; id++) {
		if (!x.all && id != x.id)
			continue;
		const struct conn *c = appcli_conn_by_id(&en, id);
		if (!c)
			continue;
		size_t n;
		uint32_t *ix = applog_conn_msgs(&app.log, c->idx, &n);
		if (!json && !x.all) {
			const char *p = app_proto_of(&app, c);
			sb_printf(&b, "Connection %u (%s, decoded as %s): %zu messages\n\n", id, c->proto == 6 ? "TCP" : "UDP",
				  p ? p : "nothing (raw bytes)", n);
		}
		for (size_t k = 0; k < n; k++) {
			if (json)
				appmsg_json(&b, &app.log.m[ix[k]], c);
			else
				stream_term_msg(&b, &app.log.m[ix[k]], c, width);
			if (b.len > 1 << 16)
				sb_write(&b, stdout);
		}
		if (n == 0 && !json && !x.all)
			show_raw(&b, &x, c, width);
		xfree(ix);
		if (raw_out && write_raw(raw_out, &x, c->idx, side, &b) < 0)
			rc = EXIT_SYSTEM;
	}
	if (x.dropped)
		fprintf(stderr, "chattcp: %" PRIu64 " bytes past the %zu MB kept for the raw view were left out\n", x.dropped,
			STREAM_RAW_MAX >> 20);
out:
	sb_write(&b, stdout);
	sb_fini(&b);
	for (size_t i = 0; i < x.n_runs; i++)
		xfree(x.runs[i].p);
	xfree(x.runs);
	app_fini(&app);
	return cli_finish(&en, rc);
}
