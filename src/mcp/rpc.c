/* rpc.c: see rpc.h. */
#include "rpc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The deepest nesting of p[0..n), counting [ and { outside strings; stops early past
 * MCP_DEPTH_MAX. One pass, no allocation: it runs before the parser so a hostile line
 * of a million '[' costs a scan, not a recursion. */
static int too_deep(const char *p, size_t n)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > MCP_DEPTH_MAX)
				return 1;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 0;
}

static int fail(char *why, size_t why_n, int code, const char *msg)
{
	snprintf(why, why_n, "%s", msg);
	return code;
}

int mcp_rpc_parse(const char *p, size_t n, struct mcp_req *r, char *why, size_t why_n)
{
	memset(r, 0, sizeof r[0]);
	if (n > MCP_LINE_MAX)
		return fail(why, why_n, RPC_INVALID_REQUEST, "message longer than 1 MiB (MCP_LINE_MAX)");
	if (too_deep(p, n))
		return fail(why, why_n, RPC_INVALID_REQUEST, "message nested deeper than 32 levels (MCP_DEPTH_MAX)");
	json_error_t je;
	/* Jansson checks UTF-8 and refuses \u0000 in strings (so every string it hands
	 * back is a C string); duplicate keys would let two readers see two requests. */
	r->root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (!r->root) {
		snprintf(why, why_n, "not JSON at byte %d: %s", je.position, je.text);
		return RPC_PARSE_ERROR;
	}
	if (json_is_array(r->root))
		return fail(why, why_n, RPC_INVALID_REQUEST, "JSON-RPC batches are not supported (MCP 2025-06-18 removed them): send one message a line");
	if (!json_is_object(r->root))
		return fail(why, why_n, RPC_INVALID_REQUEST, "a message is a JSON object");
	const json_t *id = json_object_get(r->root, "id");
	if (id && (json_is_string(id) || json_is_integer(id)))
		r->id = id;
	const char *ver = json_string_value(json_object_get(r->root, "jsonrpc"));
	if (!ver || strcmp(ver, "2.0") != 0)
		return fail(why, why_n, RPC_INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
	if (id && !r->id)
		return fail(why, why_n, RPC_INVALID_REQUEST, "\"id\" must be a string or an integer");
	const json_t *m = json_object_get(r->root, "method");
	if (!m) {
		if (json_object_get(r->root, "result") || json_object_get(r->root, "error")) {
			r->kind = MCP_MSG_RESPONSE;
			return 0;
		}
		return fail(why, why_n, RPC_INVALID_REQUEST, "\"method\" is missing");
	}
	if (!json_is_string(m))
		return fail(why, why_n, RPC_INVALID_REQUEST, "\"method\" must be a string");
	r->method = json_string_value(m);
	r->kind = id ? MCP_MSG_REQUEST : MCP_MSG_NOTIFICATION;
	const json_t *params = json_object_get(r->root, "params");
	if (params && !json_is_object(params))
		return fail(why, why_n, RPC_INVALID_PARAMS, "\"params\" must be an object");
	r->params = params;
	return 0;
}

void mcp_req_fini(struct mcp_req *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof r[0]);
}

void mcp_rpc_put_id(struct strbuf *b, const json_t *id)
{
	if (id && json_is_string(id))
		sb_json_str(b, json_string_value(id), json_string_length(id));
	else if (id && json_is_integer(id))
		sb_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	else
		sb_puts(b, "null");
}

void mcp_rpc_result(struct strbuf *b, const json_t *id, const char *result, size_t n)
{
	sb_puts(b, "{\"jsonrpc\":\"2.0\",\"id\":");
	mcp_rpc_put_id(b, id);
	sb_puts(b, ",\"result\":");
	sb_add(b, result, n);
	sb_puts(b, "}\n");
}

void mcp_rpc_error(struct strbuf *b, const json_t *id, int code, const char *msg)
{
	sb_puts(b, "{\"jsonrpc\":\"2.0\",\"id\":");
	mcp_rpc_put_id(b, id);
	sb_printf(b, ",\"error\":{\"code\":%d,\"message\":", code);
	sb_json_str(b, msg, strlen(msg));
	sb_puts(b, "}}\n");
}
