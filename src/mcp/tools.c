/* tools.c: see tools.h. One table names every tool: its description, its arguments
 * (the input schema tools/list sends and the only names tools/call takes) and the
 * function that answers it. */
#include "tools.h"

#include "../base/xalloc.h"
#include "../capture/pcapng_write.h"
#include "../cases/cases.h"
#include "../filter/filter.h"
#include "../out/cases_json.h"
#include "../out/http_json.h"
#include "../out/json.h"
#include "../out/report.h"
#include "../out/search_json.h"
#include "../out/stream_term.h"
#include "rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Interfaces (link types) one exported connection may span: a connection seen on a
 * few interfaces of a pcapng file; a packet of a further one is left out and counted. */
#define MCP_EXPORT_IFACES_MAX 8
/* Argument names one tool takes: search has the most (its simple fields). */
#define MCP_TOOL_ARGS_MAX 20

struct mcp_tools {
	struct mcp_captures *caps;
	char *export_dir;
	/* The last stream session (raw bytes kept for one connection), so paging through
	 * a stream reads the capture once. */
	struct session *stream_s;
	char *stream_key;
	struct sess_id stream_id;
	/* The last search (its session and frames), so paging through it reads the
	 * capture once; keyed by the capture, the filter and the conn. */
	struct session *search_s;
	struct filter_found search_found;
	char *search_key;
	char *search_expr;   /* the display filter it ran */
};

struct mcp_tools *mcp_tools_new(struct mcp_captures *caps, const char *export_dir)
{
	struct mcp_tools *t = xcalloc(1, sizeof *t);
	t->caps = caps;
	if (export_dir)
		t->export_dir = xstrdup(export_dir);
	return t;
}

void mcp_tools_free(struct mcp_tools *t)
{
	if (!t)
		return;
	session_free(t->stream_s);
	xfree(t->stream_key);
	session_free(t->search_s);
	filter_found_fini(&t->search_found);
	xfree(t->search_key);
	xfree(t->search_expr);
	xfree(t->export_dir);
	xfree(t);
}

/* --- a page of NDJSON lines --- */

struct page {
	struct strbuf out, item;
	long from, limit, i, returned, next;
	int paged;            /* a listing: content[1] says where the page is */
	int is_error;         /* a tool error (isError): out holds the message */
	const char *filter;   /* a search's display filter, for content[1] */
	const char *damage;   /* why reading the capture stopped early, or NULL */
};

static void page_init(struct page *p, long from, long limit, int paged)
{
	memset(p, 0, sizeof *p);
	sb_init(&p->out);
	sb_init(&p->item);
	p->from = from;
	p->limit = limit;
	p->next = -1;
	p->paged = paged;
}

static void page_fini(struct page *p)
{
	sb_fini(&p->out);
	sb_fini(&p->item);
}

/* Before line i: 1 when it is to be rendered (into p->item), else it is only counted. */
static int page_want(struct page *p)
{
	long i = p->i++;
	if (i < p->from || p->next >= 0)
		return 0;
	if (p->returned >= p->limit || p->out.len >= MCP_PAGE_BYTES) {
		p->next = i;
		return 0;
	}
	sb_reset(&p->item);
	return 1;
}

/* After rendering p->item: it joins the page, or starts the next one. */
static void page_put(struct page *p)
{
	long i = p->i - 1;
	if (p->item.len > MCP_LINE_BYTES_MAX) {
		size_t n = p->item.len;
		sb_reset(&p->item);
		sb_printf(&p->item, "{\"omitted\":true,\"index\":%ld,\"bytes\":%zu,\"reason\":\"a line longer than %zu bytes "
				    "(MCP_LINE_BYTES_MAX); the command line's --json prints it\"}\n",
			  i, n, MCP_LINE_BYTES_MAX);
	}
	if (p->returned && p->out.len + p->item.len > MCP_PAGE_BYTES) {
		p->next = i;
		return;
	}
	sb_add(&p->out, p->item.s ? p->item.s : "", p->item.len);
	p->returned++;
}

/* The tools/call result: the lines, then (a listing, or a damaged capture) the page. */
static void page_result(struct page *p, struct strbuf *b)
{
	if (p->is_error) {
		sb_puts(b, "{\"content\":[{\"type\":\"text\",\"text\":");
		sb_json_str(b, p->out.s ? p->out.s : "", p->out.len);
		sb_puts(b, "}],\"isError\":true}");
		return;
	}
	sb_puts(b, "{\"content\":[{\"type\":\"text\",\"text\":");
	sb_json_str(b, p->out.s ? p->out.s : "", p->out.len);
	sb_putc(b, '}');
	if (p->paged || p->damage) {
		struct strbuf m;
		sb_init(&m);
		int f = 1;
		sb_putc(&m, '{');
		if (p->paged) {
			json_u64_field(&m, &f, "from", (uint64_t)p->from);
			json_u64_field(&m, &f, "returned", (uint64_t)p->returned);
			json_u64_field(&m, &f, "total", (uint64_t)p->i);
			json_key(&m, &f, "next");
			if (p->next >= 0)
				sb_printf(&m, "%ld", p->next);
			else
				sb_puts(&m, "null");
		}
		if (p->filter)
			json_str_field(&m, &f, "filter", p->filter);
		if (p->damage)
			json_str_field(&m, &f, "damage", p->damage);
		sb_putc(&m, '}');
		sb_puts(b, ",{\"type\":\"text\",\"text\":");
		sb_json_str(b, m.s, m.len);
		sb_putc(b, '}');
		sb_fini(&m);
	}
	sb_puts(b, "],\"isError\":false}");
}

/* --- arguments --- */

