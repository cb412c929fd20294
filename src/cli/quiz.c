/* quiz.c: `chattcp quiz NAME` (a case, case:DIR, or FILE with -c ID): the chat with its
 * notes and states hidden; before each packet of interest a question (the sender's
 * next state, the flags, the seq or the ack number) that the session's quiz model
 * (session/quiz.h) asks and answers from chattcp's own analysis; then right or wrong,
 * and the packet revealed with its state and note, which explain the answer. A score
 * at the end; q quits with the score so far. On a terminal a choice is one key, a
 * number is typed and ends with Enter; a resize draws the screen again at the new
 * width. --answers FILE ('-': standard input) takes one answer a line instead, for
 * scripts; without either, standard input that is not a terminal is an error. The best
 * score of each case is kept in $XDG_STATE_HOME/chattcp/quiz, next to learn's progress. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../cases/cases.h"
#include "../out/chat_term.h"
#include "../out/fmt.h"
#include "../out/term_text.h"
#include "../session/quiz.h"
#include "statefile.h"
#include "tty.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Packets a quiz holds: a case is tens to hundreds; a capture this big is not a quiz
 * but a chat, and the user is told to pick a connection (-c). */
#define QUIZ_PACKETS_MAX 20000
/* Bubbles shown before a question on a terminal: the packets since the last question,
 * the last few of them (a screen, not a scroll; the count of the others is said). */
#define QUIZ_CONTEXT 6
/* Digits of a typed number: a sequence number has at most 10. */
#define QUIZ_DIGITS 10

struct qstep {
	uint32_t frame;
	struct strbuf hidden; /* connection header (at its first packet) and the bubble,
			       * without state and note */
	struct strbuf shown;  /* the bubble with its state, note and commentary */
	struct strbuf note;   /* the note's words, escaped */
	uint32_t conn_id;     /* its TCP connection's id (tcp.stream) */
	int asked;
	struct quiz_q q;
};

struct qz {
	const char *title;      /* what the top line calls it: the case's name or the file */
	const char *spec;       /* the capture as chat opens it */
	const char *keep_as;    /* the best score's name in the state file, NULL: not kept */
	struct session *s;
	const struct cli_common *co;
	struct layout ly;
	struct qstep *steps;
	size_t n, cap, n_questions;
	int multi;              /* several connections: each bubble names its connection */
	/* drawing: */
	struct chat_style st;
	const struct conn *prev_c;
	struct quiz quiz;
	int first_draw;
	/* answering: */
	int tty;
	struct cli_tty term;
	FILE *answers;          /* --answers: one answer a line */
	size_t asked, right;
};

static const char *side_name(int dir) { return dir ? "server" : "client"; }

/* ---- Drawing the steps (again after a resize) ---- */

static int by_frame(const void *a, const void *b)
{
	const struct qstep *x = a, *y = b;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct qz *z = ctx;
	if (z->first_draw) {
		if (z->n == z->cap)
			xgrow(&z->steps, &z->cap, z->n + 1, sizeof *z->steps);
		struct qstep *sp = &z->steps[z->n++];
		memset(sp, 0, sizeof *sp);
		sb_init(&sp->hidden);
		sb_init(&sp->shown);
		sb_init(&sp->note);
		sp->frame = p->r->frame;
		sp->conn_id = p->c->id;
		sp->asked = quiz_ask(&z->quiz, z->s, p, &sp->q);
		z->n_questions += (size_t)sp->asked;
		if (p->note.text)
			term_text_str(&sp->note, p->note.text);
	}
	struct qstep key = { .frame = p->r->frame }, *sp;
	if (z->first_draw)
		sp = &z->steps[z->n - 1];
	else if (!(sp = bsearch(&key, z->steps, z->n, sizeof *z->steps, by_frame)))
		return;
	sb_reset(&sp->hidden);
	sb_reset(&sp->shown);
	if (p->c != z->prev_c) {
		char stack[128];
		session_conn_stack(z->s, p->c, stack, sizeof stack);
		chat_conn_header(&sp->hidden, &z->st, p->c, stack);
		sb_add(&sp->shown, sp->hidden.s, sp->hidden.len);
	}
	z->prev_c = p->c;
	z->st.show_state = z->st.show_notes = z->st.commentary = 0;
	chat_bubble(&sp->hidden, &z->st, p);
	z->st.show_state = z->st.show_notes = z->st.commentary = 1;
	chat_bubble(&sp->shown, &z->st, p);
}

