/* test_applimits.c: the application layer's limits (issue 11): the memory budget of
 * what messages keep (model/appmsg.h), notes per message, SSE fields per event and empty
 * comments, HTTP trailers per message, stacked content codings, the decode cap. Each
 * input is decoded whole and split at every byte (harness.h), so the limits do not
 * depend on where TCP cut the stream. Prints "ok NAME" / "FAIL NAME: why". */
#include "base/sha.h"
#include "base/strbuf.h"
#include "harness.h"
#include "proto/app.h"

#include <stdio.h>
#include <string.h>

/* One line per message: kind, offsets, summary, fields, notes, body digest. */
static void digest(const struct applog *l, struct strbuf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct appmsg *m = applog_get(l, (uint32_t)i);
		sb_printf(b, "%d %s %s [%llu,%llu) %s", m->dir, m->proto, m->kind, (unsigned long long)m->off,
			  (unsigned long long)m->end, m->summary ? m->summary : "");
		for (size_t k = 0; k < m->n_kv; k++)
			sb_printf(b, " |%s=%.*s", m->kv[k].name, (int)m->kv[k].value_len, m->kv[k].value);
		for (size_t k = 0; k < m->n_notes; k++)
			sb_printf(b, " !%s@%llu", m->notes[k].ev->name, (unsigned long long)m->notes[k].off);
		if (m->body && m->body->out)
			sb_printf(b, " body=%s out=%llu", m->body->sha256, (unsigned long long)m->body->out);
		sb_putc(b, '\n');
	}
}

/* The budget a run uses (0: the defaults). */
static uint64_t conn_budget;

static void run(const char *proto, const uint8_t *c, size_t nc, size_t cut_c, const uint8_t *s, size_t ns,
		size_t cut_s, struct strbuf *out)
{
	struct app a;
	app_init(&a);
	a.body_keep = 1 << 20;
	a.body_hash = 1;
	if (conn_budget)
		a.log.conn_keep_max = conn_budget;
	const uint8_t *ch[4];
	size_t len[4];
	int dirs[4];
	size_t k = 0;
	k = harness_cut(c, nc, cut_c, 0, ch, len, dirs, k);
	k = harness_cut(s, ns, cut_s, 1, ch, len, dirs, k);
	app_decode_chunks(&a, proto ? proto_find(proto) : NULL, 6, ch, len, dirs, k);
	digest(&a.log, out);
	app_fini(&a);
}

static void splits(const char *name, const char *proto, const char *cs, size_t nc, const char *ss, size_t ns,
		   struct strbuf *whole)
{
	harness_splits(name, run, proto, cs, nc, ss, ns, whole);
}