struct call {
	struct mcp_tools *t;
	const char *tool;
	const json_t *args;
	struct page *pg;
	struct strbuf *why;
};

static int bad(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct call *c, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	sb_printf(c->why, "%s: %s", c->tool, m);
	return RPC_INVALID_PARAMS;
}

static const json_t *arg(struct call *c, const char *name) { return c->args ? json_object_get(c->args, name) : NULL; }

/* A string argument: 0 with *out (NULL when absent and not required), or an error. */
static int arg_str(struct call *c, const char *name, int required, const char **out)
{
	const json_t *v = arg(c, name);
	*out = NULL;
	if (!v)
		return required ? bad(c, "the argument \"%s\" is required", name) : 0;
	if (!json_is_string(v))
		return bad(c, "\"%s\" takes a string", name);
	*out = json_string_value(v);
	return 0;
}

static int arg_num(struct call *c, const char *name, long dflt, long lo, long hi, long *out)
{
	const json_t *v = arg(c, name);
	*out = dflt;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		sb_printf(c->why, "%s: \"%s\" takes a whole number from %ld to %ld", c->tool, name, lo, hi);
		return RPC_INVALID_PARAMS;
	}
	*out = (long)json_integer_value(v);
	return 0;
}

static int arg_bool(struct call *c, const char *name, int dflt, int *out)
{
	const json_t *v = arg(c, name);
	*out = dflt;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(c, "\"%s\" takes true or false", name);
	*out = json_is_true(v);
	return 0;
}

/* from and limit: the page asked for. */
static int arg_page(struct call *c, long dflt_limit)
{
	long from, limit;
	int rc = arg_num(c, "from", 0, 0, LONG_MAX / 2, &from);
	if (!rc)
		rc = arg_num(c, "limit", dflt_limit, 1, MCP_PAGE_LINES_MAX, &limit);
	if (!rc) {
		c->pg->from = from;
		c->pg->limit = limit;
		c->pg->paged = 1;
	}
	return rc;
}

/* A connection id as the command line types it: 3 or "3" or "tcp:3" (TCP), "u0" or
 * "udp:0" (UDP conversation 0). */
static int parse_conn(const json_t *v, struct sess_id *id)
{
	id->proto = 6;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
			return -1;
		id->id = (uint32_t)json_integer_value(v);
		return 0;
	}
	const char *s = json_string_value(v);
	if (!s)
		return -1;
	if (strncmp(s, "tcp:", 4) == 0)
		s += 4;
	else if (strncmp(s, "udp:", 4) == 0)
		s += 4, id->proto = 17;
	else if (s[0] == 'u')
		s += 1, id->proto = 17;
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (*end || errno || n > UINT32_MAX)
		return -1;
	id->id = (uint32_t)n;
	return 0;
}

static int arg_conn(struct call *c, int required, int *given, struct sess_id *id)
{
	const json_t *v = arg(c, "conn");
	*given = v != NULL;
	if (!v)
		return required ? bad(c, "the argument \"%s\" is required", "conn") : 0;
	if (parse_conn(v, id) < 0)
		return bad(c, "\"%s\" takes a connection id: 3 or \"tcp:3\" (TCP), \"u0\" or \"udp:0\" (UDP)", "conn");
	return 0;
}

/* The kept session of the "capture" argument. */
static int capture(struct call *c, struct session **s)
{
	const char *name;
	int rc = arg_str(c, "capture", 1, &name);
	if (rc)
		return rc;
	char spec[PATH_MAX];
	struct strbuf tmp;
	sb_init(&tmp);
	if (mcp_captures_resolve(c->t->caps, name, spec, &tmp) < 0) {
		sb_printf(c->why, "%s: %s", c->tool, tmp.s);
		sb_fini(&tmp);
		return RPC_INVALID_PARAMS;
	}
	sb_fini(&tmp);
	*s = mcp_captures_get(c->t->caps, name, &c->pg->damage, c->why);
	return *s ? 0 : MCP_CAPTURE_ERROR;
}

static int find_conn(struct call *c, struct session *s, struct sess_id id, const struct conn **cn)
{
	*cn = session_conn(s, id);
	if (*cn)
		return 0;
	sb_printf(c->why, "%s: no %s %s%" PRIu32 " in this capture (list_connections gives the ids)", c->tool,
		  id.proto == 6 ? "TCP connection" : "UDP conversation", id.proto == 6 ? "" : "u", id.id);
	return RPC_INVALID_PARAMS;
}

/* The paged listings with an optional conn: page arguments, the capture, and the
 * connection when one was named (*cn NULL: every connection). */
static int paged_capture_conn(struct call *c, struct session **s, const struct conn **cn)
{
	struct sess_id id;
	int given;
	*cn = NULL;
	int rc = arg_page(c, MCP_PAGE_LINES_DEFAULT);
	if (!rc)
		rc = arg_conn(c, 0, &given, &id);
	if (!rc)
		rc = capture(c, s);
	if (!rc && given)
		rc = find_conn(c, *s, id, cn);
	return rc;
}

/* --- the tools --- */

static int t_list_cases(struct call *c)
{
	int rc = arg_page(c, MCP_PAGE_LINES_MAX);
	if (rc)
		return rc;
	/* In the order `cases` lists them: the suggested order for a beginner. */
	const struct case_blob **order = xmalloc((case_blob_count + 1) * sizeof *order);
	size_t n = case_order(order);
	for (size_t i = 0; i < n; i++)
		if (page_want(c->pg)) {
			case_json(&c->pg->item, order[i], 0);
			page_put(c->pg);
		}
	xfree(order);
	return 0;
}