/* Draws every step at the layout's width (the first time also makes them and their
 * questions). Steps are kept in frame order, so a case of several connections is told
 * in the order it happened; a redraw finds each packet's step by its frame. */
static void draw_steps(struct qz *z)
{
	cli_layout(z->co, &z->ly);
	z->st.width = z->ly.width;
	z->st.color = z->ly.color;
	z->st.unicode = z->ly.unicode;
	z->st.prev_shown_ts = INT64_MIN;
	z->prev_c = NULL;
	size_t nc;
	const struct conn *const *all = session_conns(z->s, &nc);
	if (z->first_draw) {
		for (size_t i = 0; i < nc; i++)
			if (session_selected(z->s, all[i]))
				session_walk(z->s, all[i], on_packet, NULL, z);
		qsort(z->steps, z->n, sizeof *z->steps, by_frame);
		z->first_draw = 0;
		return;
	}
	for (size_t i = 0; i < nc; i++)
		if (session_selected(z->s, all[i]))
			session_walk(z->s, all[i], on_packet, NULL, z);
}

/* ---- Words ---- */

static void choice_text(struct strbuf *b, const struct quiz_q *q, size_t i)
{
	if (q->kind == QUIZ_STATE)
		sb_puts(b, tcp_state_name((int)q->choice[i]));
	else
		fmt_tcp_flags(b, (uint16_t)q->choice[i], "+");
}

/* The right answer in words. */
static void answer_text(struct strbuf *b, const struct quiz_q *q)
{
	if (q->n_choices)
		choice_text(b, q, q->right);
	else
		sb_printf(b, "%u", q->value);
}

static void prompt_text(struct qz *z, struct strbuf *b, const struct qstep *sp)
{
	const struct quiz_q *q = &sp->q;
	const char *who = side_name(q->dir);
	const char *num = z->co->absolute ? "as sent" : "relative";
	char where[64] = "";
	if (z->multi)
		snprintf(where, sizeof where, " (connection %u)", sp->conn_id);
	switch (q->kind) {
	case QUIZ_STATE:
		sb_printf(b, "Frame %u%s: the %s sends the next packet. What is the %s's TCP state after it?", sp->frame, where, who,
			  who);
		break;
	case QUIZ_FLAGS:
		sb_printf(b, "Frame %u%s: the %s sends the next packet. Which flags does it carry?", sp->frame, where, who);
		break;
	case QUIZ_SEQ:
		sb_printf(b, "Frame %u%s: the %s sends %u byte%s of data. What is its sequence number (%s)?",
			  sp->frame, where, who, q->len, q->len == 1 ? "" : "s", num);
		break;
	default:
		sb_printf(b, "Frame %u%s: the %s sends the next packet%s. What acknowledgement number does it carry (%s)?",
			  sp->frame, where, who, q->len ? ", with data" : "", num);
		break;
	}
}

static void wrap(struct qz *z, struct strbuf *b, const char *s)
{
	width_wrap(b, s, strlen(s), (size_t)z->ly.width, 0, "");
}

static void screen_top(struct qz *z, struct strbuf *b, size_t qnum)
{
	if (z->tty)
		sb_puts(b, "\033[H\033[2J");
	else
		sb_putc(b, '\n');
	struct strbuf top;
	sb_init(&top);
	sb_puts(&top, "Quiz ");
	term_text_str(&top, z->title);
	sb_printf(&top, " - question %zu of %zu - score %zu of %zu", qnum, z->n_questions, z->right, z->asked);
	wrap(z, b, top.s);
	sb_fini(&top);
	sb_putc(b, '\n');
}

/* The question screen: the packets since the last question (notes and states hidden),
 * then the question and its choices; typed: the digits so far. */
