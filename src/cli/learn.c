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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* One packet of the case, drawn once at the start (cases are small: every bubble kept). */
struct step {
	uint32_t frame;
	struct strbuf bubble;  /* connection header (at its first packet), bubble, tail */
	struct strbuf answer;  /* the question's answer, in words */
	const char *question;  /* NULL: the lesson does not name this frame */
};

/* The terminal as it was (restored on every way out) and whether raw mode is on. */
struct term {
	struct termios saved;
	int raw;
	sigset_t wait_mask; /* the mask while waiting for a key: the caught signals let in */
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
	struct term term;         /* tty: the terminal's modes to restore */
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

/* ---- Progress: the last frame seen, per case ---- */

/* A progress file larger than this is not ours (one short line per case). */
#define LEARN_PROGRESS_MAX (64 * 1024)
/* Case names longer than this are not kept (the built-in names are far shorter). */
#define LEARN_NAME_MAX 64

struct progress {
	char dir[4096];   /* "" when there is no place for it */
	struct strbuf body;/* the file as read, when it was good */
	int warned;       /* a failed save said so once */
};

/* mkdir path with mode 0700 unless it is there; 0 or -1. */
static int mkdir_0700(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* The directory (made when missing, a symlink refused), opened: its fd, or -1. */
static int progress_dir(struct progress *pg)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char base[4096];
	if (xdg && xdg[0] == '/') { /* the XDG rule: a relative path is ignored */
		snprintf(base, sizeof base, "%s", xdg);
	} else if (home && home[0] == '/') {
		snprintf(base, sizeof base, "%s/.local", home);
		mkdir_0700(base);
		snprintf(base, sizeof base, "%s/.local/state", home);
	} else {
		return -1;
	}
	mkdir_0700(base);
	if ((size_t)snprintf(pg->dir, sizeof pg->dir, "%s/chattcp", base) >= sizeof pg->dir)
		return pg->dir[0] = '\0', -1;
	if (mkdir_0700(pg->dir) < 0) {
		fprintf(stderr, "chattcp learn: cannot create %s: %s (progress not kept)\n", pg->dir, strerror(errno));
		pg->dir[0] = '\0';
		return -1;
	}
	struct stat st;
	int fd = -1;
	const char *why = "is not a directory of yours";
	if (lstat(pg->dir, &st) == 0 && S_ISLNK(st.st_mode))
		why = "is a symbolic link";
	else if ((fd = open(pg->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 && fstat(fd, &st) == 0 &&
		 st.st_uid == geteuid())
		why = NULL;
	if (why) {
		fprintf(stderr, "chattcp learn: %s %s (progress not kept)\n", pg->dir, why);
		if (fd >= 0)
			close(fd);
		pg->dir[0] = '\0';
		return -1;
	}
	return fd;
}

/* Reads the progress file into pg->body when it is good ("NAME FRAME" lines); a bad
 * one is ignored with a warning (and replaced at the next save). */
static void progress_load(struct progress *pg, int dfd)
{
	int fd = openat(dfd, "progress", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "chattcp learn: ignoring %s/progress: %s\n", pg->dir, strerror(errno));
		return;
	}
	struct stat st;
	const char *why = NULL;
	char buf[LEARN_PROGRESS_MAX];
	ssize_t got = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > LEARN_PROGRESS_MAX)
		why = "larger than 64 KiB";
	else if ((got = read(fd, buf, sizeof buf)) < 0)
		why = strerror(errno);
	close(fd);
	size_t line = 1;
	for (ssize_t i = 0; !why && i < got; line++) {
		ssize_t j = i, sp = -1;
		while (j < got && buf[j] != '\n') {
			if (buf[j] == ' ' && sp < 0)
				sp = j;
			else if (!(sp < 0 ? (buf[j] > ' ' && buf[j] < 127) : (buf[j] >= '0' && buf[j] <= '9')))
				break;
			j++;
		}
		if (j >= got || buf[j] != '\n' || sp <= i || sp - i > LEARN_NAME_MAX || j - sp < 2 || j - sp > 11)
			why = "a line is not 'CASE FRAME'";
		i = j + 1;
	}
	if (why) {
		fprintf(stderr, "chattcp learn: ignoring %s/progress: %s (line %zu)\n", pg->dir, why, line);
		return;
	}
	sb_add(&pg->body, buf, (size_t)got);
}

/* The frame kept for name, or 0. */
static uint32_t progress_get(const struct progress *pg, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < pg->body.len;) {
		const char *s = pg->body.s + i;
		const char *e = memchr(s, '\n', pg->body.len - i);
		if (!e)
			break;
		if ((size_t)(e - s) > nl && memcmp(s, name, nl) == 0 && s[nl] == ' ')
			return (uint32_t)strtoul(s + nl + 1, NULL, 10);
		i += (size_t)(e - s) + 1;
	}
	return 0;
}

/* Keeps frame for name: the file is written whole to a new file and renamed over the
 * old (never half a file, never through a link). A failure is one warning, once. */