static int t_lesson(struct call *c)
{
	const char *name;
	int rc = arg_str(c, "case", 1, &name);
	if (rc)
		return rc;
	const struct case_blob *cb = case_find(strncmp(name, "case:", 5) == 0 ? name + 5 : name);
	if (!cb)
		return bad(c, "no built-in case \"%s\" (list_cases gives the names)", name);
	page_want(c->pg);
	case_json(&c->pg->item, cb, 1);
	page_put(c->pg);
	return 0;
}

static int t_open(struct call *c)
{
	struct session *s;
	int rc = capture(c, &s);
	if (rc)
		return rc;
	const char *name;
	arg_str(c, "capture", 1, &name);
	struct sess_counts k;
	session_counts(s, &k);
	page_want(c->pg);
	struct strbuf *b = &c->pg->item;
	int f = 1;
	sb_putc(b, '{');
	json_str_field(b, &f, "capture", name);
	json_u64_field(b, &f, "frames", k.frames);
	json_u64_field(b, &f, "tcp_conns", k.tcp_conns);
	json_u64_field(b, &f, "udp_conns", k.udp_conns);
	json_key(b, &f, "damaged");
	sb_puts(b, session_damaged(s) ? "true" : "false");
	if (c->pg->damage)
		json_str_field(b, &f, "damage", c->pg->damage);
	sb_puts(b, "}\n");
	page_put(c->pg);
	c->pg->damage = NULL; /* said in the object */
	return 0;
}

static int t_conns(struct call *c)
{
	struct session *s;
	const char *filter;
	int rc = arg_page(c, MCP_PAGE_LINES_DEFAULT);
	if (!rc)
		rc = arg_str(c, "filter", 0, &filter);
	char why[160];
	if (!rc && filter && session_filter_check(filter, why, sizeof why) < 0)
		return bad(c, "filter: %s", why);
	if (!rc)
		rc = capture(c, &s);
	if (rc)
		return rc;
	size_t n;
	const struct conn *const *all = session_conns(s, &n);
	for (size_t i = 0; i < n; i++)
		if (session_conn_matches(s, all[i], filter) && page_want(c->pg)) {
			json_conn(&c->pg->item, all[i]);
			page_put(c->pg);
		}
	return 0;
}

struct chat_ctx {
	struct page *pg;
	int flags;
};

static void chat_packet(void *ctx, const struct sess_packet *p)
{
	struct chat_ctx *x = ctx;
	if (page_want(x->pg)) {
		json_packet(&x->pg->item, p, x->flags);
		page_put(x->pg);
	}
}

static void chat_tail(void *ctx, const struct sess_tail *t)
{
	struct chat_ctx *x = ctx;
	if (page_want(x->pg)) {
		json_tail(&x->pg->item, t);
		page_put(x->pg);
	}
}

static int t_chat(struct call *c)
{
	struct session *s;
	struct sess_id id;
	const struct conn *cn;
	int given, payload, commentary, notes;
	int rc = arg_page(c, MCP_PAGE_LINES_DEFAULT);
	if (!rc)
		rc = arg_conn(c, 1, &given, &id);
	if (!rc)
		rc = arg_bool(c, "payload", 0, &payload);
	if (!rc)
		rc = arg_bool(c, "commentary", 0, &commentary);
	if (!rc)
		rc = arg_bool(c, "notes", 1, &notes);
	if (!rc)
		rc = capture(c, &s);
	if (!rc)
		rc = find_conn(c, s, id, &cn);
	if (rc)
		return rc;
	struct chat_ctx x = { c->pg, (notes ? JSON_PKT_NOTE : 0) | (payload ? JSON_PKT_PAYLOAD : 0) | JSON_PKT_APP |
					      (commentary ? JSON_PKT_COMMENTARY : 0) };
	if (session_walk(s, cn, chat_packet, chat_tail, &x) < 0) {
		sb_printf(c->why, "%s: %s", c->tool, session_error(s)->msg);
		return MCP_CAPTURE_ERROR;
	}
	return 0;
}

static int t_diag(struct call *c)
{
	struct session *s;
	const struct conn *cn;
	int rc = paged_capture_conn(c, &s, &cn);
	if (rc)
		return rc;
	size_t n;
	const struct conn *const *all = cn ? &cn : session_conns(s, &n);
	if (cn)
		n = 1;
	for (size_t i = 0; i < n; i++)
		if (page_want(c->pg)) {
			report_diag_json(&c->pg->item, s, all[i]);
			page_put(c->pg);
		}
	return 0;
}

static int t_stats(struct call *c)
{
	struct session *s;
	int rc = capture(c, &s);
	if (rc)
		return rc;
	struct sess_stats st;
	struct sess_counts k;
	session_stats(s, &st);
	session_counts(s, &k);
	page_want(c->pg);
	report_stats(&c->pg->item, &st, &k, 1);
	page_put(c->pg);
	return 0;
}

static void http_one(void *ctx, const struct sess_http *x)
{
	struct page *pg = ctx;
	if (page_want(pg)) {
		http_exchange_json(&pg->item, x);
		page_put(pg);
	}
}

static int t_http(struct call *c)
{
	struct session *s;
	const struct conn *cn;
	int rc = paged_capture_conn(c, &s, &cn);
	if (rc)
		return rc;
	if (cn) {
		session_http(s, cn, http_one, c->pg);
		return 0;
	}
	size_t n;
	const struct conn *const *all = session_conns(s, &n);
	for (size_t i = 0; i < n; i++)
		session_http(s, all[i], http_one, c->pg);
	return 0;
}

/* A session that keeps the raw bytes of one connection (stream needs them, the kept
 * session does not keep them for every connection). */
