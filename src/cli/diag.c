/* diag.c: `chattcp diag FILE [-c ID ...] [--json]`: per-connection diagnosis (the
 * measurements and the findings of tcp/diag.c, rendered as text or JSON lines). */
#include "../base/xalloc.h"
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../tcp/diag.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *side_name(int s) { return s == 0 ? "client" : "server"; }

static void dur(struct strbuf *b, int64_t ns)
{
	fmt_duration(b, ns < 0 ? 0 : ns);
}

static void ms_field(struct strbuf *b, int *f, const char *key, int64_t ns)
{
	json_key(b, f, key);
	sb_printf(b, "%.3f", (double)ns / 1e6);
}

static void dup_words(struct strbuf *b, const struct diag_dir *x)
{
	for (uint32_t i = 0; i < x->n_dup_values; i++) {
		if (i)
			sb_puts(b, ", ");
		uint32_t n = x->dup_n[i];
		sb_printf(b, "seq=%" PRIu32 " ", x->dup_rack[i]);
		if (n == 1)
			sb_puts(b, "once");
		else if (n == 2)
			sb_puts(b, "twice");
		else
			sb_printf(b, "%" PRIu32 " times", n);
	}
	if (x->dup_other)
		sb_printf(b, ", %" PRIu32 " more at other numbers", x->dup_other);
}

