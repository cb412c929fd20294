/* chat.c: `chattcp chat FILE [-c ID ...]`: connections as chats. A file is read
 * first and shown connection by connection; a capture that is still arriving (a pipe,
 * standard input, --follow) is shown packet by packet as it comes. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../out/chat_term.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/outq.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct chat_opts {
	struct chat_style st;
	struct cli_common co;
	int only_analysis, with_payload, follow;
	const char *decode_as, *spec;
	int64_t idle_ns;
};

/* What a chat run holds while it prints. */
struct chat_run {
	struct chat_opts *o;
	struct session *s;
	struct strbuf b;
	struct chat_scratch scratch; /* chat_bubble's lines, kept from bubble to bubble */
	int live;
	uint8_t *headed; /* live: by connection index, the header was printed */
	size_t n_headed;
	/* Streaming a file (every connection, no -Y): each bubble is drawn as its packet is
	 * read and held in q until its connection is over and those before it are, then
	 * printed as the chat of a file is, connection by connection; so memory does not
	 * follow the capture (2.3 GB for the 1.8 GB benchmark capture before). */
	struct outq *q;
	uint64_t seq;            /* orders a connection's bubbles */
	int64_t *prev_shown;     /* -t dd: by connection index, its last bubble shown */
	size_t n_prev_shown;
	struct strbuf head, tail;
};

static void emit(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	cli_write(p, n);
}

static uint64_t conn_order(const struct conn *c) { return c->proto == 17 ? OUTQ_UDP + c->id : c->id; }

/* -t dd: each chat counts from its own first bubble, so streamed chats keep their own. */
static int64_t *prev_shown_of(struct chat_run *x, const struct conn *c)
{
	if (c->idx >= x->n_prev_shown) {
		size_t n = x->n_prev_shown;
		xgrow(&x->prev_shown, &n, (size_t)c->idx + 1, sizeof *x->prev_shown);
		for (size_t i = x->n_prev_shown; i < n; i++)
			x->prev_shown[i] = INT64_MIN;
		x->n_prev_shown = n;
	}
	return &x->prev_shown[c->idx];
}

/* The options of chat, for cmd (chat, or case, which shows a lesson first). Returns -1
 * to go on, or the exit status. */
static int chat_args(int argc, char **argv, struct chat_opts *o, const char *cmd)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *k;
	long n;
	while ((k = args_next(&a))) {
		const char *v = NULL;
		int c = cli_common_opt(&a, k, &o->co, cmd);
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
#define VALUE() do { if (!(v = args_value(&a, cmd, k))) return EXIT_USAGE; } while (0)
		if (!strcmp(k, "--no-state"))
			o->st.show_state = 0;
		else if (!strcmp(k, "--no-notes"))
			o->st.show_notes = 0;
		else if (!strcmp(k, "--commentary"))
			o->st.commentary = 1;
		else if (!strcmp(k, "--only-analysis"))
			o->only_analysis = 1;
		else if (!strcmp(k, "--payload-hex"))
			o->with_payload = 1;
		else if (!strcmp(k, "--follow") || !strcmp(k, "-f"))
			o->follow = 1;
		else if (!strcmp(k, "--payload")) {
			VALUE();
			static const char *const modes[] = { "structure", "simple", "raw" };
			int m = -1;
			for (int i = 0; i < 3; i++)
				if (!strcmp(v, modes[i]))
					m = i;
			if (m < 0)
				return usage_error(cmd, "--payload takes structure, simple or raw, not '%s'", v);
			o->st.payload_mode = m;
		} else if (!strcmp(k, "--decode-as")) {
			VALUE();
			o->decode_as = v;
		} else if (!strcmp(k, "--fold")) {
			VALUE();
			if (cli_number(v, 0, 1L << 30, &n) < 0)
				return usage_error(cmd, "--fold takes a number of bytes (0 = never fold), not '%s'", v);
			o->st.fold = (size_t)n;
		} else if (!strcmp(k, "--until-idle")) {
			VALUE();
			if (cli_number(v, 1, 86400 * 365, &n) < 0)
				return usage_error(cmd, "--until-idle takes a number of seconds, not '%s'", v);
			o->idle_ns = ts_from_sec(n);
		} else
			return cli_unknown(cmd, k);
#undef VALUE
	}
	if (a.n_positional != 1)
		return usage_error(cmd, strcmp(cmd, "case") ? "expected one capture file" : "expected one case name");
	o->spec = a.positional[0];
	return -1;
}

