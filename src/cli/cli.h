/* cli.h: what the subcommands share: argument scanning, opening a session on the input
 * (a file, '-', or a built-in case:NAME), reporting errors, the output switches. A
 * command is option parsing plus rendering of what the session returns. */
#ifndef CHATTCP_CLI_H
#define CHATTCP_CLI_H

#include "../base/err.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../out/width.h"
#include "../session/session.h"

#include <signal.h>
#include <stdio.h>

/* Positionals a command can take (packet takes two; more are counted, not kept). */
#define ARGS_POSITIONAL_MAX 8

/* The argument scanner: options may come before or after the file; "--opt=value",
 * "--opt value" and "-cN" all work; "--" ends the options. */
struct args {
	int argc;
	char **argv;
	int i;
	const char *positional[ARGS_POSITIONAL_MAX];
	int n_positional; /* may exceed ARGS_POSITIONAL_MAX: only the first are kept */
	const char *pending; /* the value of "--opt=value" or "-cN" just split off */
};

void args_init(struct args *a, int argc, char **argv);
/* Next option name ("--json", "-c") or NULL at the end; positionals are collected. */
const char *args_next(struct args *a);
/* The value of the option just returned (--opt=value, -cN or the next argument); when
 * missing, prints the one-line usage error of cmd and returns NULL. */
const char *args_value(struct args *a, const char *cmd, const char *opt);
/* Prints "chattcp CMD: what (see 'chattcp help CMD')", one line; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_unknown(const char *cmd, const char *opt);
/* Runs `help CMD` (for -h / --help). */
int cli_help_for(const char *cmd);
/* v as a number in lo..hi into *out: 0, or -1 when it is not one. */
int cli_number(const char *v, long lo, long hi, long *out);

/* The options every command shares. --width, --color WHEN (--color=WHEN), --ascii and
 * -h are taken by all; --json, -c/--conn IDS, --relative/--absolute (the numbering of
 * seq, ack and SACK), -t FORMAT (tshark's time formats) and -Y EXPR (a display filter)
 * by the commands that accept them. */
enum { CLI_JSON = 1, CLI_CONN = 2, CLI_NUMBERS = 4, CLI_TIME = 8, CLI_FILTER = 16 };
struct filter;
/* -Y EXPR (cli/filter.c): the compiled display filter, and what it matched while the
 * session ran: a bit per frame number, a count per connection (by conn idx). */
struct cli_yfilter {
	struct filter *f;
	const char *expr;
	uint8_t *bits;
	size_t cap_bits;
	uint32_t *conn_hits;
	size_t cap_hits;
	uint64_t n_match;
	/* called for each matching frame (extract writes it), when set */
	void (*on_match)(void *ctx, const struct sess_frame_view *f);
	void *match_ctx;
};
#define CLI_DONE 2 /* cli_common_opt: the option was -h; the command ends with EXIT_OK */
struct cli_common {
	unsigned accept;
	int width; /* 0 = not given */
	const char *color;
	int ascii, json;
	int absolute;  /* --absolute: sequence numbers as sent (default: relative, as Wireshark) */
	int time;      /* -t: enum fmt_time (out/fmt.h) */
	int time_given;/* -t was given (else the command's default is in time) */
	const char *keylog;  /* --keylog FILE: every command's session decrypts TLS with it */
	struct sess_id *ids; /* -c, in the order typed */
	size_t n_ids, cap_ids;
	struct cli_yfilter y; /* -Y, when CLI_FILTER is accepted (y.f NULL: none given) */
};
void cli_common_init(struct cli_common *c, unsigned accept);
/* The same with the time format the command shows by default (enum fmt_time). */
void cli_common_init_time(struct cli_common *c, unsigned accept, int time_default);
void cli_common_fini(struct cli_common *c);
/* Takes option k when it is a common one: 1 taken, 0 not a common option, CLI_DONE
 * for -h (help was printed), -1 after printing the one-line usage error. */
int cli_common_opt(struct args *a, const char *k, struct cli_common *c, const char *cmd);
/* --plugin FILE, --plugin-port N: 1 taken, -1 error (said), 0 not one of them. */
int cli_plugin_opt(struct args *a, const char *k, const char *cmd);
/* The layout the common options ask for (out/width.h): width, colour, box glyphs. */
void cli_layout(const struct cli_common *c, struct layout *ly);