static void text_report(struct strbuf *b, struct diag *dg, const struct conn *c)
{
	char x[80], y[80];
	const struct endpoint *ep = c->ep;
	sb_printf(b, "connection %" PRIu32 ": %s -> %s (%s), ", c->id, fmt_endpoint(&ep[0], x, sizeof x),
		  fmt_endpoint(&ep[1], y, sizeof y), c->proto == 6 ? "TCP" : "UDP");
	dur(b, c->last_ts - c->first_ts);
	sb_printf(b, ", %" PRIu64 " packets\n", c->pkts[0] + c->pkts[1]);
	const struct diag_conn *dc = diag_get(dg, c);
	if (!dc) {
		for (int s = 0; s < 2; s++) {
			sb_printf(b, "  %s -> %s: %" PRIu64 " datagrams, ", side_name(s), side_name(1 - s), c->pkts[s]);
			fmt_bytes(b, c->bytes[s]);
			sb_putc(b, '\n');
		}
		return;
	}
	sb_puts(b, "  handshake: ");
	if (dc->syn_n && dc->synack_n && dc->hs3_n) {
		sb_puts(b, "complete, RTT ");
		dur(b, dc->hs3_ts - dc->syn_last);
		sb_puts(b, " (SYN -> SYN+ACK ");
		dur(b, dc->synack_first - dc->syn_last);
		sb_puts(b, ", SYN+ACK -> ACK ");
		dur(b, dc->hs3_ts - dc->synack_first);
		sb_puts(b, ")");
		if (dc->syn_n > 1 || dc->synack_n > 1 || dc->hs3_n > 1)
			sb_printf(b, "; SYN sent %" PRIu32 "x, SYN+ACK %" PRIu32 "x, third handshake %" PRIu32 "x", dc->syn_n,
				  dc->synack_n, dc->hs3_n);
	} else if (!dc->syn_n && !dc->synack_n) {
		sb_puts(b, "not captured (the capture starts mid-connection)");
	} else {
		sb_printf(b, "incomplete: SYN %" PRIu32 "x, SYN+ACK %" PRIu32 "x, third handshake %" PRIu32 "x", dc->syn_n,
			  dc->synack_n, dc->hs3_n);
	}
	sb_putc(b, '\n');
	for (int s = 0; s < 2; s++) {
		const struct diag_dir *d = &dc->d[s];
		sb_printf(b, "  %s -> %s: %" PRIu64 " packets, ", side_name(s), side_name(1 - s), d->pkts);
		fmt_bytes(b, d->bytes);
		if (d->retx_pkts) {
			sb_printf(b, "; without retransmissions %" PRIu64 " packets, ", d->pkts - d->retx_pkts);
			fmt_bytes(b, d->bytes - d->retx_bytes);
			sb_printf(b, "; retransmission rate %.1f %% of packets", 100.0 * (double)d->retx_pkts / (double)d->pkts);
			if (d->bytes)
				sb_printf(b, ", %.1f %% of bytes", 100.0 * (double)d->retx_bytes / (double)d->bytes);
		} else {
			sb_puts(b, ", no retransmissions");
		}
		sb_putc(b, '\n');
		const struct tcp_latency *L = &dc->lat[s];
		if (L->n) {
			sb_puts(b, "    ACK latency: min ");
			dur(b, L->min_ns);
			sb_puts(b, ", avg ");
			dur(b, L->sum_ns / (int64_t)L->n);
			sb_puts(b, ", max ");
			dur(b, L->max_ns);
			sb_printf(b, " over %" PRIu64 " segment%s", L->n, L->n == 1 ? "" : "s");
			if (L->n_karn)
				sb_printf(b, " (%" PRIu64 " retransmitted, timed from the last send: Karn)", L->n_karn);
			if (L->n_untracked)
				sb_printf(b, "; %" PRIu64 " not timed (tracking table full)", L->n_untracked);
			sb_putc(b, '\n');
		}
		if (d->dup_total) {
			sb_printf(b, "    %" PRIu32 " duplicate ACK%s from the %s to the %s: ", d->dup_total,
				  d->dup_total == 1 ? "" : "s", side_name(s), side_name(1 - s));
			dup_words(b, d);
			sb_putc(b, '\n');
		}
		if (d->zw_periods) {
			sb_printf(b, "    zero window advertised by the %s: %" PRIu32 " period%s, ", side_name(s), d->zw_periods,
				  d->zw_periods == 1 ? "" : "s");
			dur(b, d->zw_total_ns);
			sb_puts(b, " in total, longest ");
			dur(b, d->zw_max_ns);
			if (d->zw_open)
				sb_puts(b, ", still closed at the end");
			if (d->zw_probes_recv)
				sb_printf(b, "; %" PRIu32 " probe%s", d->zw_probes_recv, d->zw_probes_recv == 1 ? "" : "s");
			sb_putc(b, '\n');
		}
		if (d->ka_n) {
			sb_printf(b, "    %" PRIu32 " keep-alive%s", d->ka_n, d->ka_n == 1 ? "" : "s");
			if (d->ka_idle_ns) {
				sb_puts(b, ", the first after ");
				dur(b, d->ka_idle_ns);
				sb_puts(b, " of silence");
			}
			if (d->ka_gaps) {
				sb_puts(b, ", then every ");
				dur(b, d->ka_gap_sum / d->ka_gaps);
				sb_puts(b, " (min ");
				dur(b, d->ka_gap_min);
				sb_puts(b, ", max ");
				dur(b, d->ka_gap_max);
				sb_putc(b, ')');
			}
			sb_putc(b, '\n');
		}
	}
	if (dc->ttfb_n) {
		sb_puts(b, "  time to first byte: ");
		dur(b, dc->ttfb_first);
		sb_puts(b, " after the first request");
		if (dc->ttfb_n > 1) {
			sb_printf(b, " (%" PRIu32 " requests: avg ", dc->ttfb_n);
			dur(b, dc->ttfb_sum / dc->ttfb_n);
			sb_puts(b, ", max ");
			dur(b, dc->ttfb_max);
			sb_putc(b, ')');
		}
		sb_putc(b, '\n');
	}
	sb_puts(b, "  end: ");
	diag_end_words(dc, c, b);
	sb_putc(b, '\n');
	struct strbuf f;
	sb_init(&f);
	diag_findings(dg, c, &f);
	sb_puts(b, "  diagnosis:");
	if (!f.len)
		sb_puts(b, " nothing unusual\n");
	else
		sb_putc(b, '\n');
	for (char *p = f.s; p && *p;) {
		char *nl = strchr(p, '\n');
		char *tab = strchr(p, '\t');
		if (!nl || !tab || tab > nl)
			break;
		sb_puts(b, "    - ");
		sb_add(b, tab + 1, (size_t)(nl - tab - 1));
		sb_putc(b, '\n');
		p = nl + 1;
	}
	sb_fini(&f);
}