static int shown(const struct chat_opts *o, const struct sess_packet *p)
{
	const struct pktrec *r = p->r;
	if (!cli_filter_frame(&o->co.y, r->frame))
		return 0; /* -Y: only the frames it selects */
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
	if (x->o->co.y.f && !cli_filter_frame(&x->o->co.y, p->r->frame))
		return;
	if (x->live && !x->o->co.json) {
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
	int64_t *ps = x->q ? prev_shown_of(x, p->c) : NULL;
	if (ps)
		x->o->st.prev_shown_ts = *ps;
	if (shown(x->o, p)) {
		if (x->o->co.json)
			json_packet(&x->b, p, (x->o->st.show_notes ? JSON_PKT_NOTE : 0) |
					      (x->o->with_payload ? JSON_PKT_PAYLOAD : 0) | JSON_PKT_APP |
					      (x->o->st.commentary ? JSON_PKT_COMMENTARY : 0) |
					      (x->o->st.absolute ? JSON_PKT_ABSOLUTE : 0));
		else
			chat_bubble(&x->b, &x->o->st, p);
		x->o->st.prev_shown_ts = p->r->ts_ns;
	}
	if (x->q) {
		*ps = x->o->st.prev_shown_ts;
		outq_add(x->q, conn_order(p->c), x->seq++, x->b.s, x->b.len);
		sb_reset(&x->b);
		return;
	}
	/* Live: each bubble leaves now, not when a buffer fills. */
	if (x->live || x->b.len > 1 << 16) {
		cli_flush(&x->b);
		if (x->live)
			cli_push();
	}
}

static void on_end(void *ctx, const struct sess_tail *t)
{
	struct chat_run *x = ctx;
	if (x->o->co.json) {
		if (t->n_msgs)
			json_tail(&x->b, t);
	} else {
		chat_tail(&x->b, &x->o->st, t);
		chat_conn_footer(&x->b, &x->o->st, t->c);
	}
	cli_flush(&x->b);
}

/* Streaming: c is over (or the capture ended): its chat is complete, between its
 * header and its tail and footer, as chat_batch draws them. */
static void on_stream_end(void *ctx, const struct sess_tail *t)
{
	struct chat_run *x = ctx;
	sb_reset(&x->head);
	sb_reset(&x->tail);
	if (x->o->co.json) {
		json_tail(&x->tail, t);
	} else {
		char stack[128];
		session_conn_stack(x->s, t->c, stack, sizeof stack);
		chat_conn_header(&x->head, &x->o->st, t->c, stack);
		if (t->n_msgs)
			chat_tail(&x->tail, &x->o->st, t);
		chat_conn_footer(&x->tail, &x->o->st, t->c);
	}
	outq_done(x->q, conn_order(t->c), x->head.s, x->head.len, x->tail.s, x->tail.len);
}

static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct chat_run *x = ctx;
	if (x->o->co.json)
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
		if (x->o->co.y.f && !cli_filter_conn(&x->o->co.y, c))
			continue; /* -Y selects none of its frames */
		if (!x->o->co.json)
			header(x, c);
		x->o->st.prev_shown_ts = INT64_MIN; /* -t dd: each chat counts from its own first bubble */
		session_walk(x->s, c, on_packet, on_tail, x);
		if (!x->o->co.json)
			chat_conn_footer(&x->b, &x->o->st, c);
	}
}

/* Captures from this size on show every connection streamed (below it the whole index
 * is small anyway, and streaming costs ~400 bytes more per connection still open: the
 * live path's note state and the held text's bookkeeping; a capture of 200,000 open
 * connections in 19 MB took 344 MB streamed, 262 MB indexed). The environment's
 * CHATTCP_CHAT_STREAM_MIN (bytes) sets it, for tests. */
#define CHAT_STREAM_MIN ((off_t)32 << 20)

