/* cli.h: what the subcommands share: argument scanning, opening a session on the input
 * (a file, '-', or a built-in case:NAME), reporting errors, the output switches. A
 * command is option parsing plus rendering of what the session returns. */
#ifndef CHATTCP_CLI_H
#define CHATTCP_CLI_H

#include "../base/err.h"
#include "../base/strbuf.h"
#include "../session/session.h"

#include <signal.h>
#include <stdio.h>

/* A tiny argument scanner: options may come before or after the file. */
struct args {
	int argc;
	char **argv;
	int i;
	const char *positional[8];
	int n_positional;
	const char *pending; /* the value of "--opt=value" just split off */
};

void args_init(struct args *a, int argc, char **argv);
/* Next option name ("--json", "-c") or NULL at the end; positionals are collected. */
const char *args_next(struct args *a);
/* The value of the option just returned (--opt=value or the next argument);
 * prints a usage error and returns NULL when missing. */
const char *args_value(struct args *a, const char *opt);
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs `help CMD` (for -h / --help). */
int cli_help_for(const char *cmd);

/* Connection ids as typed: "3", "3,5", "2-4", "u0" (UDP conversation 0: udp.stream),
 * "udp:2-4", "tcp:7". Appends them to *ids; returns 0 or -1. */
int cli_parse_conns(const char *s, struct sess_id **ids, size_t *n, size_t *cap);
/* "-c takes connection ids: 3, 3,5, 2-4, u0 (UDP) ..." */
int cli_conns_usage(const char *cmd);

/* A new session on spec (FILE, '-' or case:NAME), with the connections sel lists
 * selected. On failure prints the one-line error, frees the session and returns NULL
 * with *rc set to the exit status. */
struct session *cli_session(const struct session_opts *o, const char *spec, const struct sess_id *sel,
			    size_t n_sel, int *rc);
/* Runs the session to its end (reading stops early at damage: cli_finish says so). */
void cli_run(struct session *s);
/* After the output: checks it was written, prints the error that stopped reading (one
 * line: what, where, how much was read before), frees the session; returns the exit
 * status (rc, or 2 for damaged input, 3 for a write or memory failure). */
int cli_finish(struct session *s, int rc);
/* 1 when every selected id exists; otherwise prints which one does not and returns 0. */
int cli_check_ids(struct session *s, const struct sess_id *ids, size_t n);
/* Writes b to standard output and empties it (a write error is seen by cli_finish). */
void cli_flush(struct strbuf *b);

/* 1 when spec is read as it arrives (a pipe, standard input that is not a file, or
 * follow): the output then follows the capture, packet by packet. */
int cli_is_stream(const char *spec, int follow);
/* The flag Ctrl-C sets, for stream options' stop (installs the handler). */
const volatile sig_atomic_t *cli_stop_flag(void);

/* 1 when color is wanted for mode "auto"/"always"/"never" on stdout. */
int cli_color(const char *mode);
int cli_term_width(void);
/* 1 when the locale is UTF-8. */
int cli_unicode(void);

int cmd_conns(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_packet(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_http(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_ui(int argc, char **argv);
int cmd_help(int argc, char **argv);
/* Live capture (cli/interfaces.c, cli/live.c, cli/tcpdump_cmd.c), each with its help text. */
int cmd_interfaces(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_tcpdump_cmd(int argc, char **argv);
extern const char help_interfaces[], help_live[], help_tcpdump_cmd[];
void help_usage(FILE *f);

#endif
