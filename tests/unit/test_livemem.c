/* test_livemem.c: a live session's memory stays flat over a long capture (issue 14:
 * "its memory stays flat over a 10-minute capture"). A capture of LIVE_N connections,
 * one every 100 ms of capture time (LIVE_N / 10 seconds in all), is pushed a
 * connection at a time into a session made as `chattcp live` makes it (nothing kept
 * per packet, decoders, the diagnosis, every bubble rendered, evicting), and each
 * evicted connection's footer and diagnosis are rendered as live prints them. The mix:
 * HTTP exchanges closed by FINs both ways (evicted 120 s after their close), refused
 * SYNs (reset: 120 s), SYNs never answered (quiet: 300 s) and DNS over UDP (quiet: 60
 * s). The heap (glibc mallinfo2: live bytes) after every connection was pushed must be
 * within LIVE_GROWTH of the heap after the first LIVE_N0, when the steady state (what
 * 120-300 s of connections hold) is reached; the same capture without eviction must
 * grow past that bound (the check can fail). Not timed: memory only.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "harness.h"
#include "out/chat_term.h"
#include "out/report.h"
#include "session/session.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_N 50000
#define LIVE_N0 5000
/* after LIVE_N may hold this much more than after LIVE_N0: malloc's fragmentation and
 * the arrays that double, not a cost per connection (that would be ~2 KB x 45,000) */
#define LIVE_GROWTH(base) ((base) + (base) / 4 + (1L << 20))

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* One IPv4 frame of connection i at q (pcap record header first); proto 6 or 17;
 * dir 0: client -> server. Returns the bytes written. */
static size_t put_frame(uint8_t *q, uint32_t i, uint64_t t_us, int proto, int dir, uint8_t flags, uint32_t seq,
			uint32_t ack, const void *pl, size_t n)
{
	size_t l4 = proto == 6 ? 20 : 8, frame = 14 + 20 + l4 + n;
	put32le(q, (uint32_t)(1700000000 + t_us / 1000000));
	put32le(q + 4, (uint32_t)(t_us % 1000000));
	put32le(q + 8, (uint32_t)frame);
	put32le(q + 12, (uint32_t)frame);
	uint8_t *e = q + 16;
	memset(e, 0x02, 12);
	put16be(e + 12, 0x0800);
	uint8_t *ip = e + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16be(ip + 2, (uint16_t)(20 + l4 + n));
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	uint32_t cli = 0x0a000000u + i + 1, srv = 0x0aff0001u;
	put32be(ip + 12, dir ? srv : cli);
	put32be(ip + 16, dir ? cli : srv);
	uint8_t *h = ip + 20;
	memset(h, 0, l4);
	uint16_t cport = (uint16_t)(1024 + i % 60000), sport = proto == 6 ? 80 : 53;
	put16be(h, dir ? sport : cport);
	put16be(h + 2, dir ? cport : sport);
	if (proto == 6) {
		put32be(h + 4, seq);
		put32be(h + 8, ack);
		h[12] = 5 << 4;
		h[13] = flags;
		put16be(h + 14, 65535);
	} else {
		put16be(h + 4, (uint16_t)(8 + n));
	}
	if (n)
		memcpy(h + l4, pl, n);
	return 16 + frame;
}

