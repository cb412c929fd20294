/* learn.c: `chattcp learn NAME`: a classic case one packet at a time. Each screen is
 * the packet's bubble (chat's renderer, from the session's walk) and the lesson's
 * paragraphs about that frame; before a frame the lesson names, a question built from
 * that packet's facts, answered on the next key. On a terminal the keys act at once
 * (raw mode, restored on every way out, signals too); otherwise each line of input is
 * one key, so a script or a test can step. The last frame seen per case is kept in
 * $XDG_STATE_HOME/chattcp/progress (or ~/.local/state/chattcp/progress). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../cases/cases.h"
#include "../out/chat_term.h"
#include "../out/fmt.h"
#include "../session/learn.h"
#include "../out/learn_words.h"
#include "../out/lesson.h"
#include "../out/term_text.h"
#include "statefile.h"
#include "tty.h"

#include <stdlib.h>
#include <string.h>

/* One packet of the case, drawn once at the start (cases are small: every bubble kept). */
struct step {
	uint32_t frame;
	struct strbuf bubble;  /* connection header (at its first packet), bubble, tail */
	struct strbuf answer;  /* the question's answer, in words */
	const char *question;  /* NULL: the lesson does not name this frame */
};

struct learn {
	const struct case_blob *cb;
	const char *md;
	size_t md_n;
	struct step *steps;
	size_t n, cap;
	struct session *s;
	struct layout ly;
	struct chat_style st;
	int tty;
	struct cli_tty term;      /* tty: the terminal's modes to restore */
	struct strbuf notice;     /* a warning to show on the first screen (terminal mode) */
};

/* ---- The steps: session/learn.h chooses the questions, out/learn_words.h words the answers ---- */

static void on_step(void *ctx, const struct learn_step *st)
{
	struct learn *l = ctx;
	const struct sess_packet *p = st->p;
	if (l->n == l->cap)
		xgrow(&l->steps, &l->cap, l->n + 1, sizeof *l->steps);
	struct step *sp = &l->steps[l->n++];
	memset(sp, 0, sizeof *sp);
	sp->frame = p->r->frame;
	sb_init(&sp->bubble);
	sb_init(&sp->answer);
	if (st->first) {
		char stack[128];
		session_conn_stack(l->s, p->c, stack, sizeof stack);
		chat_conn_header(&sp->bubble, &l->st, p->c, stack);
	}
	chat_bubble(&sp->bubble, &l->st, p);
	sp->question = st->question;
	if (st->question)
		learn_answer_words(&sp->answer, l->s, st, 1);
}

static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct learn *l = ctx;
	if (l->n)
		chat_tail(&l->steps[l->n - 1].bubble, &l->st, t);
}

