/* api_filter.c: see api_filter.h. */
#include "api_filter.h"

#include "../base/xalloc.h"
#include "../filter/filter.h"
#include "../out/capwrite.h"
#include "../out/json.h"
#include "../out/search_json.h"
#include "../session/session.h"

#include <stdlib.h>
#include <string.h>

struct hit {
	uint32_t conn;  /* conn idx + 1; 0: not TCP/UDP */
	uint32_t frame;
};

struct run {
	const struct filter *f;  /* NULL: every frame (a connection's pcap) */
	struct sess_id only;     /* conn=: only its frames (proto 0: any) */
	struct hit *v;
	size_t n, cap;
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
	xgrow(&x->v, &x->cap, x->n + 1, sizeof *x->v);
	x->v[x->n].conn = fv->c ? fv->c->idx + 1 : 0;
	x->v[x->n].frame = fv->pk->frame;
	x->n++;
}

static int by_conn(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* The groups, as search --json: connections in creation order, "other" frames first. */
static void put_groups(struct strbuf *b, struct session *s, struct run *x)
{
	if (x->n > 1)
		qsort(x->v, x->n, sizeof *x->v, by_conn);
	size_t nconns;
	const struct conn *const *all = session_conns(s, &nconns);
	size_t n_idx = 1;
	for (size_t i = 0; i < nconns; i++)
		if (all[i]->idx + (size_t)1 > n_idx)
			n_idx = all[i]->idx + (size_t)1;
	const struct conn **by_idx = xcalloc(n_idx, sizeof *by_idx);
	for (size_t i = 0; i < nconns; i++)
		by_idx[all[i]->idx] = all[i];
	for (size_t i = 0; i < x->n;) {
		size_t j = i;
		while (j < x->n && x->v[j].conn == x->v[i].conn)
			j++;
		const struct conn *c = x->v[i].conn && x->v[i].conn - 1 < n_idx ? by_idx[x->v[i].conn - 1] : NULL;
		search_json_group(b, c, &x->v[i].frame, sizeof *x->v / sizeof x->v[0].frame, j - i);
		i = j;
	}
	xfree(by_idx);
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
		put_groups(&r->body, s, &x);
		snprintf(r->total, sizeof r->total, "%zu", x.n);
	}
	if (x.w)
		capwrite_close(x.w, &x.e);
	xfree(x.v);
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