static int stream_session(struct call *c, struct sess_id id, struct session **out)
{
	const char *name;
	int rc = arg_str(c, "capture", 1, &name);
	if (rc)
		return rc;
	char spec[PATH_MAX];
	struct strbuf tmp;
	sb_init(&tmp);
	rc = mcp_captures_resolve(c->t->caps, name, spec, &tmp);
	if (rc < 0)
		sb_printf(c->why, "%s: %s", c->tool, tmp.s);
	sb_fini(&tmp);
	if (rc < 0)
		return RPC_INVALID_PARAMS;
	struct mcp_tools *t = c->t;
	if (t->stream_s && strcmp(t->stream_key, spec) == 0 && t->stream_id.proto == id.proto && t->stream_id.id == id.id) {
		*out = t->stream_s;
		return 0;
	}
	session_free(t->stream_s);
	xfree(t->stream_key);
	t->stream_s = NULL;
	t->stream_key = NULL;
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.app = 1;
	o.raw = 1;
	struct session *s = mcp_captures_session(t->caps, spec, &o, &id, c->why);
	if (!s)
		return MCP_CAPTURE_ERROR;
	t->stream_s = s;
	t->stream_key = xstrdup(spec);
	t->stream_id = id;
	*out = s;
	return 0;
}

static int t_stream(struct call *c)
{
	struct session *s;
	struct sess_id id;
	const struct conn *cn;
	int given;
	int rc = arg_page(c, MCP_PAGE_LINES_DEFAULT);
	if (!rc)
		rc = arg_conn(c, 1, &given, &id);
	if (!rc)
		rc = stream_session(c, id, &s);
	if (!rc)
		rc = find_conn(c, s, id, &cn);
	if (rc)
		return rc;
	if (session_damaged(s))
		c->pg->damage = session_error(s)->msg;
	size_t n;
	const struct appmsg *const *m = session_msgs(s, cn, &n);
	for (size_t k = 0; k < n; k++)
		if (page_want(c->pg)) {
			appmsg_json(&c->pg->item, m[k], cn);
			page_put(c->pg);
		}
	if (n)
		return 0;
	size_t n_runs;
	uint64_t dropped;
	const struct sess_run *runs = session_raw(s, cn, &n_runs, &dropped);
	for (size_t k = 0; k < n_runs; k++)
		if (page_want(c->pg)) {
			json_raw_run(&c->pg->item, &runs[k], cn);
			page_put(c->pg);
		}
	return 0;
}

static int t_packet(struct call *c)
{
	const char *name;
	long frame;
	int rc = arg_str(c, "capture", 1, &name);
	if (!rc)
		rc = arg_num(c, "frame", -1, 1, UINT32_MAX, &frame);
	if (!rc && frame < 0)
		return bad(c, "the argument \"%s\" is required", "frame");
	if (rc)
		return rc;
	char spec[PATH_MAX];
	struct strbuf tmp;
	sb_init(&tmp);
	rc = mcp_captures_resolve(c->t->caps, name, spec, &tmp);
	if (rc < 0)
		sb_printf(c->why, "%s: %s", c->tool, tmp.s);
	sb_fini(&tmp);
	if (rc < 0)
		return RPC_INVALID_PARAMS;
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.find_frame = (uint32_t)frame;
	struct session *s = mcp_captures_session(c->t->caps, spec, &o, NULL, c->why);
	if (!s)
		return MCP_CAPTURE_ERROR;
	const struct sess_frame *f = session_frame(s);
	if (!f->found) {
		struct sess_counts k;
		session_counts(s, &k);
		sb_printf(c->why, "%s: no frame %ld (the capture has %" PRIu64 ")", c->tool, frame, k.frames);
		session_free(s);
		return RPC_INVALID_PARAMS;
	}
	page_want(c->pg);
	json_frame(&c->pg->item, f, 0);
	page_put(c->pg);
	session_free(s);
	return 0;
}

/* --- export_pcap: one connection's frames as pcapng, into the export folder --- */

struct export_ctx {
	uint16_t linktype[MCP_EXPORT_IFACES_MAX];
	size_t n_if;
	int pass;          /* 0: find the link types; 1: write the packets */
	struct strbuf b;
	int fd;
	uint64_t packets, bytes, left_out;
	int failed;
};

