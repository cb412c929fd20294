/* fuzz_mcp.c: the MCP request parser and dispatcher (src/mcp/rpc.c, server.c) on
 * arbitrary messages: each input is split at newlines into messages for one server
 * (initialized by the first line when it is an initialize; no --root, so only
 * built-in cases open). Every answer must be one line. */
#include "../src/mcp/rpc.h"
#include "../src/mcp/server.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_req r;
	char why[256];
	mcp_rpc_parse((const char *)data, size, &r, why, sizeof why);
	mcp_req_fini(&r);

	struct mcp_captures *caps = mcp_captures_new();
	struct mcp_server *s = mcp_server_new(caps, NULL);
	struct strbuf out;
	sb_init(&out);
	static const char init[] = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}";
	mcp_server_handle(s, init, sizeof init - 1, &out);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t before = out.len;
		mcp_server_handle(s, p, n, &out);
		/* one answer at most, one line */
		if (out.len > before) {
			const char *a = out.s + before;
			const char *first_nl = memchr(a, '\n', out.len - before);
			if (!first_nl || first_nl != out.s + out.len - 1)
				abort();
		}
		sb_reset(&out);
		p += n + 1;
	}
	sb_fini(&out);
	mcp_server_free(s);
	mcp_captures_free(caps);
	return 0;
}