static size_t count(const struct strbuf *b, const char *needle)
{
	size_t n = 0;
	for (const char *p = b->s; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define S(x) x, sizeof x - 1

/* An HTTP response carrying body (text/event-stream when sse). */
static size_t response(char *buf, size_t cap, const char *body, int sse)
{
	size_t n = strlen(body);
	int h = snprintf(buf, cap, "HTTP/1.1 200 OK\r\n%sContent-Length: %zu\r\n\r\n",
			 sse ? "Content-Type: text/event-stream\r\n" : "", n);
	memcpy(buf + h, body, n);
	return (size_t)h + n;
}

int main(void)
{
	struct strbuf w;
	sb_init(&w);
	char body[8192], resp[9000];
	size_t n;

	/* SSE: an empty comment (a keep-alive) is no field; a comment with text is one. */
	n = response(resp, sizeof resp, ":\n:\n: hi\n:\ndata: x\n\n", 1);
	splits("sse-empty-comment", NULL, S("GET / HTTP/1.1\r\n\r\n"), resp, n, &w);
	has(&w, "|comment= hi", "sse-comment-kept");
	check(count(&w, "|comment=") == 1, "sse-empty-comment-no-field", w.s);

	struct strbuf t;
	sb_init(&t);
	/* SSE: fields per event are capped (100 comments, one event). */
	for (int i = 0; i < 100; i++)
		sb_puts(&t, ": c\n");
	sb_puts(&t, "data: x\n\n");
	n = response(resp, sizeof resp, t.s, 1);
	splits("sse-fields-capped", NULL, S("GET / HTTP/1.1\r\n\r\n"), resp, n, &w);
	has(&w, "!sse.fields_capped", "sse-fields-capped-note");
	check(count(&w, "|comment=") == 64, "sse-fields-capped-64", "not 64 comment fields kept");

	/* Notes per message: 100 header lines without a colon make 100 notes; 63 are kept
	 * and the 64th counts the rest. */
	{
		sb_reset(&t);
		sb_puts(&t, "GET / HTTP/1.1\r\n");
		for (int i = 0; i < 100; i++)
			sb_puts(&t, "nocolon\r\n");
		sb_puts(&t, "\r\n");
		splits("notes-capped", NULL, t.s, t.len, S(""), &w);
		has(&w, "!app.notes_capped", "notes-capped-note");
		check(count(&w, " !") == 64, "notes-capped-64", "not 64 notes kept");
	}

	/* HTTP trailers per message are capped (100 trailer fields). */
	{
		sb_reset(&t);
		sb_puts(&t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n");
		for (int i = 0; i < 100; i++)
			sb_printf(&t, "X-T%d: v\r\n", i);
		sb_puts(&t, "\r\n");
		splits("trailers-capped", NULL, S("GET / HTTP/1.1\r\n\r\n"), t.s, t.len, &w);
		has(&w, "!http.trailers_capped", "trailers-capped-note");
		check(count(&w, "|trailer ") == 64, "trailers-capped-64", "not 64 trailers kept");
		has(&w, "|trailer X-T63=v", "trailers-capped-first-kept");
	}

	/* Content-Encoding: gzip, gzip: both undone, in order (gzip of gzip of "hello world\n"). */
	{
		static const uint8_t gz2[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x93, 0xef, 0xe6,
					       0x60, 0x00, 0x01, 0x26, 0xe6, 0xd3, 0x1e, 0x67, 0x4f, 0x9e, 0x0c, 0xd7, 0x38,
					       0xaf, 0x7f, 0xca, 0xf3, 0x21, 0x13, 0x83, 0xae, 0x35, 0xc7, 0x7a, 0x1e, 0xa0,
					       0x38, 0x00, 0xa1, 0x34, 0x45, 0xda, 0x20, 0x00, 0x00, 0x00 };
		int h = snprintf(resp, sizeof resp,
				 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: %zu\r\n\r\n", sizeof gz2);
		memcpy(resp + h, gz2, sizeof gz2);
		splits("gzip-gzip", NULL, S("GET / HTTP/1.1\r\n\r\n"), resp, (size_t)h + sizeof gz2, &w);
		char hex[65], want[100];
		sha256_hex("hello world\n", 12, hex);
		snprintf(want, sizeof want, "body=%s out=12", hex);
		has(&w, want, "gzip-gzip-decoded");
		check(!strstr(w.s, "!contenc."), "gzip-gzip-no-note", w.s);
	}

	/* The memory budget: a connection allowed 6 kB keeps the first bodies whole, then
	 * cuts one and says so; later messages are still framed. */
	{
		conn_budget = 6000;
		sb_reset(&t);
		for (int i = 0; i < 4; i++) {
			memset(body, 'a' + i, 1500);
			body[1500] = '\0';
			n = response(resp, sizeof resp, body, 0);
			sb_add(&t, resp, n);
		}
		const char rq[] = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\nGET /4 HTTP/1.1\r\n\r\n";
		splits("budget", NULL, rq, sizeof rq - 1, t.s, t.len, &w);
		has(&w, "!app.budget_exhausted", "budget-note");
		check(count(&w, "http response") == 4, "budget-still-framed", w.s);
		check(count(&w, "out=1500") == 4, "budget-bodies-still-counted", w.s);
		conn_budget = 0;
	}

	sb_fini(&t);
	sb_fini(&w);
	return fails ? 1 : 0;
}
