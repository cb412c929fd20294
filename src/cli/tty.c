/* tty.c: see tty.h. */
#include "tty.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

/* The signal that came (0: none). The handler only sets it: the key reader sees it
 * (pselect lets the signals in only while it waits, so none is missed). */
static volatile sig_atomic_t tty_signal;

static void on_signal(int sig) { tty_signal = sig; }

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGWINCH };

int cli_tty_open(struct cli_tty *t)
{
	memset(t, 0, sizeof *t);
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && tcgetattr(STDIN_FILENO, &t->saved) == 0;
}

void cli_tty_restore(struct cli_tty *t)
{
	if (t->raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t->saved);
		t->raw = 0;
	}
}

static void raw_enter(struct cli_tty *t)
{
	struct termios r = t->saved;
	r.c_lflag &= (tcflag_t) ~(ICANON | ECHO); /* keys at once, unechoed; ^C still a signal */
	r.c_cc[VMIN] = 1;
	r.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &r) == 0)
		t->raw = 1;
}

/* Catches the signals (blocked but while waiting). */
static void signals_catch(struct cli_tty *t)
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

void cli_tty_raw(struct cli_tty *t)
{
	signals_catch(t);
	raw_enter(t);
}

/* A caught signal: the terminal as it was, then the signal's default action. After a
 * stop (^Z, then fg) raw mode again. A resize only asks for a redraw. */
static void signal_take(struct cli_tty *t)
{
	int sig = tty_signal;
	tty_signal = 0;
	if (sig == SIGWINCH)
		return;
	int was = t->raw;
	cli_tty_restore(t);
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

ssize_t cli_tty_read(struct cli_tty *t, char *buf, size_t n)
{
	for (;;) {
		fd_set in;
		FD_ZERO(&in);
		FD_SET(STDIN_FILENO, &in);
		int r = pselect(STDIN_FILENO + 1, &in, NULL, NULL, NULL, &t->wait_mask);
		if (tty_signal) {
			signal_take(t);
			return CLI_TTY_REDRAW;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 0;
		ssize_t got = read(STDIN_FILENO, buf, n);
		if (got < 0 && errno == EINTR)
			continue;
		return got < 0 ? 0 : got;
	}
}

int cli_tty_columns(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}