static int iface_of(struct export_ctx *x, uint16_t lt)
{
	for (size_t i = 0; i < x->n_if; i++)
		if (x->linktype[i] == lt)
			return (int)i;
	return -1;
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

static void export_packet(void *ctx, const struct sess_packet *p)
{
	struct export_ctx *x = ctx;
	if (!p->pk || x->failed) {
		x->left_out += !x->pass && !p->pk;
		return;
	}
	const struct cap_rec *r = &p->pk->rec;
	int i = iface_of(x, r->linktype);
	if (x->pass == 0) {
		if (i < 0 && x->n_if < MCP_EXPORT_IFACES_MAX)
			x->linktype[x->n_if++] = r->linktype;
		return;
	}
	if (i < 0) {
		x->left_out++;
		return;
	}
	pcapng_put_epb(&x->b, (uint32_t)i, r->ts_ns, r->data, r->caplen, r->wirelen);
	x->packets++;
	if (x->b.len > (1 << 20)) {
		x->bytes += x->b.len;
		x->failed = write_all(x->fd, x->b.s, x->b.len) < 0;
		sb_reset(&x->b);
	}
}

/* A file name the client gives: one name in the export folder, no path, no hidden
 * file, no control characters, ending ".pcapng". */
static int good_file_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 8 || n > 255 || s[0] == '.' || strcmp(s + n - 7, ".pcapng") != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int t_export(struct call *c)
{
	struct session *s;
	struct sess_id id;
	const struct conn *cn;
	const char *file;
	int given, overwrite;
	if (!c->t->export_dir)
		return bad(c, "%s", "this server writes no files: start it with --export-dir DIR to allow export_pcap");
	int rc = arg_conn(c, 1, &given, &id);
	if (!rc)
		rc = arg_str(c, "file", 1, &file);
	if (!rc && !good_file_name(file))
		return bad(c, "\"file\" takes a plain file name ending in .pcapng (no '/', not starting with '.'), not \"%s\"",
			   file);
	if (!rc)
		rc = arg_bool(c, "overwrite", 0, &overwrite);
	if (!rc)
		rc = capture(c, &s);
	if (!rc)
		rc = find_conn(c, s, id, &cn);
	if (rc)
		return rc;
	struct export_ctx x;
	memset(&x, 0, sizeof x);
	sb_init(&x.b);
	session_walk(s, cn, export_packet, NULL, &x);
	int dfd = open(c->t->export_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* O_NOFOLLOW: a link planted in the folder is not followed out of it. */
	x.fd = dfd < 0 ? -1 : openat(dfd, file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL), 0644);
	int err = errno;
	if (dfd >= 0)
		close(dfd);
	if (x.fd < 0) {
		sb_fini(&x.b);
		if (err == EEXIST)
			return bad(c, "%s already exists in the export folder (overwrite: true replaces it)", file);
		sb_printf(c->why, "%s: cannot create %s in %s: %s", c->tool, file, c->t->export_dir, strerror(err));
		return MCP_CAPTURE_ERROR;
	}
	pcapng_put_shb(&x.b, "chattcp mcp");
	for (size_t i = 0; i < x.n_if; i++)
		pcapng_put_idb(&x.b, x.linktype[i], 262144, NULL);
	x.pass = 1;
	session_walk(s, cn, export_packet, NULL, &x);
	x.bytes += x.b.len;
	if (!x.failed)
		x.failed = write_all(x.fd, x.b.s ? x.b.s : "", x.b.len) < 0;
	if (close(x.fd) < 0)
		x.failed = 1;
	sb_fini(&x.b);
	if (x.failed) {
		sb_printf(c->why, "%s: writing %s/%s failed", c->tool, c->t->export_dir, file);
		return MCP_CAPTURE_ERROR;
	}
	page_want(c->pg);
	struct strbuf *b = &c->pg->item;
	int f = 1;
	char path[PATH_MAX + 256];
	snprintf(path, sizeof path, "%s/%s", c->t->export_dir, file);
	sb_putc(b, '{');
	json_str_field(b, &f, "file", path);
	json_u64_field(b, &f, "conn", cn->id);
	json_str_field(b, &f, "proto", cn->proto == 6 ? "tcp" : "udp");
	json_u64_field(b, &f, "packets", x.packets);
	json_u64_field(b, &f, "bytes", x.bytes);
	json_u64_field(b, &f, "left_out", x.left_out);
	sb_puts(b, "}\n");
	page_put(c->pg);
	return 0;
}

/* --- search --- */

/* The simple search fields as the tool names them, and the option of `chattcp search`
 * (filter/search.c) each is: the order they are joined in is this one, as the CLI's. */
static const struct { const char *arg, *opt; } search_fields[] = {
	{ "ip", "ip" },
	{ "port", "port" },
	{ "flags", "flags" },
	{ "window", "window" },
	{ "payload", "payload" },
	{ "payload_hex", "payload-hex" },
	{ "payload_re", "payload-re" },
	{ "http_method", "http-method" },
	{ "http_path", "http-path" },
	{ "http_header", "http-header" },
	{ "http_status", "http-status" },
	{ "http_body", "http-body" },
	{ "label", "label" },
};
#define N_SEARCH_FIELDS (sizeof search_fields / sizeof search_fields[0])

struct search_run {
	struct filter *f;
	struct filter_found *found;
};

static void search_frame(void *ctx, const struct sess_frame_view *v)
{
	struct search_run *r = ctx;
	if (filter_match(r->f, v))
		filter_found_add(r->found, v);
}

static void search_group(void *ctx, const struct conn *c, const struct filter_hit *h, size_t n)
{
	struct page *pg = ctx;
	if (page_want(pg)) {
		search_json_group(&pg->item, c, &h[0].frame, sizeof *h / sizeof h[0].frame, n);
		page_put(pg);
	}
}

/* A tool error the assistant can act on (a filter that does not compile): the
 * message as the CLI prints it, in a result with isError. */
static int tool_error(struct call *c, const char *msg)
{
	sb_reset(&c->pg->out);
	sb_printf(&c->pg->out, "%s: %s", c->tool, msg);
	c->pg->is_error = 1;
	return 0;
}

/* The display filter of the arguments, as `chattcp search` builds it from its options
 * and -Y: 0, 1 with a tool error written (a field's value refused), or an error code. */
static int search_expr(struct call *c, struct strbuf *expr)
{
	for (size_t i = 0; i < N_SEARCH_FIELDS; i++) {
		const json_t *v = arg(c, search_fields[i].arg);
		if (!v)
			continue;
		char num[32], why[200];
		const char *val = json_string_value(v);
		const char *o = search_fields[i].opt;
		int numeric = !strcmp(o, "port") || !strcmp(o, "http-status") || !strcmp(o, "window");
		if (numeric && json_is_integer(v)) {
			snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			val = num;
		}
		if (!val)
			return bad(c, numeric ? "\"%s\" takes a number or a string" : "\"%s\" takes a string", search_fields[i].arg);
		if (filter_search_add(expr, search_fields[i].opt, val, why, sizeof why) < 0) {
			tool_error(c, why);
			return 1;
		}
	}
	const char *y;
	int rc = arg_str(c, "filter", 0, &y);
	if (rc)
		return rc;
	if (y) {
		/* compiled alone first, so an error's column counts in what was typed, as
		 * `chattcp search -Y` gives it */
		struct filter_err e;
		struct filter *f = filter_compile(y, &e);
		if (!f) {
			char m[sizeof e.msg + 8];
			snprintf(m, sizeof m, "-Y: %s", e.msg);
			tool_error(c, m);
			return 1;
		}
		filter_free(f);
		if (expr->len)
			sb_add(expr, " && ", 4);
		sb_printf(expr, "(%s)", y);
	}
	if (!expr->len)
		return bad(c, "nothing to search for: give filter (a display filter) or a field (ip, port, flags, payload, "
			      "http_method, label, ...)");
	return 0;
}

static int t_search(struct call *c)
{
	struct sess_id id;
	int given;
	const char *name;
	int rc = arg_page(c, MCP_PAGE_LINES_DEFAULT);
	if (!rc)
		rc = arg_conn(c, 0, &given, &id);
	if (!rc)
		rc = arg_str(c, "capture", 1, &name);
	if (rc)
		return rc;
	struct strbuf expr, key;
	sb_init(&expr);
	sb_init(&key);
	rc = search_expr(c, &expr);
	if (rc) {
		sb_fini(&expr);
		return rc == 1 ? 0 : rc;
	}
	char spec[PATH_MAX];
	struct strbuf tmp;
	sb_init(&tmp);
	if (mcp_captures_resolve(c->t->caps, name, spec, &tmp) < 0) {
		sb_printf(c->why, "%s: %s", c->tool, tmp.s);
		rc = RPC_INVALID_PARAMS;
		goto out;
	}
	sb_printf(&key, "%s\n%s\n%d:%u:%u", spec, expr.s, given, given ? id.proto : 0, given ? id.id : 0);
	struct mcp_tools *t = c->t;
	if (!t->search_key || strcmp(t->search_key, key.s) != 0) {
		struct filter_err e;
		struct filter *f = filter_compile(expr.s, &e);
		if (!f) {
			/* the words `chattcp search -Y` prints, the column where it went wrong */
			char m[sizeof e.msg + 8];
			snprintf(m, sizeof m, "-Y: %s", e.msg);
			tool_error(c, m);
			goto out;
		}
		session_free(t->search_s);
		filter_found_fini(&t->search_found);
		xfree(t->search_key);
		xfree(t->search_expr);
		t->search_s = NULL;
		t->search_key = t->search_expr = NULL;
		struct search_run run = { f, &t->search_found };
		struct session_opts o;
		memset(&o, 0, sizeof o);
		o.on_frame = search_frame;
		o.frame_ctx = &run;
		o.app = filter_needs_app(f);
		sb_reset(&tmp);
		t->search_s = mcp_captures_session(t->caps, name, &o, given ? &id : NULL, &tmp);
		filter_free(f);
		if (!t->search_s) {
			filter_found_fini(&t->search_found);
			sb_printf(c->why, "%s: %s", c->tool, tmp.s);
			rc = MCP_CAPTURE_ERROR;
			goto out;
		}
		t->search_key = xstrdup(key.s);
		t->search_expr = xstrdup(expr.s);
	}
	struct session *ss = t->search_s;
	const struct conn *cn;
	if (given && (rc = find_conn(c, ss, id, &cn)) != 0)
		goto out;
	if (session_damaged(ss))
		c->pg->damage = session_error(ss)->msg;
	filter_found_groups(&t->search_found, ss, given, search_group, c->pg);
	/* the filter run, as `chattcp search` prints it */
	c->pg->filter = t->search_expr;
out:
	sb_fini(&tmp);
	sb_fini(&expr);
	sb_fini(&key);
	return rc;
}

/* --- the table --- */

#define P_CAPTURE "\"capture\":{\"type\":\"string\",\"description\":\"a capture file (a path under one of the server's --root folders, absolute or relative to one) or a built-in case as case:NAME\"}"
#define P_CONN(what) "\"conn\":{\"type\":[\"string\",\"integer\"],\"description\":\"" what ": 3 or \\\"tcp:3\\\" (TCP connection 3, Wireshark's tcp.stream), \\\"u0\\\" or \\\"udp:0\\\" (UDP conversation 0)\"}"
#define P_PAGE "\"from\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"index of the first line of the page (the previous page's next)\"},\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5000,\"description\":\"lines in the page (default 200; a page also ends past 128 KiB)\"}"

struct tool {
	const char *name, *title, *description;
	const char *properties; /* the input schema's properties, JSON */
	const char *required;   /* JSON array */
	const char *const args[MCP_TOOL_ARGS_MAX]; /* the argument names taken */
	int (*run)(struct call *c);
	int paged;
};

static const struct tool tools[] = {
	{ "list_cases", "List the classic cases",
	  "The built-in classic cases: real captures with lessons (name, title, summary, topics). Open one with capture \"case:NAME\"; lesson gives its text. Same as `chattcp cases --json`.",
	  P_PAGE, "[]", { "from", "limit" }, t_list_cases, 1 },
	{ "lesson", "A case's lesson",
	  "A built-in case's lesson: its Markdown and topics, as the first line of `chattcp case NAME --json`.",
	  "\"case\":{\"type\":\"string\",\"description\":\"the case's name (from list_cases), with or without case:\"}", "[\"case\"]",
	  { "case" }, t_lesson, 0 },
	{ "open_capture", "Open a capture",
	  "Reads a capture (only files under the server's --root folders, or case:NAME) and says what it holds: frames, TCP connections, UDP conversations, and where it is damaged. Other tools open the capture themselves when needed; it is read once and kept.",
	  P_CAPTURE, "[\"capture\"]", { "capture" }, t_open, 0 },
	{ "list_connections", "List connections",
	  "The TCP connections and UDP conversations of a capture, one JSON object each (id, endpoints, packets, bytes, state, tags), as `chattcp conns FILE --json [--filter TEXT]`. Paged.",
	  P_CAPTURE ",\"filter\":{\"type\":\"string\",\"description\":\"keep connections matching every term: port:N, ip:ADDR, proto:NAME (tcp, udp, http, ...), tag:NAME, id:N, or a bare word\"}," P_PAGE,
	  "[\"capture\"]", { "capture", "filter", "from", "limit" }, t_conns, 1 },
	{ "chat", "A connection as a chat",
	  "One connection's packets in order, each with sender, time, seq/ack, flags, window, the sender's TCP state after it, a note in plain words and the application messages it completed, as `chattcp chat FILE -c ID --json`; the last line may hold messages complete only at the capture's end. Paged: ask the next page with from.",
	  P_CAPTURE "," P_CONN("the connection") ",\"payload\":{\"type\":\"boolean\",\"description\":\"add each packet's payload in hex (--payload-hex; default false)\"},\"commentary\":{\"type\":\"boolean\",\"description\":\"add the longer explanation for learners (--commentary; default false)\"},\"notes\":{\"type\":\"boolean\",\"description\":\"the notes in plain words (default true; false: --no-notes)\"}," P_PAGE,
	  "[\"capture\",\"conn\"]", { "capture", "conn", "payload", "commentary", "notes", "from", "limit" }, t_chat, 1 },
	{ "diagnose", "Diagnose connections",
	  "The diagnosis of one connection or of all: handshake and close, retransmissions, zero windows, resets, round-trip times, findings with severity and words, as `chattcp diag FILE [-c ID] --json`. Paged over connections.",
	  P_CAPTURE "," P_CONN("one connection (default: all)") "," P_PAGE, "[\"capture\"]",
	  { "capture", "conn", "from", "limit" }, t_diag, 1 },
	{ "stats", "Capture statistics",
	  "File-level statistics: connections and their troubles, packets by analysis label, top connections by bytes and by retransmissions, duration, as `chattcp stats FILE --json`.",
	  P_CAPTURE, "[\"capture\"]", { "capture" }, t_stats, 0 },
	{ "http_exchanges", "HTTP exchanges",
	  "Every HTTP/1.x exchange (request, interim answers, response: headers, body sizes and digests, timing) of one connection or all, as `chattcp http FILE [-c ID] --json`. Paged.",
	  P_CAPTURE "," P_CONN("one connection (default: all)") "," P_PAGE, "[\"capture\"]",
	  { "capture", "conn", "from", "limit" }, t_http, 1 },
	{ "stream", "A decoded stream",
	  "One connection's application messages in order (HTTP, WebSocket, SSE, Redis, MySQL, DNS ...), or its raw runs of bytes when nothing decoded it, as `chattcp stream FILE -c ID --json`. Paged.",
	  P_CAPTURE "," P_CONN("the connection") "," P_PAGE, "[\"capture\",\"conn\"]",
	  { "capture", "conn", "from", "limit" }, t_stream, 1 },
	{ "packet", "One packet",
	  "One frame in full: headers, options, payload in hex, the note told with what its connection did before, as `chattcp packet FILE FRAME --json`.",
	  P_CAPTURE ",\"frame\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"the frame number, counted from 1 as Wireshark does\"}",
	  "[\"capture\",\"frame\"]", { "capture", "frame" }, t_packet, 0 },
	{ "search", "Search packets",
	  "The frames that match a display filter (Wireshark's syntax, as -Y: tcp.analysis.retransmission, http.request.method == \"POST\") and/or the simple fields (ip, port, flags, payload, http_method, ...), grouped by connection: one JSON object per connection with its frame numbers, as `chattcp search FILE [--ip A --port N ...] [-Y FILTER] [-c ID] --json`. A filter that does not compile is a tool error saying where. Paged; the second text block gives the filter that ran.",
	  P_CAPTURE ",\"filter\":{\"type\":\"string\",\"description\":\"a display filter (Wireshark's syntax, docs/filter.md)\"}"
	  ",\"ip\":{\"type\":\"string\",\"description\":\"an address either side (CIDR too)\"}"
	  ",\"port\":{\"type\":[\"integer\",\"string\"],\"description\":\"a TCP or UDP port either side\"}"
	  ",\"flags\":{\"type\":\"string\",\"description\":\"TCP flags all set: SYN,ACK,FIN,RST,PSH,URG,ECE,CWR,NS\"}"
	  ",\"window\":{\"type\":[\"integer\",\"string\"],\"description\":\"the window with an operator: <1000, >=65535, 0\"}"
	  ",\"payload\":{\"type\":\"string\",\"description\":\"bytes the payload contains, as text\"}"
	  ",\"payload_hex\":{\"type\":\"string\",\"description\":\"bytes the payload contains, in hex: 16 03 01\"}"
	  ",\"payload_re\":{\"type\":\"string\",\"description\":\"a regular expression the payload matches\"}"
	  ",\"http_method\":{\"type\":\"string\",\"description\":\"an HTTP request's method\"}"
	  ",\"http_path\":{\"type\":\"string\",\"description\":\"text an HTTP request's URI contains\"}"
	  ",\"http_header\":{\"type\":\"string\",\"description\":\"Name (present) or 'Name: value' (containing value)\"}"
	  ",\"http_status\":{\"type\":[\"integer\",\"string\"],\"description\":\"an HTTP status (404) or class (5xx)\"}"
	  ",\"http_body\":{\"type\":\"string\",\"description\":\"text an HTTP body contains\"}"
	  ",\"label\":{\"type\":\"string\",\"description\":\"an analysis label: retransmission, duplicate_ack, zero_window, ...\"}"
	  "," P_CONN("only this connection (default: all)") "," P_PAGE,
	  "[\"capture\"]",
	  { "capture", "filter", "ip", "port", "flags", "window", "payload", "payload_hex", "payload_re", "http_method",
	    "http_path", "http_header", "http_status", "http_body", "label", "conn", "from", "limit" },
	  t_search, 1 },
	{ "export_pcap", "Export a connection as pcapng",
	  "Writes one connection's frames as a pcapng file into the folder the server was started with (--export-dir), for Wireshark or tcpdump. Never overwrites unless asked.",
	  P_CAPTURE "," P_CONN("the connection") ",\"file\":{\"type\":\"string\",\"description\":\"a file name ending .pcapng (no folders)\"},\"overwrite\":{\"type\":\"boolean\",\"description\":\"replace a file of that name (default false)\"}",
	  "[\"capture\",\"conn\",\"file\"]", { "capture", "conn", "file", "overwrite" }, t_export, 0 },
};
#define N_TOOLS (sizeof tools / sizeof tools[0])

void mcp_tools_list(struct strbuf *b)
{
	sb_puts(b, "{\"tools\":[");
	for (size_t i = 0; i < N_TOOLS; i++) {
		const struct tool *t = &tools[i];
		if (i)
			sb_putc(b, ',');
		int f = 1;
		sb_putc(b, '{');
		json_str_field(b, &f, "name", t->name);
		json_str_field(b, &f, "title", t->title);
		json_str_field(b, &f, "description", t->description);
		sb_printf(b, ",\"inputSchema\":{\"type\":\"object\",\"properties\":{%s},\"required\":%s,\"additionalProperties\":false}",
			  t->properties, t->required);
		sb_puts(b, ",\"annotations\":{\"readOnlyHint\":");
		sb_puts(b, t->run == t_export ? "false,\"destructiveHint\":false" : "true");
		sb_puts(b, ",\"openWorldHint\":false}}");
	}
	sb_puts(b, "]}");
}

static int run_tool(struct mcp_tools *mt, const struct tool *t, const json_t *args, struct page *pg, struct strbuf *why)
{
	if (args && !json_is_object(args)) {
		sb_printf(why, "%s: \"arguments\" must be an object", t->name);
		return RPC_INVALID_PARAMS;
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)args, key, v) {
		int known = 0;
		for (size_t k = 0; k < MCP_TOOL_ARGS_MAX && t->args[k]; k++)
			known |= strcmp(key, t->args[k]) == 0;
		if (!known) {
			sb_printf(why, "%s: unknown argument \"", t->name);
			sb_add(why, key, strnlen(key, 64));
			sb_puts(why, "\" (tools/list gives each tool's arguments)");
			return RPC_INVALID_PARAMS;
		}
	}
	struct call c = { mt, t->name, args, pg, why };
	return t->run(&c);
}