static void progress_save(struct progress *pg, const char *name, uint32_t frame)
{
	if (!pg->dir[0] || strlen(name) > LEARN_NAME_MAX)
		return;
	struct strbuf nb;
	sb_init(&nb);
	size_t nl = strlen(name);
	for (size_t i = 0; i < pg->body.len;) {
		const char *s = pg->body.s + i;
		const char *e = memchr(s, '\n', pg->body.len - i);
		size_t len = (size_t)(e - s) + 1;
		if (!(len > nl + 1 && memcmp(s, name, nl) == 0 && s[nl] == ' '))
			sb_add(&nb, s, len);
		i += len;
	}
	sb_printf(&nb, "%s %u\n", name, frame);
	int dfd = open(pg->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "progress.%ld.tmp", (long)getpid());
	int fd = dfd < 0 ? -1 : openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, nb.s, nb.len) == (ssize_t)nb.len;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok && renameat(dfd, tmp, dfd, "progress") != 0)
		ok = 0;
	if (!ok) {
		if (fd >= 0)
			unlinkat(dfd, tmp, 0);
		if (!pg->warned++)
			fprintf(stderr, "chattcp learn: cannot write %s/progress: %s\n", pg->dir, strerror(errno));
	} else {
		sb_reset(&pg->body);
		sb_add(&pg->body, nb.s, nb.len);
	}
	if (dfd >= 0)
		close(dfd);
	sb_fini(&nb);
}

/* ---- The terminal ---- */

/* The signal that came (0: none). The handler only sets it: the key reader sees it
 * (pselect lets the signals in only while it waits, so none is missed), restores the
 * terminal and then lets the signal do what it does by default. */
static volatile sig_atomic_t learn_signal;

static void on_signal(int sig) { learn_signal = sig; }

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };

static void raw_restore(struct term *t)
{
	if (t->raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t->saved);
		t->raw = 0;
	}
}

static void raw_enter(struct term *t)
{
	struct termios r = t->saved;
	r.c_lflag &= (tcflag_t) ~(ICANON | ECHO); /* keys at once, unechoed; ^C still a signal */
	r.c_cc[VMIN] = 1;
	r.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &r) == 0)
		t->raw = 1;
}

/* Catches the signals that end or stop the process (blocked but while waiting). */
static void signals_catch(struct term *t)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigset_t block;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++) {
		sigaction(caught[i], &sa, NULL);
		sigaddset(&block, caught[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &t->wait_mask);
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++)
		sigdelset(&t->wait_mask, caught[i]);
}

/* A caught signal: the terminal as it was, then the signal's default action. After a
 * stop (^Z, then fg) raw mode again, and the screen is drawn again. */
static void signal_take(struct term *t)
{
	int sig = learn_signal;
	learn_signal = 0;
	int was = t->raw;
	raw_restore(t);
	signal(sig, SIG_DFL);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL); /* delivered now: the process ends or stops here */
	sigprocmask(SIG_BLOCK, &one, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(sig, &sa, NULL);
	if (was)
		raw_enter(t);
}

enum key { K_NEXT, K_BACK, K_QUIT, K_OTHER, K_REDRAW };

/* One key press on the terminal (t: raw mode). */
static enum key term_key(struct term *t)
{
	char buf[64];
	for (;;) {
		fd_set in;
		FD_ZERO(&in);
		FD_SET(STDIN_FILENO, &in);
		int r = pselect(STDIN_FILENO + 1, &in, NULL, NULL, NULL, &t->wait_mask);
		if (learn_signal) {
			signal_take(t);
			return K_REDRAW;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return K_QUIT;
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
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
}

/* The next key: on a terminal one key press; otherwise one line ("" or n: next, b, q);
 * the end of input is q. */
static enum key read_key(struct term *t)
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
static size_t step_loop(struct learn *l, struct progress *pg, size_t at)
{
	size_t i = at;
	int asking = at == 0 && l->steps[0].question, answered = 0;
	for (;;) {
		if (asking)
			show_question(l, i);
		else
			show_packet(l, i, answered);
		if (!asking)
			progress_save(pg, l->cb->name, l->steps[i].frame);
		enum key k = read_key(l->tty ? &l->term : NULL);
		if (k == K_REDRAW)
			continue;
		if (k == K_QUIT) {
			if (asking && i)
				i--;
			progress_save(pg, l->cb->name, l->steps[i].frame);
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
	struct progress pg;
	memset(&pg, 0, sizeof pg);
	sb_init(&pg.body);
	int dfd = progress_dir(&pg);
	if (dfd >= 0) {
		progress_load(&pg, dfd);
		close(dfd);
	}
	size_t at = 0;
	uint32_t kept = restart ? 0 : progress_get(&pg, l->cb->name);
	while (kept && at + 1 < l->n && l->steps[at].frame < kept)
		at++;
	if (kept && l->steps[at].frame == kept && at + 1 < l->n)
		sb_printf(&l->notice, "Welcome back: you stopped at frame %u (--restart starts over).\n", kept);
	else
		at = 0;
	if (l->tty) {
		signals_catch(&l->term);
		raw_enter(&l->term);
	}
	size_t last = step_loop(l, &pg, at);
	raw_restore(&l->term);
	struct strbuf b, w;
	sb_init(&b);
	sb_init(&w);
	if (last == l->n) {
		progress_save(&pg, l->cb->name, 0); /* done: the next time starts at the beginning */
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
	sb_fini(&pg.body);
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
	l.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && tcgetattr(STDIN_FILENO, &l.term.saved) == 0;
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
