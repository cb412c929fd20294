/* api_learn.c: see api_learn.h. A session of its own over the case (as `chattcp learn`
 * opens it: every packet kept, decoders, commentary), asked for its steps; each step one
 * NDJSON line, in frame order, after a first line naming the case:
 *
 *   {"case", "title", "steps"}
 *   {"step", "frame", "proto", "conn", "first", "question", "answer", "paragraphs": [md...],
 *    "packet": {chat --json object}, "tail": [at_end objects]}
 *
 * Cases are small (the largest a few hundred packets): every step is held, then sorted. */
#include "api_learn.h"

#include "../base/xalloc.h"
#include "../cases/cases.h"
#include "../cases/lesson_frames.h"
#include "../out/json.h"
#include "../out/learn_words.h"
#include "../session/learn.h"

#include <stdlib.h>
#include <string.h>

struct web_step {
	uint32_t frame;
	struct strbuf line; /* the step's object, without "step" and the closing brace */
};

struct web_learn {
	struct session *s;
	int absolute;
	const char *md;
	size_t md_n;
	struct web_step *v;
	size_t n, cap;
};

static void add_paragraph(void *ctx, const struct lesson_block *bl)
{
	struct strbuf *b = ctx;
	if (b->s[b->len - 1] != '[')
		sb_putc(b, ',');
	sb_json_str(b, bl->md, bl->n);
}

static void on_step(void *ctx, const struct learn_step *st)
{
	struct web_learn *w = ctx;
	const struct sess_packet *p = st->p;
	xgrow(&w->v, &w->cap, w->n + 1, sizeof *w->v);
	struct web_step *ws = &w->v[w->n++];
	ws->frame = p->r->frame;
	struct strbuf *b = &ws->line;
	sb_init(b);
	int f = 1; /* "step" comes before, written when sorted */
	json_u64_field(b, &f, "frame", p->r->frame);
	json_str_field(b, &f, "proto", p->c->proto == 6 ? "tcp" : "udp");
	json_u64_field(b, &f, "conn", p->c->id);
	json_key(b, &f, "first");
	sb_puts(b, st->first ? "true" : "false");
	if (st->question) {
		json_str_field(b, &f, "question", st->question);
		struct strbuf a;
		sb_init(&a);
		learn_answer_words(&a, w->s, st, 0);
		json_str_field(b, &f, "answer", a.s);
		sb_fini(&a);
	}
	json_key(b, &f, "paragraphs");
	sb_putc(b, '[');
	lesson_blocks_about(w->md, w->md_n, p->r->frame, add_paragraph, b);
	sb_putc(b, ']');
	json_key(b, &f, "packet");
	size_t at = b->len;
	json_packet(b, p, JSON_PKT_NOTE | JSON_PKT_PAYLOAD | JSON_PKT_APP | JSON_PKT_COMMENTARY |
			       (w->absolute ? JSON_PKT_ABSOLUTE : 0));
	if (b->len > at && b->s[b->len - 1] == '\n')
		b->s[--b->len] = '\0';
	json_key(b, &f, "tail");
	sb_puts(b, "[]");
}

/* The messages complete only at the end go with the connection's last step. */
static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct web_learn *w = ctx;
	if (!w->n || !t->n_msgs)
		return;
	struct strbuf *b = &w->v[w->n - 1].line;
	b->len -= 1; /* the "]" of "tail" */
	if (b->s[b->len - 1] != '[')
		sb_putc(b, ',');
	size_t at = b->len;
	json_tail(b, t);
	if (b->len > at && b->s[b->len - 1] == '\n')
		b->len--;
	sb_putc(b, ']');
}

static int by_frame(const void *a, const void *b)
{
	const struct web_step *x = a, *y = b;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

void api_learn(const struct web_req *q, struct web_reply *r)
{
	const char *name = q->arg(q->ctx, "name");
	if (name && strncmp(name, "case:", 5) == 0)
		name += 5;
	const struct case_blob *cb = name ? case_find(name) : NULL;
	if (!cb)
		return web_reply_error(r, 404, "no such case (see /api/cases)");
	/* numbers=absolute: the notes and answers numbered as sent (learn --absolute) */
	const char *numbers = q->arg(q->ctx, "numbers");
	if (numbers && strcmp(numbers, "absolute") && strcmp(numbers, "relative"))
		return web_reply_error(r, 400, "numbers= takes relative (the default) or absolute");
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.absolute = numbers && !strcmp(numbers, "absolute");
	so.keep = SESS_KEEP_PACKETS;
	so.app = 1;
	so.commentary = 1;
	so.mem_limit = UI_SESSION_MEM_MAX;
	struct web_learn w;
	memset(&w, 0, sizeof w);
	w.s = session_new(&so);
	w.absolute = so.absolute;
	char spec[96];
	snprintf(spec, sizeof spec, "case:%s", cb->name);
	w.md = case_lesson_body(cb);
	w.md_n = cb->lesson_len - (size_t)(w.md - cb->lesson);
	if (session_open(w.s, spec) < 0 || session_run(w.s) < 0 ||
	    session_learn(w.s, w.md, w.md_n, on_step, on_tail, &w) < 0) {
		web_reply_error(r, 500, session_error(w.s)->msg);
	} else {
		qsort(w.v, w.n, sizeof *w.v, by_frame);
		r->status = 200;
		r->type = "application/x-ndjson; charset=utf-8";
		int f = 1;
		sb_putc(&r->body, '{');
		json_str_field(&r->body, &f, "case", cb->name);
		const char *t;
		size_t tn;
		if (case_front(cb, "title", &t, &tn)) {
			json_key(&r->body, &f, "title");
			sb_json_str(&r->body, t, tn);
		}
		json_u64_field(&r->body, &f, "steps", w.n);
		sb_puts(&r->body, "}\n");
		for (size_t i = 0; i < w.n; i++) {
			sb_printf(&r->body, "{\"step\":%zu,", i + 1);
			sb_add(&r->body, w.v[i].line.s, w.v[i].line.len);
			sb_puts(&r->body, "}\n");
		}
	}
	for (size_t i = 0; i < w.n; i++)
		sb_fini(&w.v[i].line);
	xfree(w.v);
	session_free(w.s);
}
