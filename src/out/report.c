/* report.c: reports made of what the session measured: the connection table and its
 * summary line, the statistics, and each connection's diagnosis, as text and as JSON. */
#include "report.h"

#include "../base/strbuf.h"
#include "../base/ts.h"
#include "../model/labels.h"
#include "fmt.h"
#include "json.h"
#include "table.h"
#include "term_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { CC_ID, CC_PROTO, CC_APP, CC_CLIENT, CC_SERVER, CC_START, CC_DUR, CC_PKTS, CC_BYTES, CC_TAGS, CC_N };

/* The columns of conns. Numbers never shrink; an endpoint shrinks to 21 columns (any
 * IPv4 endpoint; an IPv6 one is cut in the middle so its port stays), the decoder
 * stack to 4, tags wrap under themselves. When that does not fit, START goes first,
 * then PROTO (the id says u for UDP), then DURATION. */
static const struct table_col conns_cols[CC_N] = {
	[CC_ID] = { .head = "ID", .right = 1, .min = 255 },
	[CC_PROTO] = { .head = "PROTO", .drop = 2, .min = 255 },
	[CC_APP] = { .head = "APP", .min = 4 },
	[CC_CLIENT] = { .head = "CLIENT", .mid = 1, .min = 21 },
	[CC_SERVER] = { .head = "SERVER", .mid = 1, .min = 21 },
	[CC_START] = { .head = "START", .drop = 3, .min = 255 },
	[CC_DUR] = { .head = "DURATION", .right = 1, .drop = 1, .min = 255 },
	[CC_PKTS] = { .head = "PACKETS", .right = 1, .min = 255 },
	[CC_BYTES] = { .head = "BYTES", .right = 1, .min = 255 },
	[CC_TAGS] = { .head = "TAGS", .wrap = 1, .min = 12 },
};

void report_conns_init(struct conns_table *ct, const struct layout *ly, int time, int64_t first_ts)
{
	memset(ct, 0, sizeof *ct);
	ct->time = time;
	ct->first_ts = first_ts;
	ct->prev_start = INT64_MIN;
	table_init(&ct->t, conns_cols, CC_N, ly);
	for (int i = 0; i < CONNS_CELLS; i++)
		sb_init(&ct->cell[i]);
}

void report_conns_fini(struct conns_table *ct)
{
	for (int i = 0; i < CONNS_CELLS; i++)
		sb_fini(&ct->cell[i]);
}

/* The cells of c's row, in terminal form. */
static void conns_cells(struct conns_table *ct, struct session *s, const struct conn *c, const char **cells)
{
	struct strbuf *k = ct->cell;
	for (int i = 0; i < CC_N; i++)
		sb_reset(&k[i]);
	char x[80], id[16], stack[128];
	sb_puts(&k[CC_ID], fmt_conn_id(c, id, sizeof id));
	sb_puts(&k[CC_PROTO], c->proto == 6 ? "TCP" : "UDP");
	session_conn_stack(s, c, stack, sizeof stack);
	term_text_str(&k[CC_APP], *stack ? stack : "-");
	sb_puts(&k[CC_CLIENT], fmt_endpoint(&c->ep[0], x, sizeof x));
	sb_puts(&k[CC_SERVER], fmt_endpoint(&c->ep[1], x, sizeof x));
	if (ct->time == FMT_T_REL || ct->time == FMT_T_DELTA || ct->time == FMT_T_DELTA_SHOWN) {
		int64_t base = ct->time == FMT_T_REL ? ct->first_ts : ct->prev_start;
		if (ct->time != FMT_T_REL && (base == INT64_MIN || ts_sub(c->first_ts, base) >= 0))
			sb_putc(&k[CC_START], '+');
		fmt_time(&k[CC_START], ct->time, c->first_ts, base, 6);
	} else {
		fmt_time(&k[CC_START], ct->time, c->first_ts, INT64_MIN, 6);
	}
	ct->prev_start = c->first_ts;
	fmt_duration(&k[CC_DUR], ts_sub(c->last_ts, c->first_ts));
	sb_printf(&k[CC_PKTS], "%" PRIu64 "/%" PRIu64, c->pkts[0], c->pkts[1]);
	fmt_bytes(&k[CC_BYTES], c->bytes[0]);
	sb_putc(&k[CC_BYTES], '/');
	fmt_bytes(&k[CC_BYTES], c->bytes[1]);
	fmt_tags(&k[CC_TAGS], c->tags, ", ", 0);
	for (int i = 0; i < CC_N; i++)
		cells[i] = k[i].s ? k[i].s : "";
}

