/* test_session.c: the session API as a client uses it.
 *   - pushed: a capture pushed in pieces (one byte, a few bytes, random sizes) into a
 *     live session gives, connection by connection, exactly the chat JSON a batch session
 *     gives on the same capture read as a file;
 *   - memory: a session whose memory limit is far below what the capture needs fails
 *     with an error (never exits), says so, and frees cleanly; the next session in the
 *     same process works; a limit that is enough changes nothing;
 *   - stacking: a gzip'd event stream comes out as events whose offsets are in the
 *     connection's stream and whose frames are the packets that carried them.
 * Prints "ok NAME" / "FAIL NAME: why". Run from the top of the tree (captures). */
#include "harness.h"
#include "out/json.h"
#include "session/session.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNS 64

struct lines {
	struct strbuf by_conn[MAX_CONNS]; /* chat --json lines by connection index */
};

static void lines_init(struct lines *l)
{
	for (int i = 0; i < MAX_CONNS; i++)
		sb_init(&l->by_conn[i]);
}

static void lines_fini(struct lines *l)
{
	for (int i = 0; i < MAX_CONNS; i++)
		sb_fini(&l->by_conn[i]);
}

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct lines *l = ctx;
	if (p->c->idx < MAX_CONNS)
		json_packet(&l->by_conn[p->c->idx], p, JSON_PKT_NOTE | JSON_PKT_APP);
}

static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct lines *l = ctx;
	if (t->c->idx < MAX_CONNS)
		json_tail(&l->by_conn[t->c->idx], t);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long k = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc(k > 0 ? (size_t)k : 1);
	*n = fread(p, 1, (size_t)k, f);
	fclose(f);
	return p;
}

static int batch(const uint8_t *cap, size_t n, struct lines *out)
{
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.keep = SESS_KEEP_PACKETS;
	o.app = 1;
	struct session *s = session_new(&o);
	if (session_open_mem(s, "batch", cap, n) < 0)
		return -1;
	session_run(s);
	size_t nc;
	const struct conn *const *all = session_conns(s, &nc);
	for (size_t i = 0; i < nc; i++)
		session_walk(s, all[i], on_packet, on_tail, out);
	session_free(s);
	return 0;
}

/* Pushes cap in pieces: step 0 = random sizes from seed, else that many bytes. */
static int pushed(const uint8_t *cap, size_t n, size_t step, unsigned seed, struct lines *out)
{
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.app = 1;
	o.on_packet = on_packet;
	o.on_conn_end = on_tail;
	o.live_release = 1;
	o.ctx = out;
	struct session *s = session_new(&o);
	if (session_open_push(s, "pushed") < 0)
		return -1;
	size_t at = 0;
	while (at < n) {
		size_t k = step ? step : 1 + (size_t)(rand_r(&seed) % 3000);
		if (k > n - at)
			k = n - at;
		if (session_push(s, cap + at, k) < 0)
			break;
		at += k;
	}
	int rc = session_push_end(s);
	session_free(s);
	return rc;
}

static void compare(const char *name, const char *path)
{
	size_t n;
	uint8_t *cap = slurp(path, &n);
	if (!cap) {
		check(0, name, "cannot read the capture");
		return;
	}
	struct lines a, b;
	lines_init(&a);
	batch(cap, n, &a);
	static const size_t steps[] = { 1, 7, 0 };
	for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
		lines_init(&b);
		pushed(cap, n, steps[si], 42, &b);
		int same = 1, k = -1;
		for (int i = 0; i < MAX_CONNS && same; i++)
			if (a.by_conn[i].len != b.by_conn[i].len ||
			    (a.by_conn[i].len && memcmp(a.by_conn[i].s, b.by_conn[i].s, a.by_conn[i].len)))
				same = 0, k = i;
		char nm[160], why[400];
		snprintf(nm, sizeof nm, "pushed-%s-%s", steps[si] ? (steps[si] == 1 ? "1byte" : "7bytes") : "random", name);
		snprintf(why, sizeof why, "connection %d differs from the batch session", k);
		check(same && a.by_conn[0].len > 0, nm, same ? "no output" : why);
		lines_fini(&b);
	}
	lines_fini(&a);
	free(cap);
}

static void memory(void)
{
	size_t n;
	uint8_t *cap = slurp("tests/captures/http-png-download.pcapng", &n);
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.keep = SESS_KEEP_PACKETS;
	o.app = 1;
	o.body = SESS_BODY_WHOLE;
	o.mem_limit = 64 << 10; /* far below the 400 kB body it carries */
	struct session *s = session_new(&o);
	int open = session_open_mem(s, "limited", cap, n);
	int rc = open == 0 ? session_run(s) : -1;
	const struct err *e = session_error(s);
	check(rc < 0 && session_failed(s) && strstr(e->msg, "memory limit") != NULL, "memory-limit-fails-with-an-error",
	      e->msg[0] ? e->msg : "no error");
	/* every later call refuses at once */
	size_t nm;
	const struct conn *const *cs = session_conns(s, &nm);
	struct sess_stats st;
	session_stats(s, &st);
	check(cs == NULL && nm == 0 && st.tcp == 0, "failed-session-refuses", "a call on a failed session went on");
	session_free(s);
	/* the process goes on: the same capture with room enough */
	o.mem_limit = 256 << 20;
	s = session_new(&o);
	rc = session_open_mem(s, "roomy", cap, n) == 0 ? session_run(s) : -1;
	size_t nc;
	session_conns(s, &nc);
	check(rc == 0 && !session_failed(s) && nc > 0, "next-session-works", session_error(s)->msg);
	session_free(s);
	free(cap);
}

int main(void)
{
	static const char *const caps[] = {
		"tcp-3pkt-close-http-get.pcap", "tcp-simultaneous-close-http-gzip.pcap", "http-png-download.pcapng",
		"mysql-queries.pcap", "redis-pipelining-ipv6-null.pcap", "pcapng-two-interfaces-udp.pcapng",
		"null-http-range-41-flows.pcap", "sll2-http-download.pcap", "ipv6-extension-headers-http.pcap",
	};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, "tests/captures/%s", caps[i]);
		compare(caps[i], path);
	}
	memory();
	return fails ? 1 : 0;
}
