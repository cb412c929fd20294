/* test_h2.c: the HTTP/2 decoder (proto/http2.c) on the bytes of real h2c captures
 * (h2_vectors.h, from tests/captures/h2): decoded whole, with each segment cut at every
 * byte, and with one side fed a byte at a time, they must decode the same (frames and
 * header blocks across segments, HPACK state carried); the notes a reader relies on are
 * there; hostile frames. Prints "ok NAME" / "FAIL NAME: why". */
#include "base/strbuf.h"
#include "proto/app.h"
#include "harness.h"
#include "h2_vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void digest(const struct applog *l, struct strbuf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct appmsg *m = applog_get(l, (uint32_t)i);
		sb_printf(b, "%d %s %s [%llu,%llu) %s", m->dir, m->proto, m->kind, (unsigned long long)m->off,
			  (unsigned long long)m->end, m->summary ? m->summary : "");
		for (size_t k = 0; k < m->n_kv; k++)
			sb_printf(b, " |%s=%.*s", m->kv[k].name, (int)m->kv[k].value_len, m->kv[k].value);
		for (size_t k = 0; k < m->n_notes; k++)
			sb_printf(b, " !%s@%llu %s", m->notes[k].ev->name, (unsigned long long)m->notes[k].off, m->notes[k].text);
		if (m->body)
			sb_printf(b, " body %llu/%llu", (unsigned long long)m->body->in, (unsigned long long)m->body->out);
		if (m->http)
			sb_printf(b, " http stream %u status %u", m->http->stream_id, m->http->status);
		sb_putc(b, '\n');
	}
}

static void run(const char *proto, const uint8_t *const *ch, const size_t *len, const int *dirs, size_t k,
		struct strbuf *out)
{
	struct app a;
	app_init(&a);
	a.body_keep = 1 << 16;
	app_decode_chunks(&a, proto ? proto_find(proto) : NULL, 6, ch, len, dirs, k);
	digest(&a.log, out);
	app_fini(&a);
}

#define SEG_MAX 64
/* bytes of one side fed one at a time: the longest vector side is about 1 kB */
#define BYTES_MAX 4096

struct vec {
	const uint8_t *ch[SEG_MAX];
	size_t len[SEG_MAX];
	int dirs[SEG_MAX];
	void *maps[SEG_MAX];
	size_t maplens[SEG_MAX];
	size_t n;
};

static void load(const struct seg *v, struct vec *x)
{
	x->n = 0;
	for (; v[x->n].hex && x->n < SEG_MAX; x->n++) {
		size_t l = strlen(v[x->n].hex) / 2;
		uint8_t *p = malloc(l ? l : 1);
		for (size_t i = 0; i < l; i++) {
			unsigned b;
			sscanf(v[x->n].hex + 2 * i, "%2x", &b);
			p[i] = (uint8_t)b;
		}
		x->ch[x->n] = guarded(p, l, &x->maps[x->n], &x->maplens[x->n]);
		free(p);
		x->len[x->n] = l;
		x->dirs[x->n] = v[x->n].dir;
	}
}

static void unload(struct vec *x)
{
	for (size_t i = 0; i < x->n; i++)
		munmap(x->maps[i], x->maplens[i]);
}

/* Whole, then segment s cut at every byte, then side `side` a byte a segment. */
static void splits(const char *name, const char *proto, const struct seg *v, struct strbuf *whole)
{
	struct vec x;
	load(v, &x);
	sb_reset(whole);
	run(proto, x.ch, x.len, x.dirs, x.n, whole);
	struct strbuf t;
	sb_init(&t);
	int good = 1;
	char why[4000] = "";
	for (size_t s = 0; s < x.n && good; s++) {
		for (size_t cut = 1; cut < x.len[s] && good; cut++) {
			const uint8_t *c2[SEG_MAX + 1];
			size_t l2[SEG_MAX + 1];
			int d2[SEG_MAX + 1];
			size_t k = 0;
			for (size_t i = 0; i < x.n; i++)
				k = harness_cut(x.ch[i], x.len[i], i == s ? cut : 0, x.dirs[i], c2, l2, d2, k);
			sb_reset(&t);
			run(proto, c2, l2, d2, k, &t);
			if (t.len != whole->len || memcmp(t.s, whole->s, t.len)) {
				good = 0;
				snprintf(why, sizeof why, "segment %zu cut at byte %zu decodes differently:\n%.1500s\nvs whole:\n%.1500s",
					 s, cut, t.s ? t.s : "", whole->s ? whole->s : "");
			}
		}
	}
	for (int side = 0; side < 2 && good; side++) {
		static const uint8_t *c2[BYTES_MAX + SEG_MAX];
		static size_t l2[BYTES_MAX + SEG_MAX];
		static int d2[BYTES_MAX + SEG_MAX];
		size_t k = 0;
		for (size_t i = 0; i < x.n; i++) {
			if (x.dirs[i] == side && x.len[i] + k < BYTES_MAX) {
				for (size_t b = 0; b < x.len[i]; b++)
					c2[k] = x.ch[i] + b, l2[k] = 1, d2[k++] = side;
			} else {
				c2[k] = x.ch[i], l2[k] = x.len[i], d2[k++] = x.dirs[i];
			}
		}
		sb_reset(&t);
		run(proto, c2, l2, d2, k, &t);
		if (t.len != whole->len || memcmp(t.s, whole->s, t.len)) {
			good = 0;
			snprintf(why, sizeof why, "the %s a byte at a time decodes differently:\n%.1500s\nvs whole:\n%.1500s",
				 side ? "server" : "client", t.s ? t.s : "", whole->s ? whole->s : "");
		}
	}
	check(good, name, why);
	sb_fini(&t);
	unload(&x);
}