int mcp_tools_call(struct mcp_tools *mt, const char *name, const json_t *args, struct strbuf *out, struct strbuf *why)
{
	for (size_t i = 0; i < N_TOOLS; i++) {
		if (strcmp(tools[i].name, name) != 0)
			continue;
		struct page pg;
		page_init(&pg, 0, MCP_PAGE_LINES_MAX, 0);
		int rc = run_tool(mt, &tools[i], args, &pg, why);
		if (!rc)
			page_result(&pg, out);
		page_fini(&pg);
		return rc;
	}
	sb_puts(why, "no such tool (tools/list gives them)");
	return RPC_INVALID_PARAMS;
}

int mcp_tools_explain(struct mcp_tools *mt, const char *capture_name, const json_t *conn, struct strbuf *out,
		      struct strbuf *why)
{
	json_t *args = json_object();
	json_object_set_new(args, "capture", json_string(capture_name));
	json_object_set(args, "conn", (json_t *)conn);
	json_object_set_new(args, "commentary", json_true());
	json_object_set_new(args, "limit", json_integer(100));
	static const char *const steps[] = { "diagnose", "chat" };
	int rc = 0;
	for (size_t k = 0; k < 2 && !rc; k++) {
		if (k == 0)
			json_object_del(args, "commentary");
		else
			json_object_set_new(args, "commentary", json_true());
		const struct tool *t = NULL;
		for (size_t i = 0; i < N_TOOLS; i++)
			if (strcmp(tools[i].name, steps[k]) == 0)
				t = &tools[i];
		struct page pg;
		page_init(&pg, 0, MCP_PAGE_LINES_MAX, 0);
		rc = run_tool(mt, t, args, &pg, why);
		if (!rc) {
			sb_puts(out, k == 0 ? "The diagnosis (chattcp diag --json):\n" : "\nThe chat, first packets (chattcp chat --json --commentary):\n");
			sb_add(out, pg.out.s ? pg.out.s : "", pg.out.len);
			if (pg.next >= 0)
				sb_printf(out, "(%ld more lines: the chat tool with from=%ld gives them)\n", pg.i - pg.next, pg.next);
		}
		page_fini(&pg);
	}
	json_decref(args);
	return rc;
}