void report_conns_measure(struct conns_table *ct, struct session *s, const struct conn *c)
{
	const char *cells[CC_N];
	conns_cells(ct, s, c, cells);
	table_measure(&ct->t, cells);
}

void report_conns_head(struct conns_table *ct, struct strbuf *b)
{
	ct->prev_start = INT64_MIN; /* the rows are made again after measuring */
	table_layout(&ct->t);
	table_head(&ct->t, b);
}

void report_conns_line(struct conns_table *ct, struct strbuf *b, struct session *s, const struct conn *c)
{
	const char *cells[CC_N];
	conns_cells(ct, s, c, cells);
	table_row(&ct->t, b, cells);
}

void report_conns_summary(struct strbuf *b, const struct sess_counts *k)
{
	sb_printf(b, "%" PRIu64 " packets: %" PRIu64 " TCP in %" PRIu32 " connection%s, %" PRIu64 " UDP in %" PRIu32
		  " conversation%s",
		  k->frames, k->tcp, k->tcp_conns, k->tcp_conns == 1 ? "" : "s", k->udp, k->udp_conns,
		  k->udp_conns == 1 ? "" : "s");
	if (k->other || k->bad) {
		sb_printf(b, "; %" PRIu64 " other:", k->other + k->bad);
		for (size_t i = 0; i < k->n_other_kinds; i++)
			sb_printf(b, "%s %s %" PRIu64, i ? "," : "", k->other_kinds[i].name, k->other_kinds[i].n);
	}
	if (k->fragments)
		sb_printf(b, "; %" PRIu64 " IP fragments", k->fragments);
	if (k->truncated)
		sb_printf(b, "; %" PRIu64 " cut by the snap length", k->truncated);
	if (k->malformed)
		sb_printf(b, "; %" PRIu64 " malformed", k->malformed);
	sb_putc(b, '\n');
}


static void top_text(struct strbuf *b, const struct conn *const *v, size_t n, int retx)
{
	char x[80], y[80];
	for (size_t i = 0; i < n && i < SESS_TOP; i++) {
		const struct conn *c = v[i];
		if (retx && !sess_conn_retx(c))
			break;
		char id[16];
		sb_printf(b, "  %4s  %-4s %s -> %s  ", fmt_conn_id(c, id, sizeof id), c->proto == 6 ? "TCP" : "UDP",
			  fmt_endpoint(&c->ep[0], x, sizeof x), fmt_endpoint(&c->ep[1], y, sizeof y));
		if (retx)
			sb_printf(b, "%" PRIu64 " retransmissions of %" PRIu64 " packets\n", sess_conn_retx(c), c->pkts[0] + c->pkts[1]);
		else {
			fmt_bytes(b, sess_conn_bytes(c));
			sb_putc(b, '\n');
		}
	}
}

static void top_json(struct strbuf *b, const struct conn *const *v, size_t n, int retx)
{
	sb_putc(b, '[');
	for (size_t i = 0, k = 0; i < n && k < SESS_TOP; i++) {
		const struct conn *c = v[i];
		if (retx && !sess_conn_retx(c))
			break;
		int f = 1;
		sb_puts(b, k++ ? ",{" : "{");
		json_u64_field(b, &f, "conn", c->id);
		json_str_field(b, &f, "proto", c->proto == 6 ? "tcp" : "udp");
		json_u64_field(b, &f, "bytes", sess_conn_bytes(c));
		json_u64_field(b, &f, "packets", c->pkts[0] + c->pkts[1]);
		json_u64_field(b, &f, "retransmissions", sess_conn_retx(c));
		sb_putc(b, '}');
	}
	sb_putc(b, ']');
}

