/* server.c: see server.h. */
#include "server.h"

#include "../base/xalloc.h"
#include "catalog.h"
#include "rpc.h"
#include "tools.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const versions[] = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" };

struct mcp_server {
	struct mcp_tools *tools;
	int initialized; /* initialize answered */
	const char *version;
	/* the stdio loop (mcp_server_run); in and out -1 when messages are handed in */
	int in, out, in_ended, out_failed;
	char *buf;           /* MCP_LINE_MAX + 1 bytes */
	size_t len;          /* bytes in buf */
	size_t pos;          /* the first byte not yet handled */
	size_t scanned;      /* lines before this were looked at for a cancel */
	struct strbuf ob;    /* answers not yet written */
	/* the request being answered */
	const json_t *cur_id;
	const json_t *token; /* its _meta.progressToken, or NULL */
	int cancelled;       /* notifications/cancelled named it: no answer is sent */
	int64_t last_ns;     /* when progress was last looked at (0: not yet) */
	uint64_t base;       /* bytes of the reads finished before the current one */
	uint64_t raw_done, raw_total; /* the current read, as the session tells it */
	uint64_t sent;       /* the last progress sent (it must increase) */
};

static int progress(void *ctx, uint64_t done, uint64_t total);

struct mcp_server *mcp_server_new(struct mcp_captures *caps, const char *export_dir)
{
	struct mcp_server *s = xcalloc(1, sizeof *s);
	s->tools = mcp_tools_new(caps, export_dir);
	s->in = s->out = -1;
	sb_init(&s->ob);
	mcp_captures_set_progress(caps, progress, s);
	return s;
}

