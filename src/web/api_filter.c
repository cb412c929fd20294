/* api_filter.c: see api_filter.h. */
#include "api_filter.h"

#include "../filter/filter.h"
#include "../out/capwrite.h"
#include "../out/json.h"
#include "../out/search_json.h"
#include "../session/session.h"

#include <string.h>

struct run {
	const struct filter *f;  /* NULL: every frame (a connection's pcap) */
	struct sess_id only;     /* conn=: only its frames (proto 0: any) */
	struct filter_found found; /* the frames selected, grouped as search's (filter/found.c) */
	struct capwrite *w;      /* the pcap route: records written here */
	struct err e;
	int failed, too_big;
};

static void on_frame(void *ctx, const struct sess_frame_view *fv)
{
	struct run *x = ctx;
	if (x->only.proto && (!fv->c || fv->c->proto != x->only.proto || fv->c->id != x->only.id))
		return;
	if (x->f && !filter_match(x->f, fv))
		return;
	if (x->w) {
		if (x->failed)
			return;
		if (capwrite_bytes(x->w) + fv->rec->caplen > UI_PCAP_MAX)
			x->failed = x->too_big = 1;
		else if (capwrite_rec(x->w, fv->rec, &x->e) < 0)
			x->failed = 1;
		return;
	}
	filter_found_add(&x->found, fv);
}

/* One group, as search --json writes it. */
static void put_group(void *ctx, const struct conn *c, const struct filter_hit *h, size_t n)
{
	search_json_group(ctx, c, &h->frame, sizeof *h / sizeof h->frame, n);
}

void api_filter(struct web_api *a, const struct web_req *q, struct web_reply *r, int pcap)
{
	const char *expr = q->arg(q->ctx, "expr");
	const char *conn = q->arg(q->ctx, "conn");
	const char *format = q->arg(q->ctx, "format");
	struct run x;
	memset(&x, 0, sizeof x);
	err_clear(&x.e);
	if (conn && web_conn_id(conn, &x.only) < 0)
		return web_reply_error(r, 400, "conn= takes an id from /api/conns: 3, tcp:3, u0");
	if (format && strcmp(format, "pcap") && strcmp(format, "pcapng"))
		return web_reply_error(r, 400, "format= takes pcap (the default) or pcapng");
	if (!pcap && (!expr || !*expr))
		return web_reply_error(r, 400, "expr= takes a display filter (docs/filter.md)");
	if (pcap && (!expr || !*expr) && !conn)
		return web_reply_error(r, 400, "the pcap route takes expr= (a display filter), conn= or both");
	struct filter *f = NULL;
	if (expr && *expr) {
		struct filter_err fe;
		if (!(f = filter_compile(expr, &fe))) {
			r->status = 400;
			r->type = "application/json";
			int first = 1;
			sb_putc(&r->body, '{');
			json_str_field(&r->body, &first, "error", fe.msg);
			json_u64_field(&r->body, &first, "col", (uint64_t)(fe.col > 0 ? fe.col : 0));
			sb_puts(&r->body, "}\n");
			return;
		}
	}
	x.f = f;
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.on_frame = on_frame;
	so.frame_ctx = &x;
	so.app = f && filter_needs_app(f);
	struct session *s = web_api_reopen(a, q, r, &so);
	if (!s) {
		filter_free(f);
		return;
	}
	if (pcap) /* into the answer: an error answer resets it */
		x.w = capwrite_open_mem(&r->body, format ? !strcmp(format, "pcapng") : 0);
	session_run(s); /* damage was told when the capture was opened; what was read is used */
	if (session_failed(s)) {
		web_reply_error(r, 500, session_error(s)->msg);
	} else if (x.only.proto && !session_conn(s, x.only)) {
		web_reply_error(r, 404, "no such connection (conn= takes an id from /api/conns: 3, tcp:3, u0)");
	} else if (pcap) {
		int rc = capwrite_close(x.w, &x.e);
		x.w = NULL;
		if (x.too_big)
			web_reply_error(r, 413, "the packets chosen are more than 512 MiB: use chattcp extract -Y, which writes to a file");
		else if (rc < 0 || x.failed)
			web_reply_error(r, 409, x.e.msg[0] ? x.e.msg : "the capture could not be written");
		else {
			r->status = 200;
			r->type = format && !strcmp(format, "pcapng") ? "application/octet-stream" : "application/vnd.tcpdump.pcap";
			/* fixed words and numbers, never a string from the capture or the filter */
			if (x.only.proto)
				snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s%u%s.%s\"",
					 x.only.proto == 6 ? "tcp" : "udp", x.only.id, f ? "-filtered" : "",
					 format ? format : "pcap");
			else
				snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"filtered.%s\"",
					 format ? format : "pcap");
		}
	} else {
		r->status = 200;
		r->type = "application/x-ndjson; charset=utf-8";
		filter_found_groups(&x.found, s, 0, put_group, &r->body);
		snprintf(r->total, sizeof r->total, "%zu", x.found.n);
	}
	if (x.w)
		capwrite_close(x.w, &x.e);
	filter_found_fini(&x.found);
	session_free(s);
	filter_free(f);
}

void api_search_expr(const struct web_req *q, struct web_reply *r)
{
	struct strbuf expr;
	sb_init(&expr);
	const char *opt, *v;
	char why[200];
	for (size_t i = 0; (opt = filter_search_opt(i)); i++) {
		if (!(v = q->arg(q->ctx, opt)) || !*v)
			continue;
		if (filter_search_add(&expr, opt, v, why, sizeof why) < 0) {
			web_reply_error(r, 400, why);
			sb_fini(&expr);
			return;
		}
	}
	if (!expr.len) {
		web_reply_error(r, 400, "the search takes at least one of ip=, port=, flags=, window=, payload=, "
				"payload-hex=, payload-re=, http-method=, http-path=, http-header=, http-status=, http-body=, label=");
	} else {
		r->status = 200;
		r->type = "application/json";
		int f = 1;
		sb_putc(&r->body, '{');
		json_str_field(&r->body, &f, "expr", expr.s);
		sb_puts(&r->body, "}\n");
	}
	sb_fini(&expr);
}
