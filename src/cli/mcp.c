/* mcp.c: `chattcp mcp [--root DIR ...] [--export-dir DIR]`: the Model Context Protocol
 * server on standard input and output (src/mcp/), for an AI assistant on this
 * machine; nothing leaves it. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../mcp/server.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cmd_mcp(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, 0);
	struct mcp_captures *caps = mcp_captures_new();
	char export_real[PATH_MAX], *export_dir = NULL;
	const char *o, *v;
	int rc = -1;
	struct strbuf why;
	sb_init(&why);
	while (rc < 0 && (o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "mcp");
		if (c < 0)
			rc = EXIT_USAGE;
		else if (c == CLI_DONE)
			rc = EXIT_OK;
		else if (c)
			continue;
		else if (strcmp(o, "--root") == 0) {
			if (!(v = args_value(&a, "mcp", o)))
				rc = EXIT_USAGE;
			else if (mcp_captures_add_root(caps, v, &why) < 0)
				rc = usage_error("mcp", "%s", why.s);
		} else if (strcmp(o, "--export-dir") == 0) {
			struct stat st;
			if (!(v = args_value(&a, "mcp", o)))
				rc = EXIT_USAGE;
			else if (!realpath(v, export_real) || stat(export_real, &st) < 0 || !S_ISDIR(st.st_mode))
				rc = usage_error("mcp", "--export-dir %s: not a folder", v);
			else
				export_dir = export_real;
		} else
			rc = cli_unknown("mcp", o);
	}
	if (rc < 0 && a.n_positional)
		rc = usage_error("mcp", "unexpected argument %s (captures are opened by the client, under --root DIR)",
				 a.positional[0]);
	if (rc < 0) {
		if (isatty(0))
			fputs("chattcp mcp: speaking the Model Context Protocol on standard input and output "
			      "(JSON-RPC, one message a line); an MCP client starts it (see docs/mcp.md)\n",
			      stderr);
		struct mcp_server *s = mcp_server_new(caps, export_dir);
		rc = mcp_server_run(s, 0, 1) < 0 ? EXIT_SYSTEM : EXIT_OK;
		mcp_server_free(s);
	}
	mcp_captures_free(caps);
	sb_fini(&why);
	cli_common_fini(&co);
	return rc;
}
