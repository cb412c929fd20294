/* server.c: see server.h. */
#include "server.h"

#include "../base/xalloc.h"
#include "catalog.h"
#include "rpc.h"
#include "tools.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char *const versions[] = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" };

struct mcp_server {
	struct mcp_tools *tools;
	int initialized; /* initialize answered */
	const char *version;
};

struct mcp_server *mcp_server_new(struct mcp_captures *caps, const char *export_dir)
{
	struct mcp_server *s = xcalloc(1, sizeof *s);
	s->tools = mcp_tools_new(caps, export_dir);
	return s;
}

void mcp_server_free(struct mcp_server *s)
{
	if (!s)
		return;
	mcp_tools_free(s->tools);
	xfree(s);
}

static const char instructions[] =
	"chattcp reads packet captures (pcap, pcapng) and shows each TCP connection and UDP conversation as a chat "
	"between its two endpoints, with every packet explained. Start with list_connections (or stats, or "
	"diagnose) on a capture, then chat or stream one connection by its id; packet shows one frame in full. "
	"Captures are files under the folders the user allowed, or built-in classic cases (list_cases; capture "
	"\"case:NAME\"). Listings are paged: when the second text block's next is a number, call again with from=next.";

static int initialize(struct mcp_server *s, const json_t *params, struct strbuf *res, struct strbuf *why)
{
	const char *asked = json_string_value(params ? json_object_get(params, "protocolVersion") : NULL);
	if (!asked) {
		sb_puts(why, "initialize: \"protocolVersion\" (a string) is required");
		return RPC_INVALID_PARAMS;
	}
	s->version = versions[0];
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
		if (strcmp(asked, versions[i]) == 0)
			s->version = versions[i];
	s->initialized = 1;
	sb_printf(res, "{\"protocolVersion\":\"%s\",\"capabilities\":{\"tools\":{\"listChanged\":false},"
		       "\"resources\":{\"subscribe\":false,\"listChanged\":false},\"prompts\":{\"listChanged\":false}},"
		       "\"serverInfo\":{\"name\":\"chattcp\",\"title\":\"chattcp: packets as chats\",\"version\":\"0.1\"},"
		       "\"instructions\":",
		  s->version);
	sb_json_str(res, instructions, sizeof instructions - 1);
	sb_putc(res, '}');
	return 0;
}

static const char *param_str(const json_t *params, const char *key)
{
	return json_string_value(params ? json_object_get(params, key) : NULL);
}

/* Answers request r into res (a result object); 0 or an error code with why. */
static int dispatch(struct mcp_server *s, const struct mcp_req *r, struct strbuf *res, struct strbuf *why)
{
	const char *m = r->method;
	if (strcmp(m, "ping") == 0) {
		sb_puts(res, "{}");
		return 0;
	}
	if (strcmp(m, "initialize") == 0) {
		if (s->initialized) {
			sb_puts(why, "initialize was already answered");
			return RPC_INVALID_REQUEST;
		}
		return initialize(s, r->params, res, why);
	}
	if (!s->initialized) {
		sb_puts(why, "send initialize first");
		return MCP_NOT_INITIALIZED;
	}
	if (strcmp(m, "tools/list") == 0) {
		mcp_tools_list(res);
		return 0;
	}
	if (strcmp(m, "tools/call") == 0) {
		const char *name = param_str(r->params, "name");
		if (!name) {
			sb_puts(why, "tools/call: \"name\" (a string) is required");
			return RPC_INVALID_PARAMS;
		}
		return mcp_tools_call(s->tools, name, r->params ? json_object_get(r->params, "arguments") : NULL, res, why);
	}
	if (strcmp(m, "resources/list") == 0) {
		mcp_resources_list(res);
		return 0;
	}
	if (strcmp(m, "resources/templates/list") == 0) {
		sb_puts(res, "{\"resourceTemplates\":[]}");
		return 0;
	}
	if (strcmp(m, "resources/read") == 0) {
		const char *uri = param_str(r->params, "uri");
		if (!uri) {
			sb_puts(why, "resources/read: \"uri\" (a string) is required");
			return RPC_INVALID_PARAMS;
		}
		return mcp_resources_read(uri, res, why);
	}
	if (strcmp(m, "prompts/list") == 0) {
		mcp_prompts_list(res);
		return 0;
	}
	if (strcmp(m, "prompts/get") == 0) {
		const char *name = param_str(r->params, "name");
		const json_t *args = r->params ? json_object_get(r->params, "arguments") : NULL;
		if (!name || (args && !json_is_object(args))) {
			sb_puts(why, "prompts/get: \"name\" (a string) is required, \"arguments\" is an object");
			return RPC_INVALID_PARAMS;
		}
		return mcp_prompts_get(s->tools, name, args, res, why);
	}
	sb_puts(why, "no such method");
	return RPC_METHOD_NOT_FOUND;
}