static void run2(const uint8_t *c, size_t nc, const uint8_t *s, size_t ns, struct strbuf *out)
{
	void *m1, *m2;
	size_t l1, l2;
	const uint8_t *ch[2] = { guarded(c, nc, &m1, &l1), guarded(s, ns, &m2, &l2) };
	size_t len[2] = { nc, ns };
	int dirs[2] = { 0, 1 };
	run("http2", ch, len, dirs, ns ? 2 : 1, out);
	munmap(m1, l1);
	munmap(m2, l2);
}

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

int main(void)
{
	struct strbuf w;
	sb_init(&w);

	splits("h2c-push-splits", NULL, h2c_push, &w); /* detected by the preface */
	has(&w, "push_promise", "h2c-push-promise");
	has(&w, ") stream 13 promises stream 2: GET /style.css on 127.0.0.1:8447", "h2c-push-promised-request");
	has(&w, "!http2.push", "h2c-push-note");
	has(&w, "http stream 2 status 200", "h2c-push-response");
	has(&w, "body 380/380", "h2c-push-body");
	has(&w, ") stream 9 depends on 7, weight 1", "h2c-push-priority");

	splits("h2c-refused-splits", "http2", h2c_refused, &w);
	has(&w, ") stream 5: REFUSED_STREAM", "h2c-refused-rst");
	has(&w, "the server refused stream 5 before doing anything with it", "h2c-refused-words");
	has(&w, ") max_concurrent_streams=1 ", "h2c-refused-settings");

	splits("h2c-prior-splits", "http2", h2c_prior, &w);
	has(&w, ") stream 1: 1 frame, 97 bytes, END_STREAM", "h2c-prior-data-run");
	has(&w, "http stream 1 status 200", "h2c-prior-response");

	/* hostile: a DATA frame claiming 16 MB, cut after 4 bytes: the body is cut, nothing held */
	{
		static const uint8_t c[] = PREFACE "\x00\x00\x00\x04\x00\x00\x00\x00\x00"
						   "\x00\x00\x0b\x01\x04\x00\x00\x00\x01\x82\x86\x84\x41\x86\xa0\xe4\x1d\x13\x9d\x09"
						   "\xff\xff\xff\x00\x00\x00\x00\x00\x01" "abcd";
		sb_reset(&w);
		run2(c, sizeof c - 1, NULL, 0, &w);
		has(&w, "GET / on", "hostile-big-data-request");
		has(&w, "!http2.frame_too_big", "hostile-big-data-too-big");
		has(&w, "!http2.stream_cut", "hostile-big-data-cut");
	}
	/* hostile: CONTINUATION frames that never end the block (a CONTINUATION flood) */
	{
		static uint8_t c[24 + 9 + 9 + 200 * 10];
		size_t n = 0;
		memcpy(c, PREFACE, 24), n = 24;
		memcpy(c + n, "\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9), n += 9;
		memcpy(c + n, "\x00\x00\x00\x01\x00\x00\x00\x00\x01", 9), n += 9; /* HEADERS, no END_HEADERS */
		for (int i = 0; i < 200; i++)
			memcpy(c + n, "\x00\x00\x01\x09\x00\x00\x00\x00\x01\x82", 10), n += 10;
		sb_reset(&w);
		run2(c, n, NULL, 0, &w);
		has(&w, ") stream 1: 1 more bytes of the header block", "hostile-continuation-shown");
		has(&w, "!http2.stream_cut", "hostile-continuation-cut");
	}
	/* hostile: a header block that is not HPACK, then one that would be fine */
	{
		static const uint8_t c[] = PREFACE "\x00\x00\x00\x04\x00\x00\x00\x00\x00"
						   "\x00\x00\x02\x01\x05\x00\x00\x00\x01\xff\xff"
						   "\x00\x00\x01\x01\x05\x00\x00\x00\x03\x82";
		sb_reset(&w);
		run2(c, sizeof c - 1, NULL, 0, &w);
		has(&w, "!http2.hpack_error", "hostile-hpack-error");
		has(&w, "an earlier block of this side failed", "hostile-hpack-later-block");
	}
	/* hostile: the preface is wrong */
	{
		static const uint8_t c[] = "PRI * HTTP/2.1\r\n\r\nSM\r\n\r\n";
		sb_reset(&w);
		run2(c, sizeof c - 1, NULL, 0, &w);
		has(&w, "!http2.bad_preface", "hostile-bad-preface");
	}
	/* a window that reaches 0: said once per stream */
	{
		static uint8_t c[4096], s[70000];
		size_t nc = 0, ns = 0;
		memcpy(c, PREFACE, 24), nc = 24;
		memcpy(c + nc, "\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9), nc += 9;
		memcpy(c + nc, "\x00\x00\x01\x01\x05\x00\x00\x00\x01\x82", 10), nc += 10;
		memcpy(s, "\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9), ns = 9;
		memcpy(s + ns, "\x00\x00\x01\x01\x04\x00\x00\x00\x01\x88", 10), ns += 10; /* :status 200 */
		for (int i = 0; i < 4; i++) {
			uint32_t l = i < 3 ? 16384 : 16383;
			s[ns++] = 0, s[ns++] = (uint8_t)(l >> 8), s[ns++] = (uint8_t)l;
			s[ns++] = 0, s[ns++] = 0, s[ns++] = 0, s[ns++] = 0, s[ns++] = 0, s[ns++] = 1;
			memset(s + ns, 'x', l), ns += l;
		}
		sb_reset(&w);
		run2(c, nc, s, ns, &w);
		has(&w, "stream 1's window is 0: the server must wait", "zero-window-said");
		has(&w, ") stream 1: 4 frames, 65535 bytes", "zero-window-run");
	}
	sb_fini(&w);
	return fails ? 1 : 0;
}