static void json_dir(struct strbuf *b, const struct diag_conn *dc, int s)
{
	const struct diag_dir *d = &dc->d[s];
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "packets", d->pkts);
	json_u64_field(b, &f, "bytes", d->bytes);
	json_u64_field(b, &f, "packets_without_retransmissions", d->pkts - d->retx_pkts);
	json_u64_field(b, &f, "bytes_without_retransmissions", d->bytes - d->retx_bytes);
	json_u64_field(b, &f, "retransmitted_packets", d->retx_pkts);
	json_key(b, &f, "retransmission_rate");
	sb_printf(b, "%.4f", d->pkts ? (double)d->retx_pkts / (double)d->pkts : 0.0);
	const struct tcp_latency *L = &dc->lat[s];
	json_key(b, &f, "ack_latency");
	int g = 1;
	sb_putc(b, '{');
	json_u64_field(b, &g, "samples", L->n);
	json_u64_field(b, &g, "karn_samples", L->n_karn);
	json_u64_field(b, &g, "untracked", L->n_untracked);
	if (L->n) {
		ms_field(b, &g, "min_ms", L->min_ns);
		ms_field(b, &g, "avg_ms", L->sum_ns / (int64_t)L->n);
		ms_field(b, &g, "max_ms", L->max_ns);
	}
	sb_putc(b, '}');
	json_u64_field(b, &f, "duplicate_acks", d->dup_total);
	json_key(b, &f, "duplicate_acks_by_seq");
	sb_putc(b, '{');
	for (uint32_t i = 0; i < d->n_dup_values; i++)
		sb_printf(b, "%s\"%" PRIu32 "\":%" PRIu32, i ? "," : "", d->dup_rack[i], d->dup_n[i]);
	sb_putc(b, '}');
	json_u64_field(b, &f, "zero_window_periods", d->zw_periods);
	ms_field(b, &f, "zero_window_total_ms", d->zw_total_ns);
	ms_field(b, &f, "zero_window_longest_ms", d->zw_max_ns);
	json_u64_field(b, &f, "keep_alives", d->ka_n);
	if (d->ka_gaps)
		ms_field(b, &f, "keep_alive_interval_ms", d->ka_gap_sum / d->ka_gaps);
	if (d->ka_idle_ns)
		ms_field(b, &f, "keep_alive_idle_ms", d->ka_idle_ns);
	sb_putc(b, '}');
}

