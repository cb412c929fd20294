/* tools.h: the MCP tools of `chattcp mcp`: each reads its arguments, asks the session
 * (through mcp/captures.h) and renders the answer with the same writers as --json
 * (out/json.c, out/report.c, out/http_json.c, out/cases_json.c, out/stream_term.c), so
 * a tool's text is the CLI's --json output for the same question, line for line.
 * Nothing here computes model data. Tools, arguments and answers: docs/mcp.md.
 *
 * A listing is paged: content[0] holds whole NDJSON lines [from, from + returned),
 * content[1] one JSON object {"from","returned","total","next"} (next null at the end),
 * and a page ends early past MCP_PAGE_BYTES so a large capture never floods the
 * client's context. */
#ifndef CHATTCP_MCP_TOOLS_H
#define CHATTCP_MCP_TOOLS_H

#include "../base/strbuf.h"
#include "captures.h"

#include <jansson.h>

/* Bytes of NDJSON in one page: about 30,000 tokens, a screenful for an assistant that
 * can still ask for the next page. A page holds at least one line. */
#define MCP_PAGE_BYTES ((size_t)128 << 10)
/* A single line longer than this (a raw run of a 10 MB body, a jumbo frame's payload
 * in hex) is not sent: an {"omitted": true, "index", "bytes", "reason"} line stands in
 * its place, and the reason names the CLI command that prints it. */
#define MCP_LINE_BYTES_MAX ((size_t)1 << 20)
/* Lines a page holds when the client does not say (limit), and at most. */
#define MCP_PAGE_LINES_DEFAULT 200
#define MCP_PAGE_LINES_MAX 5000

struct mcp_tools;

/* export_dir: where export_pcap may write (a realpath), NULL: export refused. */
struct mcp_tools *mcp_tools_new(struct mcp_captures *caps, const char *export_dir);
void mcp_tools_free(struct mcp_tools *t);

/* The result of tools/list: {"tools":[...]} with each tool's input schema. */
void mcp_tools_list(struct strbuf *b);
/* tools/call name(args): 0 with the result object in out, or a JSON-RPC error code
 * (RPC_INVALID_PARAMS: unknown tool or bad argument; MCP_CAPTURE_ERROR: the capture
 * cannot be read) with the message in why. args may be NULL (no arguments). */
int mcp_tools_call(struct mcp_tools *t, const char *name, const json_t *args, struct strbuf *out, struct strbuf *why);

/* The first page of a connection's chat and its diagnosis, as text for a prompt
 * (mcp/catalog.c): 0, or an error code with why. */
int mcp_tools_explain(struct mcp_tools *t, const char *capture, const json_t *conn, struct strbuf *out,
		      struct strbuf *why);

#endif
