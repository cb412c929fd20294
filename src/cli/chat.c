/* chat.c: `chattcp chat FILE [-c ID ...]`: connections as chats. A file is read
 * first and shown connection by connection; a capture that is still arriving (a pipe,
 * standard input, --follow) is shown packet by packet as it comes. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../out/chat_term.h"
#include "../out/json.h"

#include <stdlib.h>
#include <string.h>

struct chat_opts {
	struct chat_style st;
	struct sess_id *ids;
	size_t n_ids, cap_ids;
	int json, only_analysis, with_payload, follow, ascii;
	const char *color_mode, *decode_as, *spec;
	int width;
	int64_t idle_ns;
};

/* What a chat run holds while it prints. */
struct chat_run {
	struct chat_opts *o;
	struct session *s;
	struct strbuf b;
	int live;
	uint8_t *headed; /* live: by connection index, the header was printed */
	size_t n_headed;
};

static int parse_number(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || *end || end == v || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* The options of chat (case passes its own through here too). Returns -1 to go on, or
 * the exit status. */
static int chat_args(int argc, char **argv, struct chat_opts *o)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *k;
	long n;
	while ((k = args_next(&a))) {
		const char *v = NULL;
#define VALUE() do { if (!(v = args_value(&a, k))) return EXIT_USAGE; } while (0)
		if (!strcmp(k, "-c") || !strcmp(k, "--conn")) {
			VALUE();
			if (cli_parse_conns(v, &o->ids, &o->n_ids, &o->cap_ids) < 0)
				return cli_conns_usage("chat");
		} else if (!strcmp(k, "--relative") || !strcmp(k, "--absolute"))
			o->st.relative = k[2] == 'r';
		else if (!strcmp(k, "--no-state"))
			o->st.show_state = 0;
		else if (!strcmp(k, "--no-notes"))
			o->st.show_notes = 0;
		else if (!strcmp(k, "--commentary"))
			o->st.commentary = 1;
		else if (!strcmp(k, "--only-analysis"))
			o->only_analysis = 1;
		else if (!strcmp(k, "--json"))
			o->json = 1;
		else if (!strcmp(k, "--payload-hex"))
			o->with_payload = 1;
		else if (!strcmp(k, "--follow") || !strcmp(k, "-f"))
			o->follow = 1;
		else if (!strcmp(k, "--ascii"))
			o->ascii = 1;
		else if (!strcmp(k, "--payload")) {
			VALUE();
			static const char *const modes[] = { "structure", "simple", "raw" };
			int m = -1;
			for (int i = 0; i < 3; i++)
				if (!strcmp(v, modes[i]))
					m = i;
			if (m < 0)
				return usage_error("chat", "--payload takes structure, simple or raw");
			o->st.payload_mode = m;
		} else if (!strcmp(k, "--decode-as")) {
			VALUE();
			o->decode_as = v;
		} else if (!strcmp(k, "--color")) {
			VALUE();
			if (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never"))
				return usage_error("chat", "--color takes auto, always or never");
			o->color_mode = v;
		} else if (!strcmp(k, "--fold")) {
			VALUE();
			if (parse_number(v, 0, 1L << 30, &n) < 0)
				return usage_error("chat", "--fold takes a number of bytes (0 = never fold)");
			o->st.fold = (size_t)n;
		} else if (!strcmp(k, "--width")) {
			VALUE();
			if (parse_number(v, 40, 1000, &n) < 0)
				return usage_error("chat", "--width takes 40 to 1000 columns");
			o->width = (int)n;
		} else if (!strcmp(k, "--until-idle")) {
			VALUE();
			if (parse_number(v, 1, 86400 * 365, &n) < 0)
				return usage_error("chat", "--until-idle takes a number of seconds");
			o->idle_ns = ts_from_sec(n);
		} else if (!strcmp(k, "-h") || !strcmp(k, "--help"))
			return cli_help_for("chat");
		else
			return usage_error("chat", "unknown option %s", k);
#undef VALUE
	}
	if (a.n_positional != 1)
		return usage_error("chat", "expected one capture file");
	o->spec = a.positional[0];
	return -1;
}

static int shown(const struct chat_opts *o, const struct sess_packet *p)
{
	const struct pktrec *r = p->r;
	return !o->only_analysis || r->labels || (r->events & (EV_HS_RETX | EV_FIN_RETX | EV_RST));
}

static void header(struct chat_run *x, const struct conn *c)
{
	char stack[128];
	session_conn_stack(x->s, c, stack, sizeof stack);
	chat_conn_header(&x->b, &x->o->st, c, stack);
}

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct chat_run *x = ctx;
	if (x->live && !x->o->json) {
		if (p->c->idx >= x->n_headed) {
			size_t n = x->n_headed;
			xgrow(&x->headed, &n, (size_t)p->c->idx + 1, 1);
			memset(x->headed + x->n_headed, 0, n - x->n_headed);
			x->n_headed = n;
		}
		if (!x->headed[p->c->idx] || (p->r->pflags & PR_SIDES_DECIDED)) {
			x->headed[p->c->idx] = 1; /* again when the sides changed: it names them */
			chat_conn_header(&x->b, &x->o->st, p->c, NULL);
		}
	}
	if (shown(x->o, p)) {
		if (x->o->json)
			json_packet(&x->b, p, (x->o->st.show_notes ? JSON_PKT_NOTE : 0) |
					      (x->o->with_payload ? JSON_PKT_PAYLOAD : 0) | JSON_PKT_APP |
					      (x->o->st.commentary ? JSON_PKT_COMMENTARY : 0));
		else
			chat_bubble(&x->b, &x->o->st, p);
	}
	/* Live: each bubble leaves now, not when a buffer fills. */
	if (x->live || x->b.len > 1 << 16) {
		cli_flush(&x->b);
		if (x->live)
			fflush(stdout);
	}
}