static void json_report(struct strbuf *b, struct diag *dg, const struct conn *c)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "conn", c->id);
	json_str_field(b, &f, "proto", c->proto == 6 ? "tcp" : "udp");
	ms_field(b, &f, "duration_ms", c->last_ts - c->first_ts);
	const struct diag_conn *dc = diag_get(dg, c);
	if (dc) {
		if (dc->syn_n && dc->synack_n && dc->hs3_n)
			ms_field(b, &f, "handshake_rtt_ms", dc->hs3_ts - dc->syn_last);
		json_u64_field(b, &f, "syn_sent", dc->syn_n);
		json_u64_field(b, &f, "synack_sent", dc->synack_n);
		json_u64_field(b, &f, "third_handshake_sent", dc->hs3_n);
		json_key(b, &f, "c2s");
		json_dir(b, dc, 0);
		json_key(b, &f, "s2c");
		json_dir(b, dc, 1);
		if (dc->ttfb_n) {
			ms_field(b, &f, "time_to_first_byte_ms", dc->ttfb_first);
			json_u64_field(b, &f, "requests_answered", dc->ttfb_n);
		}
		struct strbuf w;
		sb_init(&w);
		diag_end_words(dc, c, &w);
		json_str_field(b, &f, "end", w.s ? w.s : "");
		sb_reset(&w);
		diag_findings(dg, c, &w);
		json_key(b, &f, "diagnosis");
		sb_putc(b, '[');
		int first = 1;
		for (char *p = w.s; p && *p;) {
			char *nl = strchr(p, '\n'), *tab = strchr(p, '\t');
			if (!nl || !tab || tab > nl)
				break;
			sb_puts(b, first ? "{" : ",{");
			first = 0;
			int h = 1;
			json_key(b, &h, "rule");
			sb_json_str(b, p, (size_t)(tab - p));
			json_key(b, &h, "text");
			sb_json_str(b, tab + 1, (size_t)(nl - tab - 1));
			sb_putc(b, '}');
			p = nl + 1;
		}
		sb_putc(b, ']');
		sb_fini(&w);
	} else {
		json_u64_field(b, &f, "packets_c2s", c->pkts[0]);
		json_u64_field(b, &f, "packets_s2c", c->pkts[1]);
		json_u64_field(b, &f, "bytes_c2s", c->bytes[0]);
		json_u64_field(b, &f, "bytes_s2c", c->bytes[1]);
	}
	sb_puts(b, "}\n");
}

int cmd_diag(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int json = 0;
	uint32_t *ids = NULL;
	size_t n_ids = 0, cap_ids = 0;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "-c") == 0 || strcmp(o, "--conn") == 0) {
			const char *v = args_value(&a, o);
			if (!v || cli_parse_ids(v, &ids, &n_ids, &cap_ids) < 0) {
				xfree(ids);
				return usage_error("diag", "-c takes connection ids: 3, 3,5 or 2-4");
			}
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "diag", NULL };
			xfree(ids);
			return cmd_help(2, hv);
		} else {
			xfree(ids);
			return usage_error("diag", "unknown option %s", o);
		}
	}
	if (a.n_positional != 1) {
		xfree(ids);
		return usage_error("diag", "expected one capture file");
	}
	struct engine en;
	if (cli_open(&en, a.positional[0]) < 0) {
		xfree(ids);
		return EXIT_BADINPUT;
	}
	struct diag *dg = diag_new();
	engine_add_sink(&en, (struct engine_sink){ .ctx = dg, .packet = diag_packet });
	/* diag reads each connection's ACK latencies at the end: keep them. */
	en.keep_analysis_state = 1;
	cli_run(&en);
	uint32_t total = en.ct.n_tcp + en.ct.n_udp;
	for (size_t i = 0; i < n_ids; i++) {
		if (ids[i] >= total) {
			fprintf(stderr, "chattcp: %s: no connection %u (the capture has %u: 0 to %u)\n", en.cf.name, ids[i],
				total, total ? total - 1 : 0);
			xfree(ids);
			diag_free(dg);
			return cli_finish(&en, EXIT_USAGE);
		}
	}
	struct strbuf b;
	sb_init(&b);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < en.ct.n; i++) {
			const struct conn *c = en.ct.conns[i];
			if ((pass == 0) != (c->proto == 6))
				continue;
			int want = n_ids == 0;
			for (size_t k = 0; k < n_ids && !want; k++)
				want = ids[k] == c->id;
			if (!want)
				continue;
			if (json)
				json_report(&b, dg, c);
			else {
				if (b.len)
					sb_putc(&b, '\n');
				text_report(&b, dg, c);
			}
			if (b.len > 1 << 16)
				sb_write(&b, stdout);
		}
	}
	sb_write(&b, stdout);
	sb_fini(&b);
	xfree(ids);
	diag_free(dg);
	return cli_finish(&en, EXIT_OK);
}
