/* catalog.c: see catalog.h. */
#include "catalog.h"

#include "../base/xalloc.h"
#include "../cases/cases.h"
#include "../out/json.h"
#include "rpc.h"

#include <string.h>

void mcp_resources_list(struct strbuf *b)
{
	sb_puts(b, "{\"resources\":[");
	const struct case_blob **order = xmalloc((case_blob_count + 1) * sizeof *order);
	size_t n = case_order(order);
	for (size_t i = 0; i < n; i++) {
		const struct case_blob *cb = order[i];
		const char *t = "", *s = "";
		size_t tn = 0, sn = 0;
		case_front(cb, "title", &t, &tn);
		case_front(cb, "summary", &s, &sn);
		if (i)
			sb_putc(b, ',');
		sb_puts(b, "{\"uri\":");
		struct strbuf u;
		sb_init(&u);
		sb_printf(&u, MCP_LESSON_URI_PREFIX "%s/lesson", cb->name);
		sb_json_str(b, u.s, u.len);
		sb_fini(&u);
		int f = 0;
		json_str_field(b, &f, "name", cb->name);
		sb_puts(b, ",\"title\":");
		sb_json_str(b, t, tn);
		sb_puts(b, ",\"description\":");
		sb_json_str(b, s, sn);
		sb_puts(b, ",\"mimeType\":\"text/markdown\"}");
	}
	xfree(order);
	sb_puts(b, "]}");
}

int mcp_resources_read(const char *uri, struct strbuf *out, struct strbuf *why)
{
	size_t pn = strlen(MCP_LESSON_URI_PREFIX), un = strlen(uri);
	const struct case_blob *cb = NULL;
	if (un > pn + 7 && strncmp(uri, MCP_LESSON_URI_PREFIX, pn) == 0 && strcmp(uri + un - 7, "/lesson") == 0 &&
	    un - pn - 7 < 128) {
		char name[128];
		memcpy(name, uri + pn, un - pn - 7);
		name[un - pn - 7] = 0;
		cb = case_find(name);
	}
	if (!cb) {
		sb_puts(why, "no such resource (resources/list gives the lessons)");
		return RPC_INVALID_PARAMS; /* MCP: -32002 "resource not found" is also seen; -32602 is the spec's */
	}
	struct strbuf md;
	sb_init(&md);
	const char *t;
	size_t tn;
	if (case_front(cb, "title", &t, &tn)) {
		sb_puts(&md, "# ");
		sb_add(&md, t, tn);
		sb_puts(&md, "\n\n");
	}
	const char *body = case_lesson_body(cb);
	sb_add(&md, body, (size_t)(cb->lesson + cb->lesson_len - body));
	sb_puts(out, "{\"contents\":[{\"uri\":");
	sb_json_str(out, uri, un);
	sb_puts(out, ",\"mimeType\":\"text/markdown\",\"text\":");
	sb_json_str(out, md.s ? md.s : "", md.len);
	sb_puts(out, "}]}");
	sb_fini(&md);
	return 0;
}

void mcp_prompts_list(struct strbuf *b)
{
	sb_puts(b, "{\"prompts\":[{\"name\":\"explain_connection\",\"title\":\"Explain this connection to a beginner\","
		   "\"description\":\"A TCP connection or UDP conversation told in plain words for someone learning TCP, "
		   "from chattcp's diagnosis and chat of it.\",\"arguments\":["
		   "{\"name\":\"capture\",\"description\":\"a capture file under the server's roots, or case:NAME\",\"required\":true},"
		   "{\"name\":\"conn\",\"description\":\"the connection: 3 (TCP) or u0 (UDP); default 0\",\"required\":false}]}]}");
}

static const char explain_intro[] =
	"Explain this connection to a beginner who is learning TCP. Go through it in order as a conversation "
	"between the two endpoints: the handshake, what each side sent and why, how sequence and acknowledgment "
	"numbers move, the window, anything unusual (retransmissions, resets, zero windows, lost segments) and "
	"how it ended. Use the notes and commentary below, quote frame numbers, define every term the first "
	"time it appears, and end with a short summary of what the learner should remember. Below is what "
	"chattcp measured (its --json output); the tools chat, packet and diagnose give more.\n\n";

int mcp_prompts_get(struct mcp_tools *t, const char *name, const json_t *args, struct strbuf *out, struct strbuf *why)
{
	if (strcmp(name, "explain_connection") != 0) {
		sb_puts(why, "no such prompt (prompts/list gives them)");
		return RPC_INVALID_PARAMS;
	}
	const char *cap = json_string_value(args ? json_object_get(args, "capture") : NULL);
	if (!cap) {
		sb_puts(why, "explain_connection: the argument \"capture\" is required (a string)");
		return RPC_INVALID_PARAMS;
	}
	/* Prompt arguments are strings (MCP): conn "3", "u0". */
	json_t *conn = args ? json_object_get(args, "conn") : NULL;
	json_t *zero = NULL;
	if (!conn)
		conn = zero = json_string("0");
	struct strbuf text;
	sb_init(&text);
	sb_puts(&text, explain_intro);
	int rc = mcp_tools_explain(t, cap, conn, &text, why);
	json_decref(zero);
	if (!rc) {
		sb_puts(out, "{\"description\":\"Explain this connection to a beginner\",\"messages\":[{\"role\":\"user\","
			     "\"content\":{\"type\":\"text\",\"text\":");
		sb_json_str(out, text.s, text.len);
		sb_puts(out, "}}]}");
	}
	sb_fini(&text);
	return rc;
}
