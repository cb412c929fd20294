/* main.c: argv -> subcommand, nothing else. */
#include "base/exitcodes.h"
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "conns", cmd_conns },
	{ "chat", cmd_chat },
	{ "packet", cmd_packet },
	{ "diag", cmd_diag },
	{ "stats", cmd_stats },
	{ "cases", cmd_cases },
	{ "case", cmd_cases },
	{ "http", cmd_http },
	{ "stream", cmd_stream },
	{ "export", cmd_export },
	{ "events", cmd_events },
	{ "ui", cmd_ui },
	{ "interfaces", cmd_interfaces },
	{ "live", cmd_live },
	{ "tcpdump-cmd", cmd_tcpdump_cmd },
	{ "help", cmd_help },
};

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
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "chattcp: unknown command '%s'\n\n", cmd);
	help_usage(stderr);
	return EXIT_USAGE;
}
