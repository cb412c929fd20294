/* main.c: argv -> subcommand (cli/help.c holds the table), nothing else. */
#include "base/editdist.h"
#include "base/exitcodes.h"
#include "session/session.h"
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A capture where a command should be: an existing file, '-', case:NAME or a name
 * ending like one. */
static int looks_like_capture(const char *s)
{
	struct stat st;
	size_t n = strlen(s);
	if (strcmp(s, "-") == 0 || strncmp(s, "case:", 5) == 0 || stat(s, &st) == 0)
		return 1;
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap", ".gz" };
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t k = strlen(ext[i]);
		if (n > k && strcmp(s + n - k, ext[i]) == 0)
			return 1;
	}
	return 0;
}

static int unknown(const char *cmd)
{
	if (looks_like_capture(cmd)) {
		fprintf(stderr, "chattcp: a command is missing before '%s': e.g. 'chattcp conns %s' or 'chattcp chat %s' "
				"(see 'chattcp help')\n", cmd, cmd, cmd);
		return EXIT_USAGE;
	}
	const char *best = NULL;
	size_t best_d = 3;
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		size_t d = edit_distance(cmd, strlen(cmd), c->name);
		if (d < best_d || (strlen(cmd) >= 3 && strncmp(c->name, cmd, strlen(cmd)) == 0 && !best)) {
			best = c->name;
			best_d = d < best_d ? d : best_d;
		}
	}
	if (best)
		fprintf(stderr, "chattcp: unknown command '%s'; did you mean '%s'? (see 'chattcp help')\n", cmd, best);
	else
		fprintf(stderr, "chattcp: unknown command '%s' (see 'chattcp help')\n", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Output piped into `head` must end quietly, not with a write error. */
	signal(SIGPIPE, SIG_DFL);
	if (argc < 2) {
		char *av[] = { "cases", NULL };
		return cmd_cases(1, av);
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
		return cmd_help(1, argv + 1);
	if (strcmp(cmd, "--version") == 0) {
		puts("chattcp 0.1");
		return cli_out_check(EXIT_OK);
	}
	const struct cli_command *c = cli_command_find(cmd);
	if (c) {
		int rc = c->run(argc - 1, argv + 1);
		/* a plugin that failed (docs/plugins.md): what it could decode was shown */
		return rc == EXIT_OK && session_plugin_errors() ? EXIT_BADINPUT : rc;
	}
	/* Display options and no command ("chattcp --width 80"): the case list, as bare
	 * "chattcp" shows, drawn with them. */
	static const char *const display[] = { "--width", "--color", "--ascii", "--json" };
	for (size_t i = 0; i < sizeof display / sizeof display[0]; i++)
		if (strncmp(cmd, display[i], strlen(display[i])) == 0) {
			argv[0] = "cases";
			return cmd_cases(argc, argv);
		}
	return unknown(cmd);
}