static int big_file(const char *spec)
{
	off_t min = CHAT_STREAM_MIN;
	const char *env = getenv("CHATTCP_CHAT_STREAM_MIN");
	if (env && *env)
		min = (off_t)strtoll(env, NULL, 10);
	struct stat st;
	return stat(spec, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= min;
}

static void setup(struct chat_opts *o, struct session_opts *so, struct chat_run *x)
{
	memset(so, 0, sizeof *so);
	x->live = cli_is_stream(o->spec, o->follow);
	so->keep = x->live ? SESS_KEEP_NONE : SESS_KEEP_PACKETS;
	/* Decoding feeds the payload section (not for raw) and the "app" array. */
	so->app = o->co.json || o->st.payload_mode != CHAT_PAYLOAD_RAW;
	so->decode_as = o->decode_as;
	so->keylog = o->co.keylog;
	so->commentary = o->st.commentary;
	so->absolute = o->st.absolute = o->co.absolute;
	o->st.time = o->co.time;
	o->st.prev_shown_ts = INT64_MIN;
	so->stream.follow = o->follow;
	so->stream.idle_ns = o->idle_ns;
	so->stream.stop = x->live ? cli_stop_flag() : NULL;
	so->ctx = x;
	cli_filter_hook(&o->co.y, so);
	if (x->live) {
		so->on_packet = on_packet;
		so->on_conn_end = on_end;
		so->live_release = 1;
	} else if (o->co.n_ids == 0 && !o->co.y.f && big_file(o->spec)) {
		/* every connection of a file: streamed (-c shows few, kept whole; -Y picks the
		 * connections by every frame of them, known at the end) */
		x->q = outq_new(0, emit, NULL);
		so->keep = SESS_KEEP_NONE;
		so->on_packet = on_packet;
		so->on_conn_end = on_stream_end;
		so->end_early = 1;
		so->live_release = 1;
	}
	struct layout ly;
	cli_layout(&o->co, &ly);
	o->st.width = ly.width;
	o->st.color = ly.color;
	o->st.unicode = ly.unicode;
	o->st.tag_conn = x->live && o->co.n_ids != 1;
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
	sb_init(&x.b);
	sb_init(&x.head);
	sb_init(&x.tail);
	o->st.scratch = &x.scratch;
	x.s = cli_session(&so, o->spec, o->co.ids, o->co.n_ids, &rc);
	if (x.s) {
		cli_run(x.s);
		rc = EXIT_OK;
		if (!cli_check_ids(x.s, o->co.ids, o->co.n_ids))
			rc = EXIT_USAGE;
		else if (x.q) {
			if (outq_finish(x.q) < 0) {
				fprintf(stderr, "chattcp: %s: %s\n", o->spec, outq_error(x.q));
				rc = EXIT_SYSTEM;
			}
			if (session_late(x.s))
				fprintf(stderr,
					"chattcp: %s: %llu packets came more than %d s after their connection had ended and are not in its chat (chat -c ID shows them)\n",
					session_name(x.s), (unsigned long long)session_late(x.s),
					SESS_END_QUIET_SEC);
		} else if (!x.live)
			chat_batch(&x);
		cli_flush(&x.b);
	}
	outq_free(x.q);
	sb_fini(&x.b);
	sb_fini(&x.head);
	sb_fini(&x.tail);
	o->st.scratch = NULL;
	chat_scratch_fini(&x.scratch);
	xfree(x.headed);
	xfree(x.prev_shown);
	return x.s ? cli_finish(x.s, rc) : rc;
}

int chat_main(int argc, char **argv, const char *cmd, chat_prologue_fn *prologue)
{
	struct chat_opts o;
	memset(&o, 0, sizeof o);
	o.st.show_state = o.st.show_notes = 1;
	o.st.fold = 1024;
	/* A chat reads like a log (wall clock); a case like its lesson (t= since the start). */
	cli_common_init_time(&o.co, CLI_JSON | CLI_CONN | CLI_NUMBERS | CLI_FILTER, prologue ? FMT_T_REL : FMT_T_ABS);
	int rc = chat_args(argc, argv, &o, cmd);
	if (rc < 0 && prologue) {
		struct layout ly;
		cli_layout(&o.co, &ly);
		rc = prologue(o.spec, &ly, o.co.json, &o.spec);
	}
	if (rc < 0)
		rc = chat_run(&o);
	cli_common_fini(&o.co);
	return rc;
}

int cmd_chat(int argc, char **argv) { return chat_main(argc, argv, "chat", NULL); }