/* Connection i's packets at q, starting at t_us; returns the bytes written. */
static size_t put_conn(uint8_t *q, uint32_t i, uint64_t t)
{
	static const char rq[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char rs[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	/* a query for a.example, A, and its answer without records */
	static const uint8_t dq[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 7, 'e', 'x', 'a',
				      'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
	uint8_t da[sizeof dq];
	memcpy(da, dq, sizeof dq);
	da[2] = 0x81, da[3] = 0x80;
	uint32_t L = sizeof rq - 1, A = sizeof rs - 1, c0 = 1000 + i, s0 = 5000;
	size_t n = 0;
	switch (i % 10) {
	case 0: /* a SYN never answered: quiet */
		n += put_frame(q + n, i, t, 6, 0, 0x02, c0, 0, NULL, 0);
		break;
	case 1: /* refused */
		n += put_frame(q + n, i, t, 6, 0, 0x02, c0, 0, NULL, 0);
		n += put_frame(q + n, i, t + 100, 6, 1, 0x14, 0, c0 + 1, NULL, 0);
		break;
	case 2: /* DNS */
		n += put_frame(q + n, i, t, 17, 0, 0, 0, 0, dq, sizeof dq);
		n += put_frame(q + n, i, t + 100, 17, 1, 0, 0, 0, da, sizeof da);
		break;
	default: /* an HTTP exchange, closed both ways */
		n += put_frame(q + n, i, t, 6, 0, 0x02, c0, 0, NULL, 0);
		n += put_frame(q + n, i, t + 100, 6, 1, 0x12, s0, c0 + 1, NULL, 0);
		n += put_frame(q + n, i, t + 200, 6, 0, 0x10, c0 + 1, s0 + 1, NULL, 0);
		n += put_frame(q + n, i, t + 300, 6, 0, 0x18, c0 + 1, s0 + 1, rq, L);
		n += put_frame(q + n, i, t + 400, 6, 1, 0x10, s0 + 1, c0 + 1 + L, NULL, 0);
		n += put_frame(q + n, i, t + 500, 6, 1, 0x18, s0 + 1, c0 + 1 + L, rs, A);
		n += put_frame(q + n, i, t + 600, 6, 0, 0x11, c0 + 1 + L, s0 + 1 + A, NULL, 0);
		n += put_frame(q + n, i, t + 700, 6, 1, 0x11, s0 + 1 + A, c0 + 2 + L, NULL, 0);
		n += put_frame(q + n, i, t + 800, 6, 0, 0x10, c0 + 2 + L, s0 + 2 + A, NULL, 0);
	}
	return n;
}

struct run {
	struct session *s;
	struct strbuf b;
	struct chat_style st;
	uint64_t bubbles, ends, evicted, diag_bytes;
};

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct run *r = ctx;
	chat_bubble(&r->b, &r->st, p);
	r->bubbles++;
	sb_reset(&r->b);
}

static void on_end(void *ctx, const struct sess_tail *t)
{
	struct run *r = ctx;
	chat_tail(&r->b, &r->st, t);
	chat_conn_footer(&r->b, &r->st, t->c);
	r->ends++;
	if (t->evicted) {
		r->evicted++;
		report_diag_text(&r->b, r->s, t->c); /* as live prints it */
		r->diag_bytes += r->b.len;
	}
	sb_reset(&r->b);
}

static long heap_now(void)
{
	struct mallinfo2 m = mallinfo2();
	return (long)(m.uordblks + m.hblkhd);
}

/* Set: one datagram stamped ten years ahead comes after the first connection (a
 * clock that jumps, or a crafted stamp): eviction must go on by the packets after it. */
static int future_stamp;

/* Pushes n connections into a live session (evicting when evict); *at_n0 is the heap
 * after the first LIVE_N0, the return value the heap after all n. */
static long live_run(uint32_t n, int evict, long *at_n0, struct run *r)
{
	memset(r, 0, sizeof *r);
	sb_init(&r->b);
	r->st.width = 100;
	r->st.show_state = r->st.show_notes = 1;
	r->st.fold = 1024;
	r->st.prev_shown_ts = INT64_MIN;
	r->st.tag_conn = r->st.live = 1;
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.keep = SESS_KEEP_NONE;
	o.app = o.diag = 1;
	o.ctx = r;
	o.on_packet = on_packet;
	o.on_conn_end = on_end;
	o.live_release = 1;
	o.evict = evict;
	long base = heap_now();
	r->s = session_new(&o);
	uint8_t hdr[24] = { 0 };
	put32le(hdr, 0xa1b2c3d4);
	hdr[4] = 2, hdr[6] = 4;
	put32le(hdr + 16, 65535);
	put32le(hdr + 20, 1);
	if (session_open_push(r->s, "livemem") < 0 || session_push(r->s, hdr, sizeof hdr) < 0)
		return -1;
	uint8_t buf[4096];
	long after = 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t k = put_conn(buf, i, (uint64_t)i * 100000);
		if (session_push(r->s, buf, k) < 0)
			return -1;
		if (future_stamp && i == 0) {
			k = put_frame(buf, 4000000, 10ull * 365 * 86400 * 1000000, 17, 0, 0, 0, 0, "x", 1);
			if (session_push(r->s, buf, k) < 0)
				return -1;
		}
		if (i + 1 == LIVE_N0)
			*at_n0 = heap_now() - base;
	}
	after = heap_now() - base;
	session_push_end(r->s);
	return after;
}

int main(void)
{
	struct run r;
	long n0 = 0, all = live_run(LIVE_N, 1, &n0, &r);
	if (all == 0 && n0 == 0) {
		printf("ok livemem-flat (not measured: mallinfo2 says nothing under this allocator)\n");
	} else {
		char why[300];
		snprintf(why, sizeof why, "heap %.1f MB after %d connections, %.1f MB after %d (at most %.1f MB)",
			 all / 1e6, LIVE_N, n0 / 1e6, LIVE_N0, LIVE_GROWTH(n0) / 1e6);
		check(all > 0 && all <= LIVE_GROWTH(n0), "livemem-flat", why);
		printf("# livemem-flat: %s\n", why);
	}
	struct sess_counts k;
	session_counts(r.s, &k);
	size_t held;
	session_conns(r.s, &held);
	char why[300];
	/* every connection but those of the last 120-300 s was evicted, each told once */
	snprintf(why, sizeof why, "%llu evicted, %zu held, %u + %u counted, %llu ends told (%llu evicted), %llu diagnosis bytes",
		 (unsigned long long)k.evicted, held, k.tcp_conns, k.udp_conns, (unsigned long long)r.ends,
		 (unsigned long long)r.evicted, (unsigned long long)r.diag_bytes);
	check(k.tcp_conns + k.udp_conns == LIVE_N && k.evicted + held == LIVE_N && k.evicted > LIVE_N - 4000 &&
		      r.evicted == k.evicted && r.ends == LIVE_N && r.diag_bytes > 100 * k.evicted &&
		      r.bubbles == (uint64_t)LIVE_N / 10 * (1 + 2 + 2 + 7 * 9),
	      "livemem-evicted", why);
	/* the last connection is still held and answers by its id */
	struct sess_id last = { 6, k.tcp_conns - 1 };
	const struct conn *c = session_conn(r.s, last);
	check(c && c->id == last.id && c->proto == 6, "livemem-lookup", "the newest connection is not found by its id");
	session_free(r.s);
	sb_fini(&r.b);

	/* a stamp ten years ahead does not stop eviction */
	future_stamp = 1;
	long f0 = 0;
	live_run(LIVE_N / 5, 1, &f0, &r);
	session_counts(r.s, &k);
	snprintf(why, sizeof why, "after a stamp ten years ahead: %llu of %d evicted", (unsigned long long)k.evicted,
		 LIVE_N / 5 + 1);
	check(k.evicted > LIVE_N / 5 - 4000, "livemem-future-stamp", why);
	session_free(r.s);
	sb_fini(&r.b);
	future_stamp = 0;

	/* the control: without eviction the same capture grows with it */
	long m0 = 0, m = live_run(LIVE_N / 2, 0, &m0, &r);
	if (m || m0) {
		snprintf(why, sizeof why, "without eviction: %.1f MB after %d, %.1f MB after %d", m / 1e6, LIVE_N / 2,
			 m0 / 1e6, LIVE_N0);
		check(m > LIVE_GROWTH(m0), "livemem-control", why);
	}
	session_free(r.s);
	sb_fini(&r.b);
	return fails ? 1 : 0;
}