static void show_question(struct qz *z, size_t from, size_t i, size_t qnum, const char *typed)
{
	struct strbuf b, t;
	sb_init(&b);
	sb_init(&t);
	screen_top(z, &b, qnum);
	size_t start = from;
	if (z->tty && i - from > QUIZ_CONTEXT)
		start = i - QUIZ_CONTEXT;
	if (start > from) {
		sb_printf(&t, "(%zu packets before these, notes hidden; 'chattcp chat' shows them all)", start - from);
		wrap(z, &b, t.s);
		sb_reset(&t);
	}
	for (size_t j = start; j < i; j++)
		sb_add(&b, z->steps[j].hidden.s, z->steps[j].hidden.len);
	sb_putc(&b, '\n');
	struct qstep *sp = &z->steps[i];
	sb_puts(&t, "Question: ");
	prompt_text(z, &t, sp);
	wrap(z, &b, t.s);
	const struct quiz_q *q = &sp->q;
	for (size_t c = 0; c < q->n_choices; c++) {
		sb_reset(&t);
		sb_printf(&t, "  %c) ", (char)('a' + c));
		choice_text(&t, q, c);
		wrap(z, &b, t.s);
	}
	sb_putc(&b, '\n');
	if (!z->tty) {
		/* a script's transcript: the answer follows */
	} else if (q->n_choices)
		wrap(z, &b, "Press a-d (or 1-4) to answer, q to quit.");
	else {
		wrap(z, &b, "Type the number and press Enter (q quits).");
		sb_printf(&b, "> %s", typed ? typed : "");
	}
	cli_flush(&b);
	cli_push();
	sb_fini(&b);
	sb_fini(&t);
}

/* The verdict screen: right or wrong, the packet revealed, its note. */
static void show_verdict(struct qz *z, size_t i, size_t qnum, int right, const char *said)
{
	struct qstep *sp = &z->steps[i];
	struct strbuf b, t;
	sb_init(&b);
	sb_init(&t);
	if (z->tty) {
		screen_top(z, &b, qnum);
		sb_puts(&t, "Question: ");
		prompt_text(z, &t, sp);
		wrap(z, &b, t.s);
		sb_reset(&t);
	} else {
		sb_printf(&t, "Your answer: %s", said);
		wrap(z, &b, t.s);
		sb_reset(&t);
	}
	if (right) {
		sb_puts(&t, "Right: ");
		answer_text(&t, &sp->q);
	} else {
		sb_puts(&t, "Wrong: the answer is ");
		answer_text(&t, &sp->q);
		sb_printf(&t, ", not %s", said);
	}
	sb_putc(&t, '.');
	if (sp->note.len)
		sb_printf(&t, " chattcp's note: %s.", sp->note.s);
	wrap(z, &b, t.s);
	sb_putc(&b, '\n');
	sb_add(&b, sp->shown.s, sp->shown.len);
	if (z->tty)
		wrap(z, &b, "\nAny key: go on, q: quit.");
	cli_flush(&b);
	cli_push();
	sb_fini(&b);
	sb_fini(&t);
}

/* ---- Answers ---- */

enum { A_ANSWER, A_QUIT, A_REDRAW };

/* Letters and digits only, upper case: "syn ack", "SYN+ACK" and "Syn-Ack" are one. */
static void squash(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 1 < n; s++)
		if (isalnum((unsigned char)*s))
			out[k++] = (char)toupper((unsigned char)*s);
	out[k] = 0;
}

/* A typed answer (a line of --answers): the choice's letter, its number, its words, or
 * the number asked for. 1 with *v, or 0 when it is none of these. */
static int parse_answer(const struct quiz_q *q, const char *line, uint32_t *v)
{
	char sq[64];
	squash(line, sq, sizeof sq);
	if (!sq[0])
		return 0;
	if (q->n_choices) {
		if (!sq[1] && sq[0] >= 'A' && sq[0] < 'A' + q->n_choices)
			return *v = (uint32_t)(sq[0] - 'A'), 1;
		if (!sq[1] && sq[0] >= '1' && sq[0] < '1' + q->n_choices)
			return *v = (uint32_t)(sq[0] - '1'), 1;
		for (size_t c = 0; c < q->n_choices; c++) {
			struct strbuf t;
			sb_init(&t);
			choice_text(&t, q, c);
			char ct[64];
			squash(t.s, ct, sizeof ct);
			sb_fini(&t);
			if (strcmp(ct, sq) == 0)
				return *v = (uint32_t)c, 1;
		}
		return 0;
	}
	long x;
	if (cli_number(sq, 0, UINT32_MAX, &x) < 0)
		return 0;
	*v = (uint32_t)x;
	return 1;
}

