/* fuzz_engine.c: fuzz target for the whole pass over a capture: the input is a pcap or
 * pcapng file run through the engine (decode, IP fragment reassembly, connection
 * table, TCP state, TCP analysis) with the application layer attached as the commands
 * attach it (TCP reassembly of any packet order, with gaps and overlaps; protocol
 * detection; the decoders), then every connection is drawn the way the commands draw
 * it (chat bubbles with notes and commentary, JSON packets and connections, the packet
 * view's TCP diagram, options, payload and hex dump, the decoded messages as text and
 * JSON) into a buffer that is thrown away. Packets are read back by offset as the chat
 * view does. Seeds: fuzz/corpus/fuzz_engine/. */
#include "base/err.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/engine.h"
#include "out/chat_term.h"
#include "out/json.h"
#include "out/notes.h"
#include "out/payload.h"
#include "out/stream_term.h"
#include "out/tcp_diagram.h"
#include "proto/app.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Output per input is thrown away in pieces this size, so memory stays small. */
#define FUZZ_FLUSH 65536

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
		chat_tcp_options(b, &pk->opt);
	}
	if ((pk->kind == PK_TCP || pk->kind == PK_UDP) && pk->payload)
		payload_render(b, pk->payload, pk->caplen, pk->len, 4096, 80);
	payload_hexdump(b, pk->rec.data, pk->rec.caplen > 256 ? 256 : pk->rec.caplen, "  ");
}

/* The decoded messages of connection c, as `chattcp stream` shows them. */
static void messages(struct strbuf *b, const struct app *app, const struct conn *c)
{
	size_t n;
	uint32_t *ix = applog_conn_msgs(&app->log, c->idx, &n);
	for (size_t i = 0; i < n; i++) {
		const struct appmsg *m = &app->log.m[ix[i]];
		stream_term_msg(b, m, c, 80);
		appmsg_lines(b, m, 1, 80);
		appmsg_simple(b, m, 60);
		appmsg_json(b, m, c);
		if (b->len > FUZZ_FLUSH)
			sb_reset(b);
	}
	free(ix);
	app_proto_of(app, c);
}

static void render(struct engine *en, const struct app *app, int variant)
{
	struct chat_style st;
	memset(&st, 0, sizeof st);
	st.width = variant & 1 ? 40 : 100;
	st.unicode = variant & 1;
	st.color = variant & 2;
	st.relative = variant & 1;
	st.show_state = 1;
	st.show_notes = 1;
	st.commentary = variant & 2;
	st.fold = variant & 1 ? 0 : 64;

	uint32_t *order, *first;
	engine_group_by_conn(en, &order, &first);
	size_t nc = en->ct.n;
	struct conn **by_id = xcalloc(nc ? nc : 1, sizeof *by_id);
	for (size_t i = 0; i < nc; i++) {
		struct conn *c = en->ct.conns[i];
		if (c->id >= nc)
			abort(); /* ids are a permutation of 0..n-1 */
		by_id[c->id] = c;
	}
	struct strbuf b, note;
	sb_init(&b);
	sb_init(&note);
	struct pkt pk;
	for (size_t id = 0; id < nc; id++) {
		const struct conn *c = by_id[id];
		json_conn(&b, c);
		messages(&b, app, c);
		if (first[id] == first[id + 1])
			continue;
		chat_conn_header(&b, &st, c);
		struct note_ctx nt, nj;
		note_begin(&nt);
		note_begin(&nj);
		int64_t prev = INT64_MIN;
		for (uint32_t k = first[id]; k < first[id + 1]; k++) {
			const struct pktrec *r = &en->recs[order[k]];
			int have = engine_reread(en, r, &pk) == 0;
			chat_bubble(&b, &st, &nt, c, r, have ? &pk : NULL, prev);
			sb_reset(&note);
			note_text(&nj, c, r, &note);
			json_packet(&b, c, r, note.s, have ? &pk : NULL, variant & 1);
			note_commentary(c, r, &b);
			if (have)
				packet_view(&b, &pk);
			prev = r->ts_ns;
			if (b.len > FUZZ_FLUSH)
				sb_reset(&b);
		}
		chat_conn_footer(&b, &st, c);
		sb_reset(&b);
	}
	sb_fini(&b);
	sb_fini(&note);
	free(by_id);
	free(order);
	free(first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine en;
	struct err e;
	err_clear(&e);
	if (engine_open_mem(&en, "fuzz.pcap", data, size, &e) < 0)
		return 0;
	en.keep_all = 1;
	struct app app;
	app_init(&app, &en);
	app_attach(&app);
	int rc = engine_run(&en);
	if (rc < 0 && !en.err.set)
		abort(); /* a damaged capture always says why */
	app_end(&app);
	render(&en, &app, size ? data[size - 1] & 3 : 0);
	app_fini(&app);
	engine_close(&en);
	return 0;
}