void report_stats(struct strbuf *b, const struct sess_stats *st, const struct sess_counts *k, int json)
{
	if (json) {
		int f = 1;
		sb_putc(b, '{');
		json_u64_field(b, &f, "packets", k->frames);
		json_u64_field(b, &f, "tcp_packets", k->tcp);
		json_u64_field(b, &f, "udp_packets", k->udp);
		json_key(b, &f, "duration_s");
		sb_printf(b, "%.6f", ts_to_sec(st->duration_ns));
		json_u64_field(b, &f, "tcp_connections", st->tcp);
		json_u64_field(b, &f, "handshake_incomplete", st->hs_incomplete);
		json_u64_field(b, &f, "close_incomplete", st->close_incomplete);
		json_u64_field(b, &f, "with_retransmissions", st->retx);
		json_u64_field(b, &f, "with_rst", st->rst);
		json_u64_field(b, &f, "udp_conversations", st->udp);
		json_key(b, &f, "analysis");
		sb_putc(b, '{');
		int lf = 1;
		for (int l = 0; l < LB_COUNT; l++)
			json_u64_field(b, &lf, label_name(l), st->labels[l]);
		sb_putc(b, '}');
		json_key(b, &f, "top_by_bytes");
		top_json(b, st->top_bytes, st->n_top_bytes, 0);
		json_key(b, &f, "top_by_retransmissions");
		top_json(b, st->top_retx, st->n_top_retx, 1);
		sb_puts(b, "}\n");
	} else {
		sb_printf(b, "capture: %" PRIu64 " packets (%" PRIu64 " TCP, %" PRIu64 " UDP) over ", k->frames, k->tcp,
			  k->udp);
		fmt_duration(b, st->duration_ns);
		sb_putc(b, '\n');
		sb_printf(b,
			  "TCP connections: %" PRIu64 "\n"
			  "  incomplete three-way handshake: %" PRIu64 "\n"
			  "  incomplete four-way close:      %" PRIu64 "\n"
			  "  with retransmissions:           %" PRIu64 "\n"
			  "  with RST:                       %" PRIu64 "\n"
			  "UDP conversations: %" PRIu64 "\n",
			  st->tcp, st->hs_incomplete, st->close_incomplete, st->retx, st->rst, st->udp);
		sb_puts(b, "packets by analysis label:\n");
		int any = 0;
		for (int l = 0; l < LB_COUNT; l++) {
			if (!st->labels[l])
				continue;
			any = 1;
			sb_printf(b, "  %-24s %" PRIu64 "\n", label_name(l), st->labels[l]);
		}
		if (!any)
			sb_puts(b, "  (none)\n");
		sb_puts(b, "top connections by bytes:\n");
		top_text(b, st->top_bytes, st->n_top_bytes, 0);
		sb_puts(b, "top connections by retransmissions:\n");
		if (st->n_top_retx)
			top_text(b, st->top_retx, st->n_top_retx, 1);
		else
			sb_puts(b, "  (none)\n");
	}
}

static const char *side_name(int s) { return s == 0 ? "client" : "server"; }

static void dur(struct strbuf *b, int64_t ns)
{
	fmt_duration(b, ns < 0 ? 0 : ns);
}

static void ms_field(struct strbuf *b, int *f, const char *key, int64_t ns)
{
	json_key(b, f, key);
	sb_printf(b, "%.3f", ts_to_ms(ns));
}

