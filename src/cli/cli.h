/* cli.h: what the subcommands share: argument scanning, opening the input (a file
 * or a built-in case:NAME), reporting errors, the output switches. */
#ifndef CHATTCP_CLI_H
#define CHATTCP_CLI_H

#include "../base/err.h"
#include "../engine/engine.h"

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

/* Opens FILE, "-" or case:NAME into en. Prints the error and returns -1 on failure. */
int cli_open(struct engine *en, const char *spec);
/* Runs the engine; when the capture is damaged part-way, remembers it so that
 * cli_finish() prints the one-line error after the output and exits 2. */
void cli_run(struct engine *en);
int cli_finish(struct engine *en, int rc);
/* Prints "chattcp: message" on stderr. */
void cli_error(const struct err *e);
/* 1 when color is wanted for mode "auto"/"always"/"never" on stdout. */
int cli_color(const char *mode);
int cli_term_width(void);
/* Parses a list of connection ids "3", "3,5", "2-4"; returns 0 or -1. */
int cli_parse_ids(const char *s, uint32_t **ids, size_t *n, size_t *cap);

int cmd_conns(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_packet(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_http(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_help(int argc, char **argv);
void help_usage(FILE *f);

#endif
