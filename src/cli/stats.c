/* stats.c: `chattcp stats FILE [--json]`: file-level statistics: connections and
 * their troubles, packets by analysis label, top connections, capture duration. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../out/fmt.h"
#include "../out/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Rows in each "top connections" list: enough to find the culprits, short enough to read. */
#define STATS_TOP 5

static uint64_t conn_bytes(const struct conn *c) { return c->bytes[0] + c->bytes[1]; }

static uint64_t conn_retx(const struct conn *c)
{
	return c->proto == 6 ? c->label_count[LB_RETRANSMISSION] : 0;
}

static int by_bytes(const void *x, const void *y)
{
	const struct conn *a = *(const struct conn *const *)x, *b = *(const struct conn *const *)y;
	uint64_t p = conn_bytes(a), q = conn_bytes(b);
	return p != q ? (p < q ? 1 : -1) : (a->id > b->id) - (a->id < b->id);
}

static int by_retx(const void *x, const void *y)
{
	const struct conn *a = *(const struct conn *const *)x, *b = *(const struct conn *const *)y;
	uint64_t p = conn_retx(a), q = conn_retx(b);
	return p != q ? (p < q ? 1 : -1) : (a->id > b->id) - (a->id < b->id);
}

struct counts {
	uint64_t tcp, udp, hs_incomplete, close_incomplete, retx, rst, labels[LB_COUNT];
};

static void top_text(struct strbuf *b, struct conn **v, size_t n, int retx)
{
	char x[80], y[80];
	for (size_t i = 0; i < n && i < STATS_TOP; i++) {
		const struct conn *c = v[i];
		if (retx && !conn_retx(c))
			break;
		sb_printf(b, "  %4" PRIu32 "  %-4s %s -> %s  ", c->id, c->proto == 6 ? "TCP" : "UDP",
			  fmt_endpoint(&c->ep[0], x, sizeof x), fmt_endpoint(&c->ep[1], y, sizeof y));
		if (retx)
			sb_printf(b, "%" PRIu64 " retransmissions of %" PRIu64 " packets\n", conn_retx(c), c->pkts[0] + c->pkts[1]);
		else {
			fmt_bytes(b, conn_bytes(c));
			sb_putc(b, '\n');
		}
	}
}

static void top_json(struct strbuf *b, struct conn **v, size_t n, int retx)
{
	sb_putc(b, '[');
	for (size_t i = 0, k = 0; i < n && k < STATS_TOP; i++) {
		const struct conn *c = v[i];
		if (retx && !conn_retx(c))
			break;
		int f = 1;
		sb_puts(b, k++ ? ",{" : "{");
		json_u64_field(b, &f, "conn", c->id);
		json_u64_field(b, &f, "bytes", conn_bytes(c));
		json_u64_field(b, &f, "packets", c->pkts[0] + c->pkts[1]);
		json_u64_field(b, &f, "retransmissions", conn_retx(c));
		sb_putc(b, '}');
	}
	sb_putc(b, ']');
}

int cmd_stats(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int json = 0;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "stats", NULL };
			return cmd_help(2, hv);
		} else
			return usage_error("stats", "unknown option %s", o);
	}
	if (a.n_positional != 1)
		return usage_error("stats", "expected one capture file");
	struct engine en;
	if (cli_open(&en, a.positional[0]) < 0)
		return EXIT_BADINPUT;
	cli_run(&en);

	struct counts k;
	memset(&k, 0, sizeof k);
	size_t n = en.ct.n;
	struct conn **v = xmalloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = en.ct.conns[i];
		v[i] = en.ct.conns[i];
		if (c->proto != 6) {
			k.udp++;
			continue;
		}
		k.tcp++;
		if (c->tags & TAG_HS_INCOMPLETE)
			k.hs_incomplete++;
		if (c->tags & TAG_CLOSE_INCOMPLETE)
			k.close_incomplete++;
		if (c->tags & TAG_RETRANS)
			k.retx++;
		if (c->tags & TAG_RST)
			k.rst++;
		for (int l = 0; l < LB_COUNT; l++)
			k.labels[l] += c->label_count[l];
	}
	int64_t duration = en.n_frames ? en.last_ts - en.first_ts : 0;
	struct strbuf b;
	sb_init(&b);
	if (json) {
		int f = 1;
		sb_putc(&b, '{');
		json_u64_field(&b, &f, "packets", en.n_frames);
		json_u64_field(&b, &f, "tcp_packets", en.n_tcp);
		json_u64_field(&b, &f, "udp_packets", en.n_udp);
		json_key(&b, &f, "duration_s");
		sb_printf(&b, "%.6f", (double)duration / 1e9);
		json_u64_field(&b, &f, "tcp_connections", k.tcp);
		json_u64_field(&b, &f, "handshake_incomplete", k.hs_incomplete);
		json_u64_field(&b, &f, "close_incomplete", k.close_incomplete);
		json_u64_field(&b, &f, "with_retransmissions", k.retx);
		json_u64_field(&b, &f, "with_rst", k.rst);
		json_u64_field(&b, &f, "udp_conversations", k.udp);
		json_key(&b, &f, "analysis");
		sb_putc(&b, '{');
		int lf = 1;
		for (int l = 0; l < LB_COUNT; l++)
			json_u64_field(&b, &lf, label_name(l), k.labels[l]);
		sb_putc(&b, '}');
		qsort(v, n, sizeof *v, by_bytes);
		json_key(&b, &f, "top_by_bytes");
		top_json(&b, v, n, 0);
		qsort(v, n, sizeof *v, by_retx);
		json_key(&b, &f, "top_by_retransmissions");
		top_json(&b, v, n, 1);
		sb_puts(&b, "}\n");
	} else {
		sb_printf(&b, "capture: %" PRIu64 " packets (%" PRIu64 " TCP, %" PRIu64 " UDP) over ", en.n_frames, en.n_tcp,
			  en.n_udp);
		fmt_duration(&b, duration);
		sb_putc(&b, '\n');
		sb_printf(&b,
			  "TCP connections: %" PRIu64 "\n"
			  "  incomplete three-way handshake: %" PRIu64 "\n"
			  "  incomplete four-way close:      %" PRIu64 "\n"
			  "  with retransmissions:           %" PRIu64 "\n"
			  "  with RST:                       %" PRIu64 "\n"
			  "UDP conversations: %" PRIu64 "\n",
			  k.tcp, k.hs_incomplete, k.close_incomplete, k.retx, k.rst, k.udp);
		sb_puts(&b, "packets by analysis label:\n");
		int any = 0;
		for (int l = 0; l < LB_COUNT; l++) {
			if (!k.labels[l])
				continue;
			any = 1;
			sb_printf(&b, "  %-24s %" PRIu64 "\n", label_name(l), k.labels[l]);
		}
		if (!any)
			sb_puts(&b, "  (none)\n");
		qsort(v, n, sizeof *v, by_bytes);
		sb_puts(&b, "top connections by bytes:\n");
		top_text(&b, v, n, 0);
		qsort(v, n, sizeof *v, by_retx);
		sb_puts(&b, "top connections by retransmissions:\n");
		if (n && conn_retx(v[0]))
			top_text(&b, v, n, 1);
		else
			sb_puts(&b, "  (none)\n");
	}
	sb_write(&b, stdout);
	sb_fini(&b);
	xfree(v);
	return cli_finish(&en, EXIT_OK);
}