/* x: the duplicate ACKs side s sent (they name seqs of its peer). */
static void dup_words(struct strbuf *b, struct session *ss, const struct conn *c, int s, const struct diag_dir *x)
{
	for (uint32_t i = 0; i < x->n_dup_values; i++) {
		if (i)
			sb_puts(b, ", ");
		uint32_t n = x->dup_n[i];
		sb_printf(b, "seq=%" PRIu32 " ", session_show_seq(ss, c, 1 - s, x->dup_rack[i]));
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

void report_diag_text(struct strbuf *b, struct session *ss, const struct conn *c)
{
	char x[80], y[80];
	const struct endpoint *ep = c->ep;
	char id[16];
	sb_printf(b, "%s %s: %s -> %s (%s), ", c->proto == 6 ? "connection" : "conversation", fmt_conn_id(c, id, sizeof id),
		  fmt_endpoint(&ep[0], x, sizeof x), fmt_endpoint(&ep[1], y, sizeof y), c->proto == 6 ? "TCP" : "UDP");
	dur(b, ts_sub(c->last_ts, c->first_ts));
	sb_printf(b, ", %" PRIu64 " packets\n", c->pkts[0] + c->pkts[1]);
	const struct diag_conn *dc = session_diag(ss, c);
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
		/* the halves as they answered each other (session: the SYN+ACK the ACK
		 * answered, the SYN that SYN+ACK answered), and what they say of the capture point */
		const char *at = diag_capture_point(dc);
		sb_puts(b, "complete, RTT ");
		dur(b, ts_add(dc->e.leg_syn_ns, dc->e.leg_synack_ns));
		sb_puts(b, " (SYN -> SYN+ACK ");
		dur(b, dc->e.leg_syn_ns);
		sb_puts(b, ", SYN+ACK -> ACK ");
		dur(b, dc->e.leg_synack_ns);
		sb_puts(b, ")");
		if (at)
			sb_printf(b, "; captured %s", strcmp(at, "between") == 0 ? "between the hosts" : strcmp(at, "client") == 0 ? "near the client" : "near the server");
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
			dur(b, ts_total_mean(L->sum_ns, L->n));
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
			dup_words(b, ss, c, s, d);
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
				dur(b, ts_total_mean(d->ka_gap_sum, d->ka_gaps));
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
		/* TCP's view: a "request" is a turn of the client's data (a TLS ClientHello
		 * is one), whatever the application makes of it */
		sb_puts(b, " after the client's first data");
		if (dc->ttfb_n > 1) {
			sb_printf(b, " (%" PRIu32 " client turns answered: avg ", dc->ttfb_n);
			dur(b, ts_total_mean(dc->ttfb_sum, dc->ttfb_n));
			sb_puts(b, ", max ");
			dur(b, dc->ttfb_max);
			sb_putc(b, ')');
		}
		sb_putc(b, '\n');
	}
	sb_puts(b, "  end: ");
	session_end_words(ss, c, b);
	sb_putc(b, '\n');
	struct diag_findings f;
	session_findings(ss, c, &f);
	sb_puts(b, "  diagnosis:");
	sb_puts(b, f.n ? "\n" : " nothing unusual\n");
	for (size_t i = 0; i < f.n; i++) {
		/* Our own words, but through the terminal rule all the same (a finding that one
		 * day quotes the capture stays safe); its closing line break stays a break. */
		const char *t = f.f[i].text.s ? f.f[i].text.s : "";
		size_t n = f.f[i].text.len, nl = 0;
		while (n > nl && t[n - 1 - nl] == '\n')
			nl++;
		sb_puts(b, "    - ");
		term_text(b, t, n - nl);
		for (size_t k = 0; k < nl; k++)
			sb_putc(b, '\n');
		sb_putc(b, '\n');
	}
	diag_findings_fini(&f);
}

static void json_dir(struct strbuf *b, const struct conn *c, const struct diag_conn *dc, int s)
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
		ms_field(b, &g, "avg_ms", ts_total_mean(L->sum_ns, L->n));
		ms_field(b, &g, "max_ms", L->max_ns);
	}
	sb_putc(b, '}');
	json_u64_field(b, &f, "duplicate_acks", d->dup_total);
	json_key(b, &f, "duplicate_acks_by_seq");
	sb_putc(b, '{');
	for (uint32_t i = 0; i < d->n_dup_values; i++)
		sb_printf(b, "%s\"%" PRIu32 "\":%" PRIu32, i ? "," : "", d->dup_rack[i], d->dup_n[i]);
	sb_putc(b, '}');
	json_key(b, &f, "duplicate_acks_by_raw_seq"); /* the same, numbered as sent */
	sb_putc(b, '{');
	for (uint32_t i = 0; i < d->n_dup_values; i++)
		sb_printf(b, "%s\"%" PRIu32 "\":%" PRIu32, i ? "," : "", session_seq_as_sent(c, 1 - s, d->dup_rack[i]), d->dup_n[i]);
	sb_putc(b, '}');
	json_u64_field(b, &f, "zero_window_periods", d->zw_periods);
	ms_field(b, &f, "zero_window_total_ms", d->zw_total_ns);
	ms_field(b, &f, "zero_window_longest_ms", d->zw_max_ns);
	json_u64_field(b, &f, "keep_alives", d->ka_n);
	if (d->ka_gaps)
		ms_field(b, &f, "keep_alive_interval_ms", ts_total_mean(d->ka_gap_sum, d->ka_gaps));
	if (d->ka_idle_ns)
		ms_field(b, &f, "keep_alive_idle_ms", d->ka_idle_ns);
	sb_putc(b, '}');
}