/* The answer's words as said ("SYN_SENT", "1449"). */
static void said_text(struct strbuf *b, const struct quiz_q *q, uint32_t v)
{
	if (q->n_choices)
		choice_text(b, q, v);
	else
		sb_printf(b, "%u", v);
}

/* One line of --answers: A_ANSWER with *v (*ok 0: not an answer, counted wrong),
 * A_QUIT for q or the end of the input. */
static int script_answer(struct qz *z, const struct quiz_q *q, uint32_t *v, int *ok, struct strbuf *said)
{
	char line[256];
	if (!fgets(line, sizeof line, z->answers))
		return A_QUIT;
	size_t len = strlen(line);
	int whole = len && line[len - 1] == '\n';
	while (!whole) { /* the rest of a long line */
		char rest[256];
		if (!fgets(rest, sizeof rest, z->answers))
			break;
		whole = rest[strlen(rest) - 1] == '\n';
	}
	line[strcspn(line, "\r\n")] = 0;
	if (strcmp(line, "q") == 0)
		return A_QUIT;
	*ok = parse_answer(q, line, v);
	if (*ok)
		said_text(said, q, *v);
	else {
		sb_puts(said, "'");
		term_text_str(said, line);
		sb_puts(said, "' (not an answer)");
	}
	return A_ANSWER;
}

/* An answer on the terminal: one key for a choice; digits, then Enter, for a number.
 * typed keeps the digits across a redraw. */
static int tty_answer(struct qz *z, const struct quiz_q *q, uint32_t *v, char *typed)
{
	char buf[64];
	for (;;) {
		ssize_t n = cli_tty_read(&z->term, buf, sizeof buf);
		if (n == CLI_TTY_REDRAW)
			return A_REDRAW;
		if (n <= 0)
			return A_QUIT;
		if (buf[0] == 27 && n > 1)
			continue; /* an arrow or function key */
		for (ssize_t k = 0; k < n; k++) {
			char c = buf[k];
			if (c == 'q' || c == 'Q' || c == 4 || c == 27)
				return A_QUIT;
			if (q->n_choices) {
				int lc = tolower((unsigned char)c);
				if (lc >= 'a' && lc < 'a' + q->n_choices)
					return *v = (uint32_t)(lc - 'a'), A_ANSWER;
				if (c >= '1' && c < '1' + q->n_choices)
					return *v = (uint32_t)(c - '1'), A_ANSWER;
				continue;
			}
			size_t tl = strlen(typed);
			if (c >= '0' && c <= '9' && tl < QUIZ_DIGITS) {
				typed[tl] = c;
				typed[tl + 1] = 0;
				cli_write(&c, 1);
				cli_push();
			} else if ((c == 127 || c == 8) && tl) {
				typed[tl - 1] = 0;
				cli_write("\b \b", 3);
				cli_push();
			} else if ((c == '\r' || c == '\n') && tl) {
				long x;
				if (cli_number(typed, 0, UINT32_MAX, &x) < 0)
					continue;
				*v = (uint32_t)x;
				return A_ANSWER;
			}
		}
	}
}

/* After a verdict on the terminal: any key goes on; q quits. 1 to go on. */
static int tty_go_on(struct qz *z, size_t i, size_t qnum, int right, const char *said)
{
	char buf[64];
	for (;;) {
		ssize_t n = cli_tty_read(&z->term, buf, sizeof buf);
		if (n == CLI_TTY_REDRAW) {
			draw_steps(z);
			show_verdict(z, i, qnum, right, said);
			continue;
		}
		if (n <= 0)
			return 0;
		return !(buf[0] == 'q' || buf[0] == 'Q' || buf[0] == 4 || (buf[0] == 27 && n == 1));
	}
}

