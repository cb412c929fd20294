/* api_stream.c: see api_stream.h. The lines are made by the renderers of
 * `stream --json` (out/stream_term.h, out/json.h); the bytes are the session's runs. */
#include "api_stream.h"

#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/stream_term.h"
#include "../session/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

/* A decimal in [0, max]; def when absent; -1 when malformed. */
static long arg_num(const struct web_req *q, const char *name, long def, long max)
{
	const char *v = q->arg(q->ctx, name);
	return v ? web_num(v, max) : def;
}

/* bytes=1: every run of bytes in stream order, cut into pieces of at most
 * UI_STREAM_PIECE bytes so a page never holds a whole 100 MB run; a line per piece
 * {conn, proto:"raw", kind:"bytes"|"gap", dir, offset, length, hex}; from= and n= count
 * pieces. */
static void bytes_page(struct session *s, const struct conn *c, long from, long per, struct web_reply *r)
{
	size_t n_runs;
	uint64_t dropped;
	const struct sess_run *runs = session_raw(s, c, &n_runs, &dropped);
	size_t k = 0, next = 0, total = 0;
	static const char hexd[] = "0123456789abcdef";
	r->status = 200;
	r->type = "application/x-ndjson; charset=utf-8";
	for (size_t i = 0; i < n_runs; i++) {
		const struct sess_run *run = &runs[i];
		size_t pieces = run->p ? (run->len + UI_STREAM_PIECE - 1) / UI_STREAM_PIECE : 1;
		for (size_t j = 0; j < pieces; j++, k++) {
			if (k < (size_t)from || k >= (size_t)from + (size_t)per || r->body.len >= UI_STREAM_PAGE_BYTES)
				continue;
			size_t at = j * UI_STREAM_PIECE, len = run->p ? run->len - at : run->len;
			if (run->p && len > UI_STREAM_PIECE)
				len = UI_STREAM_PIECE;
			int f = 1;
			sb_putc(&r->body, '{');
			json_u64_field(&r->body, &f, "conn", c->id);
			json_str_field(&r->body, &f, "proto", "raw");
			json_str_field(&r->body, &f, "kind", run->p ? "bytes" : "gap");
			json_str_field(&r->body, &f, "dir", run->dir ? "s2c" : "c2s");
			json_u64_field(&r->body, &f, "offset", run->off + at);
			json_u64_field(&r->body, &f, "length", len);
			if (run->p) {
				json_key(&r->body, &f, "hex");
				sb_putc(&r->body, '"');
				for (size_t b = 0; b < len; b++) {
					sb_putc(&r->body, hexd[run->p[at + b] >> 4]);
					sb_putc(&r->body, hexd[run->p[at + b] & 15]);
				}
				sb_putc(&r->body, '"');
			}
			sb_puts(&r->body, "}\n");
			next = k + 1;
		}
	}
	total = k;
	if (next > 0 && next < total)
		snprintf(r->next, sizeof r->next, "%zu", next);
	snprintf(r->total, sizeof r->total, "%zu", total);
}

static void page(struct session *s, const struct conn *c, const struct web_req *q, struct web_reply *r)
{
	long from = arg_num(q, "from", 0, 1L << 40), per = arg_num(q, "n", UI_STREAM_PAGE_LINES, UI_STREAM_PAGE_LINES);
	if (from < 0 || per <= 0)
		return web_reply_error(r, 400, "from= and n= take numbers (n from 1 to " STR(UI_STREAM_PAGE_LINES) ")");
	const char *bytes = q->arg(q->ctx, "bytes");
	if (bytes && strcmp(bytes, "1") == 0)
		return bytes_page(s, c, from, per, r);
	size_t n_msgs, n_runs;
	uint64_t dropped;
	const struct appmsg *const *m = session_msgs(s, c, &n_msgs);
	const struct sess_run *runs = session_raw(s, c, &n_runs, &dropped);
	/* as `stream --json`: the messages, or the raw runs when nothing decoded */
	size_t total = n_msgs ? n_msgs : n_runs;
	size_t i = (size_t)from;
	r->status = 200;
	r->type = "application/x-ndjson; charset=utf-8";
	for (; i < total && i < (size_t)from + (size_t)per && r->body.len < UI_STREAM_PAGE_BYTES; i++) {
		if (n_msgs)
			appmsg_json(&r->body, m[i], c);
		else
			json_raw_run(&r->body, &runs[i], c);
	}
	if (i < total)
		snprintf(r->next, sizeof r->next, "%zu", i);
	snprintf(r->total, sizeof r->total, "%zu", total);
}

static void download(struct session *s, const struct conn *c, const struct web_req *q, struct web_reply *r)
{
	const char *v = q->arg(q->ctx, "side");
	int side = -2;
	static const char *const sides[] = { "client", "server", "both" };
	for (int i = 0; i < 3; i++)
		if (strcmp(v ? v : "both", sides[i]) == 0)
			side = i == 2 ? -1 : i;
	if (side == -2)
		return web_reply_error(r, 400, "side= takes client, server or both");
	size_t n_runs;
	uint64_t dropped;
	const struct sess_run *runs = session_raw(s, c, &n_runs, &dropped);
	for (size_t i = 0; i < n_runs; i++)
		if ((side < 0 || runs[i].dir == side) && runs[i].p)
			sb_add(&r->body, (const char *)runs[i].p, runs[i].len);
	char id[16];
	fmt_conn_id(c, id, sizeof id);
	r->status = 200;
	r->type = "application/octet-stream";
	snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s%s-%s.bin\"", c->proto == 6 ? "tcp" : "udp",
		 id[0] == 'u' ? id + 1 : id, sides[side < 0 ? 2 : side]);
}

void api_stream(struct session *s, const struct conn *c, const struct web_req *q, struct web_reply *r, int raw)
{
	if (raw)
		download(s, c, q, r);
	else
		page(s, c, q, r);
}