/* The TLS layer's figures the TLS findings rest on, when c carried TLS. */
static void json_tls(struct strbuf *b, int *f, struct session *ss, const struct conn *c)
{
	struct sess_tls t;
	session_tls(ss, c, &t);
	if (!t.ch && !t.sh)
		return;
	char v[16];
	int g = 1;
	json_key(b, f, "tls");
	sb_putc(b, '{');
	if (t.ch) {
		json_u64_field(b, &g, "client_hello_frame", t.ch->first_frame);
		snprintf(v, sizeof v, "0x%04x", t.offered_max);
		json_str_field(b, &g, "offered_max_version", v);
		json_key(b, &g, "offered_strong_suite");
		sb_puts(b, t.offered_strong ? "true" : "false");
		if (t.sni)
			json_str_field(b, &g, "sni", t.sni);
	}
	if (t.sh) {
		json_u64_field(b, &g, "server_hello_frame", t.sh->first_frame);
		snprintf(v, sizeof v, "0x%04x", t.version);
		json_str_field(b, &g, "version", v);
		if (t.suite)
			json_str_field(b, &g, "suite", t.suite);
		json_key(b, &g, "suite_strong");
		sb_puts(b, t.suite_strong ? "true" : "false");
	}
	if (t.end && t.ch) {
		json_u64_field(b, &g, "handshake_end_frame", t.end->first_frame);
		ms_field(b, &g, "handshake_ms", t.handshake_ns);
		json_u64_field(b, &g, "handshake_round_trips", (uint64_t)t.rtts);
	}
	if (t.alert) {
		json_u64_field(b, &g, "alert_frame", t.alert->first_frame);
		json_str_field(b, &g, "alert", t.alert_name ? t.alert_name : "unknown");
		json_str_field(b, &g, "alert_from", t.alert->dir ? "server" : "client");
	}
	sb_putc(b, '}');
}

void report_diag_json(struct strbuf *b, struct session *ss, const struct conn *c)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "conn", c->id);
	json_str_field(b, &f, "proto", c->proto == 6 ? "tcp" : "udp");
	ms_field(b, &f, "duration_ms", ts_sub(c->last_ts, c->first_ts));
	const struct diag_conn *dc = session_diag(ss, c);
	if (dc) {
		if (dc->syn_n && dc->synack_n && dc->hs3_n) {
			ms_field(b, &f, "handshake_rtt_ms", ts_add(dc->e.leg_syn_ns, dc->e.leg_synack_ns));
			ms_field(b, &f, "handshake_syn_synack_ms", dc->e.leg_syn_ns);
			ms_field(b, &f, "handshake_synack_ack_ms", dc->e.leg_synack_ns);
			const char *at = diag_capture_point(dc);
			if (at)
				json_str_field(b, &f, "capture_point", at);
		}
		json_u64_field(b, &f, "syn_sent", dc->syn_n);
		json_u64_field(b, &f, "synack_sent", dc->synack_n);
		json_u64_field(b, &f, "third_handshake_sent", dc->hs3_n);
		json_key(b, &f, "c2s");
		json_dir(b, c, dc, 0);
		json_key(b, &f, "s2c");
		json_dir(b, c, dc, 1);
		if (dc->ttfb_n) {
			ms_field(b, &f, "time_to_first_byte_ms", dc->ttfb_first);
			json_u64_field(b, &f, "requests_answered", dc->ttfb_n);
		}
		struct strbuf w;
		sb_init(&w);
		session_end_words(ss, c, &w);
		json_str_field(b, &f, "end", w.s ? w.s : "");
		sb_fini(&w);
		json_tls(b, &f, ss, c);
		struct diag_findings fs;
		session_findings(ss, c, &fs);
		json_key(b, &f, "diagnosis");
		sb_putc(b, '[');
		for (size_t i = 0; i < fs.n; i++) {
			sb_puts(b, i ? ",{" : "{");
			int h = 1;
			json_str_field(b, &h, "rule", fs.f[i].ev->name);
			json_str_field(b, &h, "severity", severity_name(fs.f[i].ev->severity));
			json_key(b, &h, "text");
			sb_json_str(b, fs.f[i].text.s ? fs.f[i].text.s : "", fs.f[i].text.len);
			sb_putc(b, '}');
		}
		sb_putc(b, ']');
		diag_findings_fini(&fs);
	} else {
		json_u64_field(b, &f, "packets_c2s", c->pkts[0]);
		json_u64_field(b, &f, "packets_s2c", c->pkts[1]);
		json_u64_field(b, &f, "bytes_c2s", c->bytes[0]);
		json_u64_field(b, &f, "bytes_s2c", c->bytes[1]);
	}
	sb_puts(b, "}\n");
}