/* The quiz: 1 when it went to the end, 0 when the learner quit. */
static int quiz_loop(struct qz *z)
{
	size_t from = 0, qnum = 0;
	for (size_t i = 0; i < z->n; i++) {
		struct qstep *sp = &z->steps[i];
		if (!sp->asked)
			continue;
		qnum++;
		char typed[QUIZ_DIGITS + 1] = "";
		uint32_t v = 0;
		int ok = 1, a;
		struct strbuf said;
		sb_init(&said);
		for (;;) {
			show_question(z, from, i, qnum, typed);
			a = z->tty ? tty_answer(z, &sp->q, &v, typed) : script_answer(z, &sp->q, &v, &ok, &said);
			if (a != A_REDRAW)
				break;
			draw_steps(z);
		}
		if (a == A_QUIT) {
			sb_fini(&said);
			return 0;
		}
		if (z->tty)
			said_text(&said, &sp->q, v);
		int right = ok && quiz_right(&sp->q, v);
		z->asked++;
		z->right += (size_t)right;
		show_verdict(z, i, qnum, right, said.s);
		int on = !z->tty || tty_go_on(z, i, qnum, right, said.s);
		sb_fini(&said);
		if (!on)
			return 0;
		from = i + 1;
	}
	/* the packets after the last question */
	struct strbuf b;
	sb_init(&b);
	if (from < z->n) {
		sb_putc(&b, '\n');
		for (size_t j = from; j < z->n; j++)
			sb_add(&b, z->steps[j].shown.s, z->steps[j].shown.len);
	}
	cli_flush(&b);
	sb_fini(&b);
	return 1;
}

/* ---- The command ---- */

/* The end: the score, the best kept (for a case), where to go next. */
static void finish_words(struct qz *z, int done)
{
	struct statefile sf;
	uint32_t best = 0, before = 0;
	int had = 0;
	if (z->keep_as && z->asked) { /* a quiz quit before its first answer is no score */
		statefile_open(&sf, "quiz", "quiz");
		had = statefile_get(&sf, z->keep_as, &before);
		best = had && before > z->right ? before : (uint32_t)z->right;
		if (!had || z->right > before)
			statefile_set(&sf, z->keep_as, (uint32_t)z->right);
		statefile_close(&sf);
	}
	struct strbuf b, w;
	sb_init(&b);
	sb_init(&w);
	if (done)
		sb_printf(&w, "The end of the quiz. Score: %zu of %zu.", z->right, z->n_questions);
	else
		sb_printf(&w, "Stopped after %zu of %zu questions. Score so far: %zu of %zu.", z->asked, z->n_questions,
			  z->right, z->asked);
	if (z->keep_as && z->asked && had && z->right > before)
		sb_printf(&w, " A new best (it was %u).", before);
	if (z->keep_as && (z->asked || had))
		sb_printf(&w, " Best so far: %u of %zu.", best, z->n_questions);
	sb_puts(&w, " 'chattcp chat ");
	term_text_str(&w, z->spec);
	sb_puts(&w, "' shows every note.");
	sb_putc(&b, '\n');
	width_wrap(&b, w.s, w.len, (size_t)z->ly.width, 0, "");
	if (b.s[b.len - 1] != '\n')
		sb_putc(&b, '\n');
	cli_flush(&b);
	sb_fini(&b);
	sb_fini(&w);
}

