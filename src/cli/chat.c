/* chat.c: `chattcp chat FILE [-c ID ...]`: connections as chats. */
#include "cli.h"
#include "appcli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../out/chat_term.h"
#include "../out/json.h"
#include "../out/notes.h"

#include <stdlib.h>
#include <string.h>

struct selection {
	uint32_t *ids;
	size_t n, cap;
	uint32_t max_id;
};

static int selected(const struct selection *s, uint32_t id)
{
	if (!s->n)
		return 1;
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 1;
	return 0;
}

/* During the pass TCP ids are final, UDP ids are not (they follow the TCP count, known
 * only at the end): keep every UDP conversation that could still turn out selected. */
static int keep_conn(void *ctx, const struct conn *c)
{
	const struct selection *s = ctx;
	if (c->proto == 6)
		return selected(s, c->proto_idx);
	return c->proto_idx <= s->max_id;
}

int cmd_chat(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct selection sel;
	memset(&sel, 0, sizeof sel);
	struct chat_style st;
	memset(&st, 0, sizeof st);
	st.show_state = 1;
	st.show_notes = 1;
	st.fold = 1024;
	int json = 0, only_analysis = 0, with_payload = 0;
	const char *color_mode = "auto";
	const char *decode_as = NULL;
	int width = 0;
	int ascii = 0;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "-c") == 0 || strcmp(o, "--conn") == 0) {
			const char *v = args_value(&a, o);
			if (!v || cli_parse_ids(v, &sel.ids, &sel.n, &sel.cap) < 0) {
				xfree(sel.ids);
				return usage_error("chat", "-c takes connection ids: 3, 3,5 or 2-4");
			}
		} else if (strcmp(o, "--relative") == 0)
			st.relative = 1;
		else if (strcmp(o, "--absolute") == 0)
			st.relative = 0;
		else if (strcmp(o, "--no-state") == 0)
			st.show_state = 0;
		else if (strcmp(o, "--no-notes") == 0)
			st.show_notes = 0;
		else if (strcmp(o, "--commentary") == 0)
			st.commentary = 1;
		else if (strcmp(o, "--only-analysis") == 0)
			only_analysis = 1;
		else if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--payload-hex") == 0)
			with_payload = 1;
		else if (strcmp(o, "--payload") == 0) {
			const char *v = args_value(&a, o);
			if (!v)
				return EXIT_USAGE;
			if (strcmp(v, "structure") == 0)
				st.payload_mode = CHAT_PAYLOAD_STRUCTURE;
			else if (strcmp(v, "simple") == 0)
				st.payload_mode = CHAT_PAYLOAD_SIMPLE;
			else if (strcmp(v, "raw") == 0)
				st.payload_mode = CHAT_PAYLOAD_RAW;
			else
				return usage_error("chat", "--payload takes structure, simple or raw");
		} else if (strcmp(o, "--decode-as") == 0) {
			if (!(decode_as = args_value(&a, o)))
				return EXIT_USAGE;
		}
		else if (strcmp(o, "--ascii") == 0)
			ascii = 1;
		else if (strcmp(o, "--color") == 0) {
			if (!(color_mode = args_value(&a, o)))
				return EXIT_USAGE;
			if (strcmp(color_mode, "auto") && strcmp(color_mode, "always") && strcmp(color_mode, "never"))
				return usage_error("chat", "--color takes auto, always or never");
		} else if (strcmp(o, "--fold") == 0) {
			const char *v = args_value(&a, o);
			char *end;
			if (!v)
				return EXIT_USAGE;
			long n = strtol(v, &end, 10);
			if (*end || n < 0)
				return usage_error("chat", "--fold takes a number of bytes (0 = never fold)");
			st.fold = (size_t)n;
		} else if (strcmp(o, "--width") == 0) {
			const char *v = args_value(&a, o);
			if (!v)
				return EXIT_USAGE;
			char *end;
			long wv = strtol(v, &end, 10);
			width = *end || wv < 40 || wv > 1000 ? 0 : (int)wv;
			if (!width)
				return usage_error("chat", "--width takes 40 to 1000 columns");
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "chat", NULL };
			xfree(sel.ids);
			return cmd_help(2, hv);
		} else {
			xfree(sel.ids);
			return usage_error("chat", "unknown option %s", o);
		}
	}
	if (a.n_positional != 1) {
		xfree(sel.ids);
		return usage_error("chat", "expected one capture file");
	}
	for (size_t i = 0; i < sel.n; i++)
		if (sel.ids[i] > sel.max_id)
			sel.max_id = sel.ids[i];
	st.width = width ? width : cli_term_width();
	st.color = !json && cli_color(color_mode);
	const char *lang = getenv("LC_ALL");
	if (!lang || !*lang)
		lang = getenv("LC_CTYPE");
	if (!lang || !*lang)
		lang = getenv("LANG");
	st.unicode = !ascii && lang && (strstr(lang, "UTF-8") || strstr(lang, "utf8") || strstr(lang, "UTF8"));

	struct engine en;
	if (cli_open(&en, a.positional[0]) < 0) {
		xfree(sel.ids);
		return EXIT_BADINPUT;
	}
	if (sel.n) {
		en.keep = keep_conn;
		en.keep_ctx = &sel;
	} else {
		en.keep_all = 1;
	}
	/* Application decoding: the payload section of the bubbles (not for raw), and the
	 * "app" array of each JSON packet. */
	struct app app;
	int use_app = json || st.payload_mode != CHAT_PAYLOAD_RAW;
	if (use_app) {
		const struct proto_desc *fd = decode_as ? proto_find(decode_as) : NULL;
		if (decode_as && !fd) {
			char names[256];
			appcli_proto_names(names, sizeof names);
			fprintf(stderr, "chattcp: --decode-as %s: unknown protocol (known: %s)\n", decode_as, names);
			xfree(sel.ids);
			return cli_finish(&en, EXIT_USAGE);
		}
		app_init(&app, &en);
		app.force = fd;
		app.force_sel = sel.n ? keep_conn : NULL;
		app.force_ctx = &sel;
		app_attach(&app);
		/* Decode only the connections shown. */
		if (sel.n)
			engine_filter_last_sink(&en, keep_conn, &sel);
	}
	cli_run(&en);
	if (use_app)
		app_end(&app);

	for (size_t i = 0; i < sel.n; i++) {
		uint32_t total = en.ct.n_tcp + en.ct.n_udp;
		if (sel.ids[i] >= total) {
			fprintf(stderr, "chattcp: %s: no connection %u (the capture has %u: 0 to %u)\n", en.cf.name,
				sel.ids[i], total, total ? total - 1 : 0);
			xfree(sel.ids);
			if (use_app)
				app_fini(&app);
			return cli_finish(&en, EXIT_USAGE);
		}
	}

	uint32_t *order, *first;
	const struct appmsg **ends = NULL, **parts = NULL;
	size_t cap_ends = 0, cap_parts = 0;
	engine_group_by_conn(&en, &order, &first);
	/* id -> conn */
	size_t nc = en.ct.n;
	struct conn **by_id = xcalloc(nc ? nc : 1, sizeof *by_id);
	for (size_t i = 0; i < nc; i++)
		by_id[en.ct.conns[i]->id] = en.ct.conns[i];

	struct strbuf b, note;
	sb_init(&b);
	sb_init(&note);
	struct pkt pk;
	for (size_t id = 0; id < nc; id++) {
		if (!selected(&sel, (uint32_t)id) || first[id] == first[id + 1])
			continue;
		const struct conn *c = by_id[id];
		if (!json)
			chat_conn_header(&b, &st, c);
		struct note_ctx nc_;
		note_begin(&nc_);
		int64_t prev = INT64_MIN;
		size_t n_msgs = 0, m_start = 0;
		uint32_t *mix = use_app ? applog_conn_msgs(&app.log, c->idx, &n_msgs) : NULL;
		for (uint32_t k = first[id]; k < first[id + 1]; k++) {
			const struct pktrec *r = &en.recs[order[k]];
			/* Messages (sorted by first frame) this packet ends or carries a part of. */
			st.n_msgs = st.n_cont = 0;
			while (m_start < n_msgs && app.log.m[mix[m_start]].last_frame < r->frame &&
			       app.log.m[mix[m_start]].first_frame < r->frame)
				m_start++;
			for (size_t j = m_start; j < n_msgs; j++) {
				const struct appmsg *m = &app.log.m[mix[j]];
				if (m->first_frame > r->frame)
					break;
				if (m->dir != r->dir || m->last_frame < r->frame)
					continue;
				if (m->last_frame == r->frame) {
					xgrow(&ends, &cap_ends, st.n_msgs + 1, sizeof *ends);
					ends[st.n_msgs++] = m;
				} else if (r->len) {
					xgrow(&parts, &cap_parts, st.n_cont + 1, sizeof *parts);
					parts[st.n_cont++] = m;
				}
			}
			st.msgs = ends;
			st.cont = parts;
			int have = engine_reread(&en, r, &pk) == 0;
			int show = !only_analysis || r->labels || (r->events & (EV_HS_RETX | EV_FIN_RETX | EV_RST));
			if (json) {
				sb_reset(&note);
				note_text(&nc_, c, r, &note);
				if (show)
					json_packet_app(&b, c, r, st.show_notes ? note.s : NULL, have ? &pk : NULL, with_payload,
							ends, st.n_msgs);
			} else if (show) {
				chat_bubble(&b, &st, &nc_, c, r, have ? &pk : NULL, prev);
			} else {
				sb_reset(&note);
				note_text(&nc_, c, r, &note);
			}
			prev = r->ts_ns;
			if (b.len > 1 << 16)
				sb_write(&b, stdout);
		}
		xfree(mix);
		if (!json)
			chat_conn_footer(&b, &st, c);
	}
	xfree(ends);
	xfree(parts);
	if (use_app)
		app_fini(&app);
	sb_write(&b, stdout);
	sb_fini(&b);
	sb_fini(&note);
	xfree(by_id);
	xfree(order);
	xfree(first);
	xfree(sel.ids);
	return cli_finish(&en, EXIT_OK);
}