/* -Y: compiles expr into y; 0, or -1 after the one-line error ("chattcp CMD: -Y:
 * unknown field 'tcp.flag.syn' at 1; did you mean tcp.flags.syn?"). */
int cli_filter_compile(struct cli_yfilter *y, const char *cmd, const char *expr);
/* Makes the session tell y every frame (and run the decoders when the filter reads
 * messages). Nothing when no filter was given. */
void cli_filter_hook(struct cli_yfilter *y, struct session_opts *so);
/* 1 when frame matched (or no filter); the frames of c that matched. */
int cli_filter_frame(const struct cli_yfilter *y, uint32_t frame);
uint32_t cli_filter_conn(const struct cli_yfilter *y, const struct conn *c);
void cli_filter_fini(struct cli_yfilter *y);

/* The output path: everything a command prints to standard output goes through these;
 * a failed write is seen at the end by cli_out_check (called once per command, by
 * cli_finish or the command itself), which makes it exit 3 with one line (a closed
 * pipe, `| head`, ends the process by SIGPIPE before that). */
void cli_write(const void *p, size_t n);
/* Writes b to standard output and empties it. */
void cli_flush(struct strbuf *b);
/* Pushes what stdio holds to the output now (live output). */
void cli_push(void);
/* rc, or EXIT_SYSTEM after one line on stderr when a write failed; call it once. */
int cli_out_check(int rc);

/* The token of the capture agent (agent --token-file, live --remote --token-file): the
 * file's first line, trailing blanks off, CLI_TOKEN_MIN to CLI_TOKEN_MAX printable
 * bytes, from a regular file no one else may read. Returns 0, or -1 after one line on
 * stderr naming cmd and the file. */
#define CLI_TOKEN_MIN 16
#define CLI_TOKEN_MAX 256
int cli_read_token(const char *cmd, const char *path, char *tok, size_t n);

/* Connection ids as typed: "3", "3,5", "2-4", "u0" (UDP conversation 0: udp.stream),
 * "udp:2-4", "tcp:7". Appends them to *ids; returns 0 or -1. */
int cli_parse_conns(const char *s, struct sess_id **ids, size_t *n, size_t *cap);
/* "-c takes connection ids: 3, 3,5, 2-4, u0 (UDP) ..." (one line; EXIT_USAGE). */
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

/* 1 when spec is read as it arrives (a pipe, standard input that is not a file, or
 * follow): the output then follows the capture, packet by packet. */
int cli_is_stream(const char *spec, int follow);
/* The flag Ctrl-C sets, for stream options' stop (installs the handler). */
const volatile sig_atomic_t *cli_stop_flag(void);

/* 1 when color is wanted for mode "auto"/"always"/"never" on stdout. */
int cli_color(const char *mode);
/* 1 when the locale is UTF-8. */
int cli_unicode(void);

int cmd_conns(int argc, char **argv);
int cmd_chat(int argc, char **argv);
/* chat with a first step (case: the lesson): prologue gets the positional and the
 * layout, prints what comes first and sets *spec to the capture to chat; it returns -1
 * to go on, or the exit status. */
typedef int chat_prologue_fn(const char *positional, const struct layout *ly, int json, const char **spec);
int chat_main(int argc, char **argv, const char *cmd, chat_prologue_fn *prologue);
int cmd_packet(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_quiz(int argc, char **argv);
int cmd_lesson(int argc, char **argv);
int cmd_http(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_ui(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_help(int argc, char **argv);
/* Live capture (cli/interfaces.c, cli/live.c, cli/tcpdump_cmd.c), each with its help text. */
int cmd_interfaces(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_tcpdump_cmd(int argc, char **argv);
extern const char help_interfaces[], help_live[], help_tcpdump_cmd[], help_agent[];
/* The general usage (for an unknown command), at the default width. */
void help_usage(FILE *f);

/* The command table: main.c dispatches through it; help, the man page and the shell
 * completions are made from it (`chattcp help --commands`). */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;    /* `help NAME` (NULL: the general usage) */
	const char *options; /* its own options, space-separated (the common ones are added) */
};
extern const struct cli_command cli_commands[];
const struct cli_command *cli_command_find(const char *name);

#endif
