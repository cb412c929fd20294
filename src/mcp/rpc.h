/* rpc.h: one JSON-RPC 2.0 message of the MCP stdio transport (one line of UTF-8 JSON),
 * parsed with jansson after a bounded pre-scan, and the writers of the answers.
 *
 * The parser owns nothing outside struct mcp_req: mcp_req_fini frees the parsed tree.
 * Answers are written with the project's JSON escaper (base/strbuf.h), which turns any
 * bytes a capture holds into valid JSON, so an answer is always one valid line. */
#ifndef CHATTCP_MCP_RPC_H
#define CHATTCP_MCP_RPC_H

#include "../base/strbuf.h"

#include <jansson.h>
#include <stddef.h>

/* A message longer than this is refused (and skipped to its newline) without being
 * parsed: the largest request MCP has is a tools/call with a few short arguments, so
 * 1 MiB is far more than any client sends; it bounds the line buffer. */
#define MCP_LINE_MAX ((size_t)1 << 20)
/* Arrays and objects nested deeper than this are refused by the pre-scan, before the
 * parser sees them: a request is three levels deep (message, params, arguments), and a
 * deep one would only cost stack. */
#define MCP_DEPTH_MAX 32

/* JSON-RPC 2.0 error codes (section 5.1), and the server's own. */
enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
	/* A capture that cannot be read (missing, damaged at its start, not a capture):
	 * the request was well formed, the input is not. */
	MCP_CAPTURE_ERROR = -32001,
	/* A request other than initialize or ping before initialize. */
	MCP_NOT_INITIALIZED = -32002,
};

enum mcp_msg_kind {
	MCP_MSG_REQUEST,      /* method and id: answer it */
	MCP_MSG_NOTIFICATION, /* method, no id: never answered */
	MCP_MSG_RESPONSE,     /* result or error: the server sends no requests, so ignored */
};

struct mcp_req {
	json_t *root;       /* the parsed message (owned) */
	int kind;           /* enum mcp_msg_kind */
	const json_t *id;   /* a string or an integer; NULL for a notification */
	const char *method; /* NULL for a response */
	const json_t *params; /* an object, or NULL when absent */
};

/* Parses one message p[0..n) (without its newline). Returns 0 with r filled, or a
 * JSON-RPC error code with why (one line) and r->id set when the id could be read
 * (the error is then answered to it; else to id null). r is always fini-able. */
int mcp_rpc_parse(const char *p, size_t n, struct mcp_req *r, char *why, size_t why_n);
void mcp_req_fini(struct mcp_req *r);

/* {"jsonrpc":"2.0","id":ID,"result":RESULT}\n, result being JSON text already
 * written. id NULL: null. */
void mcp_rpc_result(struct strbuf *b, const json_t *id, const char *result, size_t n);
/* An id (or a progress token): a string or an integer as JSON; anything else null. */
void mcp_rpc_put_id(struct strbuf *b, const json_t *id);
/* {"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":M}}\n */
void mcp_rpc_error(struct strbuf *b, const json_t *id, int code, const char *msg);

#endif
