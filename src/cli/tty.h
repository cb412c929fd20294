/* tty.h: the interactive commands' terminal (learn, quiz): keys at once and unechoed
 * (raw mode), the modes as they were restored on every way out, signals too. The
 * signals that end or stop the process are caught while a key is awaited: the terminal
 * is restored, then the signal does what it does by default; after a stop (^Z, fg) and
 * after a resize (SIGWINCH) the caller is told to draw the screen again. */
#ifndef CHATTCP_CLI_TTY_H
#define CHATTCP_CLI_TTY_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

struct cli_tty {
	struct termios saved;
	int raw;
	sigset_t wait_mask; /* the mask while waiting for a key: the caught signals let in */
};

/* 1 when standard input and output are a terminal (its modes saved in t), else 0. */
int cli_tty_open(struct cli_tty *t);
/* Catches the signals, then raw mode. */
void cli_tty_raw(struct cli_tty *t);
/* The modes as they were (again raw with cli_tty_raw). */
void cli_tty_restore(struct cli_tty *t);
/* One read of what the keys sent into buf: the bytes (> 0); 0 at the end of input or
 * on an error; CLI_TTY_REDRAW after a stop and continue or a resize. */
#define CLI_TTY_REDRAW (-1)
ssize_t cli_tty_read(struct cli_tty *t, char *buf, size_t n);
/* The terminal's columns now, or 0 when it does not say. */
int cli_tty_columns(void);

#endif