static int quiz_run(struct qz *z, const char *spec, const struct cli_common *co)
{
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.keep = SESS_KEEP_PACKETS;
	so.app = 1;
	so.commentary = 1;
	so.absolute = co->absolute;
	so.keylog = co->keylog;
	int rc;
	z->s = cli_session(&so, spec, co->ids, co->n_ids, &rc);
	if (!z->s)
		return rc;
	cli_run(z->s);
	if (!cli_check_ids(z->s, co->ids, co->n_ids))
		return cli_finish(z->s, EXIT_USAGE);
	size_t nc, n_sel = 0;
	uint64_t packets = 0;
	const struct conn *const *all = session_conns(z->s, &nc);
	for (size_t i = 0; i < nc; i++)
		if (session_selected(z->s, all[i])) {
			n_sel++;
			packets += all[i]->pkts[0] + all[i]->pkts[1];
		}
	if (packets > QUIZ_PACKETS_MAX) {
		fprintf(stderr,
			"chattcp quiz: %s: %" PRIu64 " packets are too many for a quiz (at most %d); pick a connection "
			"with -c ID ('chattcp conns' lists them)\n",
			session_name(z->s), packets, QUIZ_PACKETS_MAX);
		return cli_finish(z->s, EXIT_USAGE);
	}
	z->multi = n_sel > 1;
	z->st.tag_conn = z->multi;
	z->st.absolute = co->absolute;
	z->st.time = co->time;
	z->st.fold = 1024;
	z->first_draw = 1;
	quiz_init(&z->quiz);
	draw_steps(z);
	if (!z->n_questions) {
		struct strbuf m;
		sb_init(&m);
		sb_puts(&m, "chattcp quiz: ");
		term_text_str(&m, session_name(z->s));
		sb_puts(&m, " has no TCP packets to ask about\n");
		fputs(m.s, stderr);
		sb_fini(&m);
		return cli_finish(z->s, EXIT_BADINPUT);
	}
	if (z->tty)
		cli_tty_raw(&z->term);
	int done = quiz_loop(z);
	cli_tty_restore(&z->term);
	finish_words(z, done);
	return cli_finish(z->s, EXIT_OK);
}

int cmd_quiz(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init_time(&co, CLI_CONN | CLI_NUMBERS | CLI_TIME, FMT_T_REL);
	const char *answers = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "quiz");
		if (c < 0)
			return cli_common_fini(&co), EXIT_USAGE;
		if (c == CLI_DONE)
			return cli_common_fini(&co), EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--answers") == 0) {
			if (!(answers = args_value(&a, "quiz", o)))
				return cli_common_fini(&co), EXIT_USAGE;
		} else {
			cli_common_fini(&co);
			return cli_unknown("quiz", o);
		}
	}
	if (a.n_positional != 1) {
		cli_common_fini(&co);
		return usage_error("quiz", "expected one case name, case:DIR or capture file (see 'chattcp cases')");
	}
	struct qz z;
	memset(&z, 0, sizeof z);
	z.co = &co;
	const char *arg = a.positional[0];
	const char *name = strncmp(arg, "case:", 5) == 0 ? arg + 5 : arg;
	char spec[4200];
	if (case_find(name)) { /* a built-in case: its best score is kept */
		snprintf(spec, sizeof spec, "case:%s", name);
		z.title = name;
		z.keep_as = name;
	} else if (name != arg) { /* case:DIR */
		snprintf(spec, sizeof spec, "%s", arg);
		z.title = arg;
		z.keep_as = strlen(arg) <= STATEFILE_NAME_MAX && !strpbrk(arg, " \t") ? arg : NULL;
	} else {
		snprintf(spec, sizeof spec, "%s", arg);
		z.title = arg;
	}
	z.tty = !answers && cli_tty_open(&z.term);
	if (!answers && !z.tty) {
		cli_common_fini(&co);
		fprintf(stderr, "chattcp quiz: standard input and output are not a terminal: give the answers with "
				"--answers FILE (one a line, '-': standard input)\n");
		return EXIT_USAGE;
	}
	if (answers) {
		z.answers = strcmp(answers, "-") == 0 ? stdin : fopen(answers, "r");
		if (!z.answers) {
			fprintf(stderr, "chattcp quiz: %s: %s\n", answers, strerror(errno));
			cli_common_fini(&co);
			return EXIT_USAGE;
		}
	}
	z.spec = spec;
	int rc = quiz_run(&z, spec, &co);
	for (size_t i = 0; i < z.n; i++) {
		sb_fini(&z.steps[i].hidden);
		sb_fini(&z.steps[i].shown);
		sb_fini(&z.steps[i].note);
	}
	xfree(z.steps);
	if (z.answers && z.answers != stdin)
		fclose(z.answers);
	cli_common_fini(&co);
	return rc;
}
