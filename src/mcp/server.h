/* server.h: the MCP server of `chattcp mcp`: newline-delimited JSON-RPC 2.0 messages
 * on standard input, answers on standard output (the MCP stdio transport), nothing
 * else written there. The lifecycle (initialize, version negotiation, initialized),
 * ping, tools, resources and prompts; see docs/mcp.md.
 *
 * Protocol revisions spoken: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05. An
 * initialize asking for one of them is answered with it; any other with the newest
 * (the client then decides whether to go on), as the MCP lifecycle says. */
#ifndef CHATTCP_MCP_SERVER_H
#define CHATTCP_MCP_SERVER_H

#include "../base/strbuf.h"
#include "captures.h"

/* notifications/progress a request that asked for them (_meta.progressToken) gets at
 * most this many times a second while a capture is read, and once at the end of each
 * read: enough for a progress bar, few enough that a 10 GB capture does not flood the
 * client. A notifications/cancelled for the running request is looked for every
 * SESS_PROGRESS_RECORDS records. */
#define MCP_PROGRESS_HZ 10

struct mcp_server;

/* caps: the roots and the kept sessions (owned by the caller); export_dir: a realpath
 * or NULL. */
struct mcp_server *mcp_server_new(struct mcp_captures *caps, const char *export_dir);
void mcp_server_free(struct mcp_server *s);
/* One message (a line without its newline): its answer, if any, appended to out. */
void mcp_server_handle(struct mcp_server *s, const char *line, size_t n, struct strbuf *out);
/* Reads messages from fd in until its end, answering each on fd out. Returns 0 at the
 * end of the input, -1 when the output cannot be written (the client went away). */
int mcp_server_run(struct mcp_server *s, int in, int out);

#endif
