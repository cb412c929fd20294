/* test_proto.c: unit tests for the application decoders. Each input is decoded whole
 * and split at every byte (the split bytes go out as two segments), and the decoded
 * messages (kind, summary, offsets, notes) must be the same: a decoder must not depend
 * on where TCP cut the stream. Inputs sit at the end of a page followed by a
 * PROT_NONE page, so any over-read faults even without sanitizers (picohttpparser's
 * trick). Prints "ok NAME" / "FAIL NAME: why". */
#include "base/sha.h"
#include "base/strbuf.h"
#include "proto/app.h"
#include "harness.h"
#include "proto/chunked.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A text digest of the log: one line per message. */
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
			sb_printf(b, " body=%s", m->body->sha256);
		sb_putc(b, '\n');
	}
}

/* Decodes client bytes c and server bytes s (client first), each split into two
 * segments at cut_c / cut_s (0 = whole). */
static void run(const char *proto, const uint8_t *c, size_t nc, size_t cut_c, const uint8_t *s, size_t ns,
		size_t cut_s, struct strbuf *out)
{
	struct app a;
	app_init(&a);
	a.body_keep = 1 << 20;
	a.body_hash = 1;
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

#define S(x) x, sizeof x - 1

int main(void)
{
	struct strbuf w;
	sb_init(&w);

	/* RFC 6455 §1.3 handshake example. */
	{
		const char *k = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
		uint8_t d[20];
		char out[32];
		sha1(k, strlen(k), d);
		base64_encode(d, 20, out);
		check(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0, "sha1-base64-rfc6455", out);
		char hex[65];
		sha256_hex("abc", 3, hex);
		check(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256-abc", hex);
	}

	/* HTTP: pipelined keep-alive, Content-Length, chunked with trailer, 304, HEAD. */
	splits("http-pipelined-chunked-trailer", NULL,
	       S("GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n"
		 "GET /d HTTP/1.1\r\nHost: x\r\n\r\n"),
	       S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
		 "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
		 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Sum: 42\r\n\r\n"
		 "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"),
	       &w);
	has(&w, "1 http response [0,43) HTTP/1.1 200 OK", "http-length-body");
	has(&w, "|trailer X-Sum=42", "http-chunked-trailer");
	has(&w, "HTTP/1.1 304 Not Modified", "http-304-no-body");
	has(&w, "[43,84) HTTP/1.1 200 OK |Content-Length=1000", "http-head-no-body");

	/* The classic bare LF (cases/http-bare-lf): diagnosed at byte 51. */
	splits("http-bare-lf", NULL,
	       S("POST /echo HTTP/1.1\r\nHost: 10.77.0.2\r\nX-Note: hello\nworld\r\nContent-Type: text/plain\r\n"
		 "Content-Length: 6\r\n\r\nhello\n"),
	       S(""), &w);
	has(&w, "!http.bare_lf@51", "http-bare-lf-offset");
	has(&w, "!http.field_no_colon@52", "http-bare-lf-colonless");

	/* obs-fold, 1xx, a body longer than declared, until-close. */
	splits("http-obsfold-100-longer", NULL,
	       S("POST /u HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n  b\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok"),
	       S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA BYTES\r\n"), &w);
	has(&w, "!http.obs_fold", "http-obs-fold");
	has(&w, "|X-Long=a b", "http-obs-fold-joined");
	has(&w, "HTTP/1.1 100 Continue", "http-100");
	has(&w, "!http.body_longer@", "http-body-longer");

	/* gzip body: "hello world\n" gzip-compressed (gzip -n). */
	{
		static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48,
					      0xcd, 0xc9, 0xc9, 0x57, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0xe1, 0x02, 0x00,
					      0x2d, 0x3b, 0x08, 0xaf, 0x0c, 0x00, 0x00, 0x00 };
		char resp[256];
		int h = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
				 sizeof gz);
		memcpy(resp + h, gz, sizeof gz);
		splits("http-gzip", NULL, S("GET / HTTP/1.1\r\n\r\n"), resp, (size_t)h + sizeof gz, &w);
		char hex[65], want[100];
		sha256_hex("hello world\n", 12, hex);
		snprintf(want, sizeof want, "body=%s", hex);
		has(&w, want, "http-gzip-decoded");
	}

	/* WebSocket: upgrade, masked text, ping, close with code. */
	{
		static const char up[] = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
		char c[512];
		size_t n = strlen(up);
		memcpy(c, up, n);
		/* masked "Hello" (RFC 6455 §5.7 example) */
		static const uint8_t f1[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
		memcpy(c + n, f1, sizeof f1);
		n += sizeof f1;
		static const char acc[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
		char s[512];
		size_t m = strlen(acc);
		memcpy(s, acc, m);
		static const uint8_t f2[] = { 0x01, 0x03, 'H', 'e', 'l', 0x80, 0x02, 'l', 'o', 0x89, 0x00,
					      0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e' };
		memcpy(s + m, f2, sizeof f2);
		m += sizeof f2;
		splits("websocket", NULL, c, n, s, m, &w);
		has(&w, "!websocket.accept_ok", "websocket-accept");
		has(&w, "|payload=Hello", "websocket-unmask");
		has(&w, "|message=Hello", "websocket-fragments");
		has(&w, "|close_code=1000 |close_reason=bye", "websocket-close");
	}

	/* Redis: pipelined RESP2 + RESP3 map and push. */
	splits("redis", "redis", S("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nHELLO 3\r\n"),
	       S("+PONG\r\n+OK\r\n%1\r\n+server\r\n+redis\r\n>2\r\n$7\r\nmessage\r\n:1\r\n"), &w);
	has(&w, "redis command [14,41) SET \"k\" \"v\"", "redis-command");
	has(&w, "redis reply [12,33) {server: redis}", "redis-resp3-map");
	has(&w, "redis push", "redis-resp3-push");

	/* Redis: the other RESP3 types, an attribute, nested and empty aggregates, inline
	 * commands ended by CRLF and by a bare LF, and a value the stream ends inside (the
	 * decoder keeps its place in every one of them: split at every byte). */
	splits("redis-resp3-types", "redis", S("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\nPING\nGET k\r\n"),
	       S("|1\r\n+ttl\r\n:3\r\n*3\r\n#t\r\n,1.5\r\n(12345678901234567890\r\n"
		 "~2\r\n_\r\n!3\r\nERR\r\n=7\r\ntxt:abc\r\n%1\r\n*1\r\n*0\r\n$-1\r\n*2\r\n:1\r\n$10\r\nabc"),
	       &w);
	has(&w, "redis command [0,22) HELLO \"3\"", "redis-command-array");
	has(&w, "redis command [22,27) PING |resp=PING\n !redis.inline@22", "redis-inline-bare-lf");
	has(&w, "redis command [27,34) GET k |resp=GET k\r\n !redis.inline@27", "redis-inline-crlf");
	has(&w, "redis reply [0,51) attr{ttl: (integer) 3} [(true), (double) 1.5, (integer) 12345678901234567890]",
	    "redis-attribute");
	has(&w, "redis reply [51,67) set[(nil), (error) ERR] |resp=", "redis-set-bulk-error");
	has(&w, "redis reply [67,80) \"txt:abc\"", "redis-verbatim");
	has(&w, "redis reply [80,97) {[[]]: (nil)}", "redis-map-nested-empty");
	has(&w, "redis reply [97,113) (cut short) !redis.truncated@113", "redis-cut-short");

	/* Redis: framing errors say where and why; what follows is shown unparsed. */
	{
		static const char *const bad[][2] = {
			{ "+OK\r\n?x\r\n+after\r\n", "unparsed [5,17) not RESP |bytes=?x\r\n+after\r\n !redis.bad@5" },
			{ "$2\r\nabcd\r\n", "unparsed [0,10) not RESP |bytes=$2\r\nabcd\r\n !redis.bad@6" },
			{ "*2147483647\r\n:1\r\n", "unparsed [0,17) not RESP" },
			{ "$99999999999999999999\r\n", "unparsed [0,23) not RESP" },
			{ "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n"
			  "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n"
			  "*1\r\n:1\r\n",
			  "!redis.bad@132" },
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			sb_reset(&w);
			run("redis", NULL, 0, 0, (const uint8_t *)bad[i][0], strlen(bad[i][0]), 0, &w);
			char name[64];
			snprintf(name, sizeof name, "redis-framing-error-%zu", i);
			has(&w, bad[i][1], name);
		}
	}

	/* DNS over TCP: two length-prefixed queries in one segment. */
	{
		static const uint8_t q[] = { 0, 29, 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm',
					     'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
		uint8_t two[sizeof q * 2];
		memcpy(two, q, sizeof q);
		memcpy(two + sizeof q, q, sizeof q);
		splits("dns-tcp", "dns", (const char *)two, sizeof two, S(""), &w);
		has(&w, "query 0x1234 A example.com", "dns-query");
	}

	/* A compression-pointer loop must end (RFC 1035 §4.1.4). */
	{
		static const uint8_t loop[] = { 0, 18, 0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
		splits("dns-pointer-loop", "dns", S(""), (const char *)loop, sizeof loop, &w);
		has(&w, "!dns.bad_record", "dns-pointer-loop-diagnosed");
	}

	sb_fini(&w);
	return fails ? 1 : 0;
}