void mcp_server_handle(struct mcp_server *s, const char *line, size_t n, struct strbuf *out)
{
	struct mcp_req r;
	char msg[256];
	int rc = mcp_rpc_parse(line, n, &r, msg, sizeof msg);
	if (rc) {
		/* A notification that does not parse is not answered; one whose id could
		 * not be read is answered to id null (JSON-RPC 2.0 section 5). */
		if (r.kind != MCP_MSG_NOTIFICATION || !r.method)
			mcp_rpc_error(out, r.id, rc, msg);
		mcp_req_fini(&r);
		return;
	}
	if (r.kind == MCP_MSG_NOTIFICATION) {
		/* notifications/initialized, cancelled, progress: nothing to answer; every
		 * request is answered before the next is read, so there is nothing to
		 * cancel. */
		mcp_req_fini(&r);
		return;
	}
	if (r.kind == MCP_MSG_RESPONSE) {
		mcp_req_fini(&r);
		return;
	}
	struct strbuf res, why;
	sb_init(&res);
	sb_init(&why);
	rc = dispatch(s, &r, &res, &why);
	if (rc)
		mcp_rpc_error(out, r.id, rc, why.s ? why.s : "error");
	else
		mcp_rpc_result(out, r.id, res.s ? res.s : "{}", res.len);
	sb_fini(&res);
	sb_fini(&why);
	mcp_req_fini(&r);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int mcp_server_run(struct mcp_server *s, int in, int out)
{
	/* One message at most MCP_LINE_MAX bytes: the buffer holds one and a byte more,
	 * so a longer one is seen, answered with an error and skipped to its newline. */
	size_t cap = MCP_LINE_MAX + 1, len = 0;
	char *buf = xmalloc(cap);
	int skipping = 0, rc = 0;
	struct strbuf ob;
	sb_init(&ob);
	for (;;) {
		ssize_t got = read(in, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		size_t end = len + (size_t)got, start = 0;
		for (size_t i = len; i < end; i++) {
			if (buf[i] != '\n')
				continue;
			size_t n = i - start;
			if (n && buf[start + n - 1] == '\r')
				n--;
			if (!skipping && n)
				mcp_server_handle(s, buf + start, n, &ob);
			skipping = 0;
			start = i + 1;
		}
		len = end - start;
		memmove(buf, buf + start, len);
		if (len == cap) {
			if (!skipping)
				mcp_rpc_error(&ob, NULL, RPC_INVALID_REQUEST, "message longer than 1 MiB (MCP_LINE_MAX): skipped to its newline");
			skipping = 1;
			len = 0;
		}
		if (ob.len) {
			if (write_all(out, ob.s, ob.len) < 0) {
				rc = -1;
				break;
			}
			sb_reset(&ob);
		}
	}
	/* A last message without its newline is still one. */
	if (rc == 0 && len && !skipping) {
		mcp_server_handle(s, buf, len, &ob);
		if (ob.len && write_all(out, ob.s, ob.len) < 0)
			rc = -1;
	}
	sb_fini(&ob);
	xfree(buf);
	return rc;
}
