/* fuzz_engine.c: fuzz target for the whole pipeline through the session API: the input
 * is a pcap or pcapng file read by a session (decode, IP fragment reassembly,
 * connection table, TCP state and analysis, TCP reassembly of any packet order with
 * gaps and overlaps, protocol detection, the stacked decoders, the diagnosis), then
 * every connection is drawn the way the commands draw it (chat bubbles with notes and
 * commentary, JSON packets and connections, the packet view, the decoded messages as
 * text and JSON, HTTP exchanges, the diagnosis, statistics) into a buffer that is
 * thrown away. The same input is read again by a live session (bubbles as packets are
 * processed, message contents freed behind them) and every connection's chat --json
 * lines must be the same both ways: live output and batch output agree by design
 * (session.h), and this checks it on inputs nobody wrote. Seeds: fuzz/corpus/fuzz_engine/. */
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "out/chat_term.h"
#include "out/fmt.h"
#include "out/http_json.h"
#include "out/json.h"
#include "out/payload.h"
#include "out/report.h"
#include "out/stream_term.h"
#include "out/tcp_diagram.h"
#include "session/session.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output per input is thrown away in pieces this size, so memory stays small. */
#define FUZZ_FLUSH 65536
/* Connections whose JSON lines are compared live against batch. */
#define FUZZ_COMPARE 64

struct fz {
	struct strbuf b;
	struct chat_style st;
	struct strbuf json[FUZZ_COMPARE]; /* chat --json lines per connection (by index) */
	int live;
};

static void packet_view(struct strbuf *b, const struct pkt *pk)
{
	if (pk->kind == PK_TCP && pk->l4) {
		tcp_diagram(b, pk->l4, pk->l4_caplen);
		if (pk->tcp_hlen > 20 && pk->l4_caplen > 20) {
			size_t on = pk->tcp_hlen - 20u;
			if (on > pk->l4_caplen - 20u)
				on = pk->l4_caplen - 20u;
			tcp_options_list(b, pk->l4 + 20, on, "  ");
		}
		chat_tcp_options(b, &pk->opt, NULL, 1);
	}
	if ((pk->kind == PK_TCP || pk->kind == PK_UDP) && pk->payload)
		payload_render(b, pk->payload, pk->caplen, pk->len, 4096, 80);
	payload_hexdump(b, pk->rec.data, pk->rec.caplen > 256 ? 256 : pk->rec.caplen, "  ", 80);
}

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct fz *z = ctx;
	chat_bubble(&z->b, &z->st, p);
	if (p->pk)
		packet_view(&z->b, p->pk);
	for (size_t i = 0; i < p->n_msgs; i++) {
		appmsg_lines(&z->b, p->msgs[i], 1, 80);
		appmsg_simple(&z->b, p->msgs[i], 60);
	}
	if (p->c->idx < FUZZ_COMPARE)
		json_packet(&z->json[p->c->idx], p, JSON_PKT_NOTE | JSON_PKT_APP | (z->st.absolute ? JSON_PKT_ABSOLUTE : 0));
	if (z->b.len > FUZZ_FLUSH)
		sb_reset(&z->b);
}

static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct fz *z = ctx;
	chat_tail(&z->b, &z->st, t);
	if (t->c->idx < FUZZ_COMPARE)
		json_tail(&z->json[t->c->idx], t);
}

/* The evicting session of `chattcp live` (session opts.evict): what live prints of a
 * connection as it goes, asked while the session still holds it. */
static struct session *evicting;

static void on_tail_evict(void *ctx, const struct sess_tail *t)
{
	struct fz *z = ctx;
	chat_tail(&z->b, &z->st, t);
	if (t->evicted) {
		chat_conn_gone(&z->b, &z->st, t->c);
		report_diag_text(&z->b, evicting, t->c);
		report_diag_json(&z->b, evicting, t->c);
		size_t n;
		(void)session_conns(evicting, &n);
	} else {
		chat_conn_footer(&z->b, &z->st, t->c);
	}
	if (z->b.len > FUZZ_FLUSH)
		sb_reset(&z->b);
}

static void on_http(void *ctx, const struct sess_http *x)
{
	struct fz *z = ctx;
	http_exchange_json(&z->b, x);
	http_exchange_term(&z->b, x, 1, FMT_T_DELTA_SHOWN, x->req ? x->req->first_ts : INT64_MIN);
}

static void fz_init(struct fz *z, int live)
{
	memset(z, 0, sizeof *z);
	sb_init(&z->b);
	for (int i = 0; i < FUZZ_COMPARE; i++)
		sb_init(&z->json[i]);
	z->st.width = 80;
	z->st.unicode = 1;
	z->st.color = 1;
	z->st.show_state = z->st.show_notes = z->st.commentary = 1;
	z->st.fold = 64;
	z->live = live;
}

static void fz_fini(struct fz *z)
{
	sb_fini(&z->b);
	for (int i = 0; i < FUZZ_COMPARE; i++)
		sb_fini(&z->json[i]);
}