static void on_end(void *ctx, const struct sess_tail *t)
{
	struct chat_run *x = ctx;
	if (x->o->json) {
		if (t->n_msgs)
			json_tail(&x->b, t);
	} else {
		chat_tail(&x->b, &x->o->st, t);
		chat_conn_footer(&x->b, &x->o->st, t->c);
	}
	cli_flush(&x->b);
}

static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct chat_run *x = ctx;
	if (x->o->json)
		json_tail(&x->b, t);
	else
		chat_tail(&x->b, &x->o->st, t);
}

/* A file: read it all, then each selected connection in id order. */
static void chat_batch(struct chat_run *x)
{
	size_t n;
	const struct conn *const *all = session_conns(x->s, &n);
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = all[i];
		if (!session_selected(x->s, c))
			continue;
		if (!x->o->json)
			header(x, c);
		session_walk(x->s, c, on_packet, on_tail, x);
		if (!x->o->json)
			chat_conn_footer(&x->b, &x->o->st, c);
	}
}

static void setup(struct chat_opts *o, struct session_opts *so, struct chat_run *x)
{
	memset(so, 0, sizeof *so);
	x->live = cli_is_stream(o->spec, o->follow);
	so->keep = x->live ? SESS_KEEP_NONE : SESS_KEEP_PACKETS;
	/* Decoding feeds the payload section (not for raw) and the "app" array. */
	so->app = o->json || o->st.payload_mode != CHAT_PAYLOAD_RAW;
	so->decode_as = o->decode_as;
	so->commentary = o->st.commentary;
	so->stream.follow = o->follow;
	so->stream.idle_ns = o->idle_ns;
	so->stream.stop = x->live ? cli_stop_flag() : NULL;
	so->ctx = x;
	if (x->live) {
		so->on_packet = on_packet;
		so->on_conn_end = on_end;
		so->live_release = 1;
	}
	o->st.width = o->width ? o->width : cli_term_width();
	o->st.color = !o->json && cli_color(o->color_mode);
	o->st.unicode = !o->ascii && cli_unicode();
	o->st.tag_conn = x->live && o->n_ids != 1;
	o->st.live = x->live;
}

/* Prints the chat of the selected connections of spec with options o. */
static int chat_run(struct chat_opts *o)
{
	struct chat_run x;
	memset(&x, 0, sizeof x);
	x.o = o;
	struct session_opts so;
	setup(o, &so, &x);
	int rc;
	x.s = cli_session(&so, o->spec, o->ids, o->n_ids, &rc);
	if (!x.s)
		return rc;
	sb_init(&x.b);
	cli_run(x.s);
	rc = EXIT_OK;
	if (!cli_check_ids(x.s, o->ids, o->n_ids))
		rc = EXIT_USAGE;
	else if (!x.live)
		chat_batch(&x);
	cli_flush(&x.b);
	sb_fini(&x.b);
	xfree(x.headed);
	return cli_finish(x.s, rc);
}

int cmd_chat(int argc, char **argv)
{
	struct chat_opts o;
	memset(&o, 0, sizeof o);
	o.st.show_state = o.st.show_notes = 1;
	o.st.fold = 1024;
	o.color_mode = "auto";
	int rc = chat_args(argc, argv, &o);
	if (rc < 0)
		rc = chat_run(&o);
	xfree(o.ids);
	return rc;
}