void mcp_server_free(struct mcp_server *s)
{
	if (!s)
		return;
	mcp_tools_free(s->tools);
	sb_fini(&s->ob);
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
		const json_t *meta = json_object_get(r->params, "_meta");
		const json_t *token = meta ? json_object_get(meta, "progressToken") : NULL;
		s->token = json_is_string(token) || json_is_integer(token) ? token : NULL;
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
		/* notifications/initialized, cancelled, progress: nothing to answer. A cancel
		 * of a running request was seen while it ran (progress below); one read here
		 * names a request already answered, and is ignored as the spec says. */
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
	s->cur_id = r.id;
	s->token = NULL;
	s->cancelled = 0;
	s->last_ns = 0;
	s->base = s->raw_done = s->raw_total = s->sent = 0;
	s->scanned = s->pos;
	rc = dispatch(s, &r, &res, &why);
	s->cur_id = s->token = NULL;
	if (s->cancelled)
		; /* a cancelled request is not answered (MCP cancellation) */
	else if (rc)
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

/* Writes what is waiting in s->ob: answers go out in order, before any notification. */
static void flush(struct mcp_server *s)
{
	if (s->ob.len && s->out >= 0 && !s->out_failed && write_all(s->out, s->ob.s, s->ob.len) < 0)
		s->out_failed = 1;
	if (s->out >= 0)
		sb_reset(&s->ob);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 1 when line p[0..n) is notifications/cancelled naming the request being answered. */
static int cancels_current(const struct mcp_server *s, const char *p, size_t n)
{
	if (!s->cur_id || !memmem(p, n, "notifications/cancelled", 23))
		return 0;
	struct mcp_req r;
	char msg[256];
	int hit = 0;
	if (mcp_rpc_parse(p, n, &r, msg, sizeof msg) == 0 && r.kind == MCP_MSG_NOTIFICATION &&
	    strcmp(r.method, "notifications/cancelled") == 0 && r.params) {
		const json_t *id = json_object_get(r.params, "requestId");
		hit = id && json_equal((json_t *)id, (json_t *)s->cur_id);
	}
	mcp_req_fini(&r);
	return hit;
}

/* While a request runs: reads what the client sent meanwhile (without blocking, into
 * the free end of the buffer: it is handled after the answer) and looks at each whole
 * line for a cancel of this request. */
static void watch_cancel(struct mcp_server *s)
{
	if (s->in < 0 || !s->buf)
		return;
	size_t cap = MCP_LINE_MAX + 1;
	struct pollfd pf = { .fd = s->in, .events = POLLIN };
	while (!s->in_ended && s->len < cap && poll(&pf, 1, 0) == 1) {
		ssize_t got = read(s->in, s->buf + s->len, cap - s->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			s->in_ended = got == 0;
			break;
		}
		s->len += (size_t)got;
	}
	for (;;) {
		const char *nl = memchr(s->buf + s->scanned, '\n', s->len - s->scanned);
		if (!nl)
			break;
		size_t end = (size_t)(nl - s->buf);
		if (cancels_current(s, s->buf + s->scanned, end - s->scanned))
			s->cancelled = 1;
		s->scanned = end + 1;
	}
}

/* opts.on_progress of every session the tools read: notifications/progress for a
 * request that asked (a progressToken), at most MCP_PROGRESS_HZ a second and once at
 * the end of each read, and the look for a cancel each time it is called. progress counts
 * the bytes of every capture this request read, so it only increases. */
static int progress(void *ctx, uint64_t done, uint64_t total)
{
	struct mcp_server *s = ctx;
	if (!s->cur_id)
		return 0;
	if (done < s->raw_done) /* a second read within the request */
		s->base += s->raw_total > s->raw_done ? s->raw_total : s->raw_done;
	s->raw_done = done;
	s->raw_total = total;
	/* a poll per SESS_PROGRESS_RECORDS records costs nothing next to them */
	watch_cancel(s);
	int64_t now = now_ns();
	int at_end = total && done >= total;
	if (!at_end && s->last_ns && now - s->last_ns < 1000000000 / MCP_PROGRESS_HZ)
		return s->cancelled;
	s->last_ns = now;
	if (s->token && s->out >= 0 && !s->cancelled && s->base + done > s->sent) {
		s->sent = s->base + done;
		sb_puts(&s->ob, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":");
		mcp_rpc_put_id(&s->ob, s->token);
		sb_printf(&s->ob, ",\"progress\":%" PRIu64, s->sent);
		if (total)
			sb_printf(&s->ob, ",\"total\":%" PRIu64, s->base + total);
		sb_puts(&s->ob, ",\"message\":\"reading the capture\"}}\n");
		flush(s);
	}
	return s->cancelled;
}

/* Handles the line [s->pos, s->pos + n), s->pos already past its newline (a request
 * may read more input while it runs), and writes its answer. */
static void handle_line(struct mcp_server *s, size_t start, size_t n)
{
	if (n && s->buf[start + n - 1] == '\r')
		n--;
	if (n)
		mcp_server_handle(s, s->buf + start, n, &s->ob);
	flush(s);
}

int mcp_server_run(struct mcp_server *s, int in, int out)
{
	/* One message at most MCP_LINE_MAX bytes: the buffer holds one and a byte more,
	 * so a longer one is seen, answered with an error and skipped to its newline. */
	size_t cap = MCP_LINE_MAX + 1;
	s->buf = xmalloc(cap);
	s->in = in;
	s->out = out;
	s->len = s->pos = 0;
	int skipping = 0;
	while (!s->out_failed) {
		const char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		if (nl) {
			size_t start = s->pos, n = (size_t)(nl - s->buf) - start;
			s->pos = start + n + 1;
			if (!skipping)
				handle_line(s, start, n);
			skipping = 0;
			continue;
		}
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
		if (s->len == cap) {
			if (!skipping)
				mcp_rpc_error(&s->ob, NULL, RPC_INVALID_REQUEST, "message longer than 1 MiB (MCP_LINE_MAX): skipped to its newline");
			flush(s);
			skipping = 1;
			s->len = 0;
		}
		if (s->in_ended)
			break;
		ssize_t got = read(in, s->buf + s->len, cap - s->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		s->len += (size_t)got;
	}
	/* A last message without its newline is still one. */
	if (!s->out_failed && s->len > s->pos && !skipping) {
		size_t start = s->pos, n = s->len - start;
		s->pos = s->len;
		handle_line(s, start, n);
	}
	int rc = s->out_failed ? -1 : 0;
	xfree(s->buf);
	s->buf = NULL;
	s->in = s->out = -1;
	return rc;
}