/* Everything a client can ask of a finished session. */
static void ask_all(struct session *s, struct fz *z)
{
	size_t n;
	const struct conn *const *all = session_conns(s, &n);
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = all[i];
		char stack[128];
		session_conn_stack(s, c, stack, sizeof stack);
		chat_conn_header(&z->b, &z->st, c, stack);
		session_walk(s, c, on_packet, on_tail, z);
		chat_conn_footer(&z->b, &z->st, c);
		json_conn(&z->b, c);
		{ /* the connection table, one row laid out at 80 columns */
			struct layout ly = { 80, 1, 0 };
			struct conns_table ct;
			report_conns_init(&ct, &ly, z->st.time, c->first_ts);
			report_conns_measure(&ct, s, c);
			report_conns_head(&ct, &z->b);
			report_conns_line(&ct, &z->b, s, c);
			report_conns_fini(&ct);
		}
		size_t nm;
		const struct appmsg *const *m = session_msgs(s, c, &nm);
		for (size_t k = 0; k < nm; k++) {
			stream_term_msg(&z->b, m[k], c, 80, FMT_T_REL, 0);
			appmsg_json(&z->b, m[k], c);
			if (z->b.len > FUZZ_FLUSH)
				sb_reset(&z->b);
		}
		session_http(s, c, on_http, z);
		report_diag_text(&z->b, s, c);
		report_diag_json(&z->b, s, c);
		(void)session_conn_matches(s, c, "proto:tcp port:80 tag:retransmissions ret");
		sb_reset(&z->b);
	}
	struct sess_stats st;
	struct sess_counts k;
	session_stats(s, &st);
	session_counts(s, &k);
	report_stats(&z->b, &st, &k, 0);
	report_stats(&z->b, &st, &k, 1);
	report_conns_summary(&z->b, &k);
}

/* A connection seen without its SYN may learn its sides at its first payload, after a
 * live view showed its earlier packets with the ports' guess (PR_SIDES_DECIDED): the
 * views agree from that packet on. b becomes a view of its lines from there. */
static void from_decided(struct strbuf *b)
{
	if (!b->s)
		return;
	const char *at = strstr(b->s, "\"sides_decided\":true");
	if (!at)
		return;
	while (at > b->s && at[-1] != '\n')
		at--;
	b->len -= (size_t)(at - b->s);
	b->s = (char *)(uintptr_t)at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz batch, live;
	fz_init(&batch, 0);
	fz_init(&live, 1);
	/* the numbering and the time format from the input's size: both sessions alike */
	int absolute = (int)(size & 1);
	batch.st.absolute = live.st.absolute = absolute;
	batch.st.time = live.st.time = (int)((size >> 1) % FMT_T_COUNT_);
	batch.st.prev_shown_ts = live.st.prev_shown_ts = INT64_MIN;
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.absolute = absolute;
	so.keep = SESS_KEEP_PACKETS;
	so.app = so.diag = so.raw = so.commentary = 1;
	/* a small memory limit: a failure must come back as an error, not a crash */
	so.mem_limit = (size_t)256 << 20;
	struct session *s = session_new(&so);
	if (session_open_mem(s, "fuzz.pcap", data, size) == 0) {
		session_run(s);
		if (!session_failed(s))
			ask_all(s, &batch);
	}
	int batch_failed = session_failed(s);
	session_free(s);

	memset(&so, 0, sizeof so);
	/* diag as in the batch session: it keeps the analysis state of ended connections,
	 * which otherwise is released after 120 s of quiet (a late packet then starts a
	 * fresh analysis, in both kinds of session alike) */
	so.app = so.commentary = so.diag = 1;
	so.absolute = absolute;
	so.on_packet = on_packet;
	so.on_conn_end = on_tail;
	so.live_release = 1;
	so.ctx = &live;
	so.mem_limit = (size_t)256 << 20;
	s = session_new(&so);
	if (session_open_mem(s, "fuzz.pcap", data, size) == 0)
		session_run(s);
	int live_failed = session_failed(s);
	session_free(s);

	/* the same, evicting as chattcp live does (a capture's clock may jump: connections
	 * go and their slots are reused); nothing to compare, everything asked */
	struct fz ev;
	fz_init(&ev, 1);
	ev.st = live.st;
	so.on_conn_end = on_tail_evict;
	so.ctx = &ev;
	so.evict = 1;
	so.body = SESS_BODY_PREVIEW_ONLY;
	s = session_new(&so);
	evicting = s;
	if (session_open_mem(s, "fuzz.pcap", data, size) == 0) {
		session_run(s);
		if (!session_failed(s)) {
			size_t n;
			const struct conn *const *all = session_conns(s, &n);
			for (size_t i = 0; i < n; i++) {
				report_diag_text(&ev.b, s, all[i]);
				sb_reset(&ev.b);
			}
		}
	}
	session_free(s);
	evicting = NULL;
	fz_fini(&ev);

	if (!batch_failed && !live_failed) {
		for (int i = 0; i < FUZZ_COMPARE; i++) {
			struct strbuf xs = batch.json[i], ys = live.json[i];
			const struct strbuf *x = &xs, *y = &ys;
			from_decided(&xs);
			from_decided(&ys);
			if (x->len != y->len || (x->len && memcmp(x->s, y->s, x->len) != 0)) {
				fprintf(stderr, "fuzz_engine: connection %d: live chat --json differs from batch\n--- batch\n%.*s\n--- live\n%.*s\n",
					i, (int)x->len, x->s ? x->s : "", (int)y->len, y->s ? y->s : "");
				abort();
			}
		}
	}
	fz_fini(&batch);
	fz_fini(&live);
	return 0;
}