static int by_frame(const void *a, const void *b)
{
	const struct step *x = a, *y = b;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* ---- Progress: the last frame seen, per case ("progress" in the state directory) ---- */

static uint32_t progress_get(const struct statefile *pg, const char *name)
{
	uint32_t f = 0;
	statefile_get(pg, name, &f);
	return f;
}

/* ---- The keys ---- */

enum key { K_NEXT, K_BACK, K_QUIT, K_OTHER, K_REDRAW };

/* One key press on the terminal (t: raw mode). */
static enum key term_key(struct cli_tty *t)
{
	char buf[64];
	ssize_t n = cli_tty_read(t, buf, sizeof buf);
	if (n == CLI_TTY_REDRAW)
		return K_REDRAW;
	if (n <= 0)
		return K_QUIT;
	if (n >= 3 && buf[0] == 27 && buf[1] == '[')
		return buf[2] == 'C' || buf[2] == 'B' ? K_NEXT : buf[2] == 'D' || buf[2] == 'A' ? K_BACK : K_OTHER;
	switch (buf[0]) {
	case '\r': case '\n': case ' ': case 'n': case 'j': return K_NEXT;
	case 'b': case 'k': case 127: case 8: return K_BACK;
	case 'q': case 'Q': case 4: case 27: return K_QUIT;
	default: return K_OTHER;
	}
}

/* The next key: on a terminal one key press; otherwise one line ("" or n: next, b, q);
 * the end of input is q. */
static enum key read_key(struct cli_tty *t)
{
	if (t)
		return term_key(t);
	char buf[64];
	if (!fgets(buf, sizeof buf, stdin))
		return K_QUIT;
	size_t len = strlen(buf);
	int whole = len && buf[len - 1] == '\n';
	while (!whole && fgets(buf + 1, sizeof buf - 1, stdin)) /* the rest of a long line */
		whole = buf[1 + strlen(buf + 1) - 1] == '\n';
	switch (buf[0]) {
	case '\n': case ' ': case 'n': return K_NEXT;
	case 'b': return K_BACK;
	case 'q': return K_QUIT;
	default: return K_OTHER;
	}
}

/* ---- The screens ---- */

static void screen_begin(struct learn *l, struct strbuf *b, size_t i)
{
	if (l->tty)
		sb_puts(b, "\033[H\033[2J");
	else
		sb_putc(b, '\n');
	char top[256];
	snprintf(top, sizeof top, "Lesson %s - packet %zu of %zu (frame %u)", l->cb->name, i + 1, l->n,
		 l->steps[i].frame);
	width_wrap(b, top, strlen(top), (size_t)l->ly.width, 0, "");
	if (l->notice.len) {
		sb_add(b, l->notice.s, l->notice.len);
		sb_reset(&l->notice);
	}
	sb_putc(b, '\n');
}

static void keys_line(struct learn *l, struct strbuf *b, const char *what)
{
	sb_putc(b, '\n');
	width_wrap(b, what, strlen(what), (size_t)l->ly.width, 0, "");
}

static void add_block(void *ctx, const struct lesson_block *bl)
{
	struct learn *l = *(struct learn **)ctx;
	struct strbuf *b = ((struct strbuf **)ctx)[1];
	sb_putc(b, '\n');
	lesson_render(b, bl->md, bl->n, &l->ly);
}

static void show_question(struct learn *l, size_t i)
{
	struct strbuf b;
	sb_init(&b);
	screen_begin(l, &b, i);
	char q[256];
	snprintf(q, sizeof q, "Question: %s", l->steps[i].question);
	width_wrap(&b, q, strlen(q), (size_t)l->ly.width, 0, "");
	keys_line(l, &b, l->tty ? "Think, then press a key for the answer (b back, q quit)."
				: "Think, then Enter for the answer (b back, q quit).");
	cli_flush(&b);
	cli_push();
	sb_fini(&b);
}

static void show_packet(struct learn *l, size_t i, int answered)
{
	struct step *sp = &l->steps[i];
	struct strbuf b;
	sb_init(&b);
	screen_begin(l, &b, i);
	if (answered && sp->question) {
		struct strbuf a;
		sb_init(&a);
		sb_puts(&a, "Answer: ");
		sb_add(&a, sp->answer.s, sp->answer.len);
		width_wrap(&b, a.s, a.len, (size_t)l->ly.width, 0, "");
		sb_putc(&b, '\n');
		sb_fini(&a);
	}
	sb_add(&b, sp->bubble.s, sp->bubble.len);
	void *ctx[2] = { l, &b };
	if (!lesson_blocks_about(l->md, l->md_n, sp->frame, add_block, ctx))
		keys_line(l, &b, "(The lesson says nothing about this frame: read the bubble's note.)");
	keys_line(l, &b, i + 1 < l->n ? "Enter/space/n: next packet, b: back, q: quit."
				      : "Enter: the end, b: back, q: quit.");
	cli_flush(&b);
	cli_push();
	sb_fini(&b);
}

/* Steps from step `at` (asking first when the lesson names it); returns the index of
 * the last packet shown, or l->n when the learner went past the end. */
static size_t step_loop(struct learn *l, struct statefile *pg, size_t at)
{
	size_t i = at;
	int asking = at == 0 && l->steps[0].question, answered = 0;
	for (;;) {
		if (asking)
			show_question(l, i);
		else
			show_packet(l, i, answered);
		if (!asking)
			statefile_set(pg, l->cb->name, l->steps[i].frame);
		enum key k = read_key(l->tty ? &l->term : NULL);
		if (k == K_REDRAW)
			continue;
		if (k == K_QUIT) {
			if (asking && i)
				i--;
			statefile_set(pg, l->cb->name, l->steps[i].frame);
			return i;
		}
		if (asking) {
			if (k == K_BACK && i) {
				asking = 0;
				answered = 0;
				i--;
			} else {
				asking = 0;
				answered = 1;
			}
			continue;
		}
		if (k == K_BACK) {
			if (i)
				i--;
			answered = 0;
		} else if (k == K_NEXT) {
			if (i + 1 == l->n)
				return l->n;
			i++;
			asking = l->steps[i].question != NULL;
			answered = 0;
		}
	}
}

/* ---- The command ---- */

static int learn_run(struct learn *l, const struct cli_common *co, int restart)
{
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.keep = SESS_KEEP_PACKETS;
	so.app = 1;
	so.commentary = 1;
	so.absolute = co->absolute;
	char spec[4200];
	snprintf(spec, sizeof spec, "case:%s", l->cb->name);
	int rc;
	l->s = cli_session(&so, spec, NULL, 0, &rc);
	if (!l->s)
		return rc;
	cli_run(l->s);
	session_learn(l->s, l->md, l->md_n, on_step, on_tail, l);
	/* by frame: a case of several connections is told in the order it happened */
	qsort(l->steps, l->n, sizeof *l->steps, by_frame);
	if (!l->n) {
		fprintf(stderr, "chattcp learn: case %s has no TCP or UDP packets to step through\n", l->cb->name);
		return cli_finish(l->s, EXIT_BADINPUT);
	}
	struct statefile pg;
	statefile_open(&pg, "learn", "progress");
	size_t at = 0;
	uint32_t kept = restart ? 0 : progress_get(&pg, l->cb->name);
	while (kept && at + 1 < l->n && l->steps[at].frame < kept)
		at++;
	if (kept && l->steps[at].frame == kept && at + 1 < l->n)
		sb_printf(&l->notice, "Welcome back: you stopped at frame %u (--restart starts over).\n", kept);
	else
		at = 0;
	if (l->tty)
		cli_tty_raw(&l->term);
	size_t last = step_loop(l, &pg, at);
	cli_tty_restore(&l->term);
	struct strbuf b, w;
	sb_init(&b);
	sb_init(&w);
	if (last == l->n) {
		statefile_set(&pg, l->cb->name, 0); /* done: the next time starts at the beginning */
		sb_printf(&w, "The end of %s: %zu packets. 'chattcp case %s' shows the whole lesson and chat.",
			  l->cb->name, l->n, l->cb->name);
	} else {
		sb_printf(&w, "Stopped at frame %u; 'chattcp learn %s' goes on from here.", l->steps[last].frame,
			  l->cb->name);
	}
	sb_putc(&b, '\n');
	width_wrap(&b, w.s, w.len, (size_t)l->ly.width, 0, "");
	cli_flush(&b);
	sb_fini(&b);
	sb_fini(&w);
	statefile_close(&pg);
	return cli_finish(l->s, EXIT_OK);
}

int cmd_learn(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init_time(&co, CLI_NUMBERS | CLI_TIME, FMT_T_REL);
	int restart = 0;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "learn");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--restart") == 0)
			restart = 1;
		else
			return cli_unknown("learn", o);
	}
	if (a.n_positional != 1)
		return usage_error("learn", "expected one case name (see 'chattcp cases')");
	const char *name = a.positional[0];
	if (strncmp(name, "case:", 5) == 0)
		name += 5;
	struct learn l;
	memset(&l, 0, sizeof l);
	l.cb = case_find(name);
	struct case_blob dir_case;
	char *dir_md = NULL;
	if (!l.cb && (dir_md = case_dir_lesson(name, &dir_case)))
		l.cb = &dir_case;
	if (!l.cb) {
		struct strbuf m;
		sb_init(&m);
		sb_puts(&m, "chattcp learn: no built-in case '");
		term_text_str(&m, name);
		sb_puts(&m, "' (see 'chattcp cases')\n");
		fputs(m.s, stderr);
		sb_fini(&m);
		cli_common_fini(&co);
		return EXIT_BADINPUT;
	}
	l.md = case_lesson_body(l.cb);
	l.md_n = l.cb->lesson_len - (size_t)(l.md - l.cb->lesson);
	l.tty = cli_tty_open(&l.term);
	cli_layout(&co, &l.ly);
	l.st.width = l.ly.width;
	l.st.color = l.ly.color;
	l.st.unicode = l.ly.unicode;
	l.st.absolute = co.absolute;
	l.st.time = co.time;
	l.st.prev_shown_ts = INT64_MIN;
	l.st.show_state = l.st.show_notes = l.st.commentary = 1;
	l.st.fold = 1024;
	sb_init(&l.notice);
	int rc = learn_run(&l, &co, restart);
	for (size_t i = 0; i < l.n; i++) {
		sb_fini(&l.steps[i].bubble);
		sb_fini(&l.steps[i].answer);
	}
	xfree(l.steps);
	xfree(dir_md);
	sb_fini(&l.notice);
	cli_common_fini(&co);
	return rc;
}
