/* fwd.c: the "path" between two veth ends for tests/captures/diag/make.sh. It bridges
 * frames between interface A (the client side) and B (the server side) over AF_PACKET
 * sockets, after a fixed one-way delay, and can impair them the ways real paths do.
 * This kernel has no netem; a userspace bridge gives a real round-trip time to real
 * Linux stacks on both sides. Test tooling, not part of chattcp.
 *
 *   fwd A B [-d US] [-l PERMILLE] [-s SEED] [-S] [-m BYTES] [-t N] [-r N:US]
 *           [-b KBITPS:QBYTES] [-a N] [-x N]
 *   -d US        one-way delay, each direction (default 0)
 *   -l PERMILLE  random loss of B->A (server to client) TCP data segments
 *   -s SEED      seed of the loss generator (default 1)
 *   -S           drop every SYN from A (a blackholed port)
 *   -m BYTES     drop IPv4 packets longer than BYTES, no ICMP (a path-MTU black hole)
 *   -t SIZE      tail loss: drop the first sending of the B->A segment that ends the first SIZE
 *                bytes the server sends (the last segment of a SIZE-byte answer)
 *   -r N:US      reordering: hold every Nth B->A data segment US longer
 *   -b K:Q       bottleneck A->B: K kbit/s, a queue of Q bytes (tail drop beyond)
 *   -a N         drop the first N pure ACKs from A of each connection (lost third handshake)
 *   -x N         after the Nth B->A data segment, inject a RST to both ends (IP TTL 128)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 2048
#define FRAME 2048

struct slot { int64_t at; uint64_t order; int to; int len; unsigned char b[FRAME]; int used; };
static struct slot q[SLOTS];
static int sk[2], ifx[2];
static int64_t delay_ns, reorder_ns, bn_free_at;
static int loss_pm, syn_drop, mtu_max, tail_n, reorder_n, ack_drop_n, rst_after, bn_kbps, bn_q, bn_bytes;
static uint64_t rng = 1;
static unsigned down_data;
static volatile sig_atomic_t stop;

static int64_t now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)(rng >> 11); }

static int open_if(const char *name, int *idx)
{
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (s < 0) { perror("socket"); exit(1); }
	*idx = (int)if_nametoindex(name);
	if (!*idx) { fprintf(stderr, "fwd: no interface %s\n", name); exit(1); }
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = *idx };
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
	int one = 1;
	setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
	int big = 4 << 20;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	return s;
}

static uint64_t order;   /* arrival order: frames due at once leave in the order they came */

static void put(int to, const unsigned char *b, int len, int64_t at)
{
	for (int i = 0; i < SLOTS; i++) {
		if (q[i].used)
			continue;
		q[i].used = 1; q[i].to = to; q[i].len = len; q[i].at = at; q[i].order = order++;
		memcpy(q[i].b, b, (size_t)len);
		return;
	}
	/* full: the frame is lost, as on a router out of buffers */
}

static uint16_t csum(const unsigned char *p, int n, uint32_t sum)
{
	for (int i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1) sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A RST made from frame f (eth+ip+tcp), sent the way f went or back toward its source. */
static void inject_rst(const unsigned char *f, int back, int64_t at)
{
	unsigned char r[14 + 20 + 20];
	int ihl = (f[14] & 15) * 4;
	const unsigned char *tf = f + 14 + ihl;
	int doff = (tf[12] >> 4) * 4;
	int totlen = f[16] << 8 | f[17];
	uint32_t seq = (uint32_t)tf[4] << 24 | tf[5] << 16 | tf[6] << 8 | tf[7];
	uint32_t ack = (uint32_t)tf[8] << 24 | tf[9] << 16 | tf[10] << 8 | tf[11];
	uint32_t dlen = (uint32_t)(totlen - ihl - doff);
	memset(r, 0, sizeof r);
	unsigned char *ip = r + 14, *t = r + 34;
	if (back) { memcpy(r, f + 6, 6); memcpy(r + 6, f, 6); } else memcpy(r, f, 12);
	r[12] = 8; r[13] = 0;
	ip[0] = 0x45; ip[3] = 40; ip[4] = 0x12; ip[5] = 0x34; ip[8] = 128; ip[9] = 6;
	memcpy(ip + 12, f + 14 + (back ? 16 : 12), 4);
	memcpy(ip + 16, f + 14 + (back ? 12 : 16), 4);
	uint16_t c = csum(ip, 20, 0); ip[10] = c >> 8; ip[11] = c & 255;
	memcpy(t, tf + (back ? 2 : 0), 2);
	memcpy(t + 2, tf + (back ? 0 : 2), 2);
	uint32_t s = back ? ack : seq + dlen, a = back ? seq + dlen : ack;
	t[4] = s >> 24; t[5] = s >> 16; t[6] = s >> 8; t[7] = s;
	t[8] = a >> 24; t[9] = a >> 16; t[10] = a >> 8; t[11] = a;
	t[12] = 5 << 4; t[13] = 0x14; /* RST+ACK */
	unsigned char ph[12 + 20];
	memcpy(ph, ip + 12, 8); ph[8] = 0; ph[9] = 6; ph[10] = 0; ph[11] = 20;
	memcpy(ph + 12, t, 20);
	c = csum(ph, 32, 0); t[16] = c >> 8; t[17] = c & 255;
	put(back ? 0 : 1, r, (int)sizeof r, at);
}

/* A connection's pure ACKs from A dropped so far, by client port. */
static struct { uint16_t port; int n; } acks[256];
static int ack_seen(uint16_t port)
{
	for (int i = 0; i < 256; i++) {
		if (acks[i].port == port) return ++acks[i].n;
		if (!acks[i].port) { acks[i].port = port; return acks[i].n = 1; }
	}
	return 1000;
}
static uint32_t server_isn;
static int tail_done;

static void handle(int from, unsigned char *b, int len)
{
	int64_t t = now(), at = t + delay_ns;
	int to = 1 - from;
	int ipv4 = len >= 34 && b[12] == 8 && b[13] == 0;
	if (ipv4) {
		int ihl = (b[14] & 15) * 4, totlen = b[16] << 8 | b[17];
		if (mtu_max && totlen > mtu_max)
			return;
		if (b[23] == 6 && len >= 14 + ihl + 20) {
			unsigned char *tf = b + 14 + ihl;
			int doff = (tf[12] >> 4) * 4, fl = tf[13];
			int dlen = totlen - ihl - doff;
			uint32_t seq = (uint32_t)tf[4] << 24 | tf[5] << 16 | tf[6] << 8 | tf[7];
			if (from == 1 && (fl & 0x12) == 0x12)
				server_isn = seq;
			if (from == 0 && syn_drop && (fl & 0x12) == 0x02)
				return;
			if (from == 0 && ack_drop_n && fl == 0x10 && dlen == 0 && ack_seen((uint16_t)(tf[0] << 8 | tf[1])) <= ack_drop_n)
				return;
			if (from == 1 && dlen > 0) {
				if (loss_pm && (int)(rnd() % 1000) < loss_pm)
					return;
				if (tail_n && !tail_done && seq + (uint32_t)dlen - server_isn - 1 == (uint32_t)tail_n) {
					tail_done = 1;
					return;
				}
				down_data++;
				if (reorder_n && down_data % (unsigned)reorder_n == 0)
					at += reorder_ns;
				if (rst_after && down_data == (unsigned)rst_after) {
					put(to, b, len, at);
					inject_rst(b, 0, at + 1000);
					inject_rst(b, 1, t + delay_ns);
					return;
				}
			}
			if (from == 0 && bn_kbps) {
				int64_t start = bn_free_at > t ? bn_free_at : t;
				int64_t backlog = (start - t) * bn_kbps / 8000000; /* bytes queued ahead */
				if (backlog + len > bn_q)
					return;
				bn_free_at = start + (int64_t)len * 8000000 / bn_kbps;
				at = bn_free_at + delay_ns;
				(void)bn_bytes;
			}
		}
	}
	put(to, b, len, at);
}

static void onsig(int s) { (void)s; stop = 1; }

int main(int argc, char **argv)
{
	if (argc < 3) { fprintf(stderr, "usage: fwd A B [options]\n"); return 2; }
	sk[0] = open_if(argv[1], &ifx[0]);
	sk[1] = open_if(argv[2], &ifx[1]);
	for (int i = 3; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
		if (!strcmp(o, "-d")) delay_ns = atoll(v) * 1000, i++;
		else if (!strcmp(o, "-l")) loss_pm = atoi(v), i++;
		else if (!strcmp(o, "-s")) rng = (uint64_t)atoll(v) * 2654435761u + 1, i++;
		else if (!strcmp(o, "-S")) syn_drop = 1;
		else if (!strcmp(o, "-m")) mtu_max = atoi(v), i++;
		else if (!strcmp(o, "-t")) tail_n = atoi(v), i++;
		else if (!strcmp(o, "-r")) { reorder_n = atoi(v); reorder_ns = atoll(strchr(v, ':') ? strchr(v, ':') + 1 : "0") * 1000; i++; }
		else if (!strcmp(o, "-b")) { bn_kbps = atoi(v); bn_q = atoi(strchr(v, ':') ? strchr(v, ':') + 1 : "0"); i++; }
		else if (!strcmp(o, "-a")) ack_drop_n = atoi(v), i++;
		else if (!strcmp(o, "-x")) rst_after = atoi(v), i++;
		else { fprintf(stderr, "fwd: unknown option %s\n", o); return 2; }
	}
	signal(SIGTERM, onsig); signal(SIGINT, onsig);
	struct pollfd p[2] = { { .fd = sk[0], .events = POLLIN }, { .fd = sk[1], .events = POLLIN } };
	unsigned char buf[FRAME];
	while (!stop) {
		int64_t t = now(), next = t + 100000000;
		/* every due frame, earliest first (ties: first come), so the path itself never
		 * reorders what the options do not ask it to */
		for (;;) {
			int best = -1;
			for (int i = 0; i < SLOTS; i++)
				if (q[i].used && q[i].at <= t && (best < 0 || q[i].at < q[best].at || (q[i].at == q[best].at && q[i].order < q[best].order)))
					best = i;
			if (best < 0)
				break;
			struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_ifindex = ifx[q[best].to], .sll_halen = 6 };
			memcpy(a.sll_addr, q[best].b, 6);
			sendto(sk[q[best].to], q[best].b, (size_t)q[best].len, 0, (struct sockaddr *)&a, sizeof a);
			q[best].used = 0;
		}
		for (int i = 0; i < SLOTS; i++)
			if (q[i].used && q[i].at < next)
				next = q[i].at;
		struct timespec wait = { (next - t) / 1000000000, (next - t) % 1000000000 };
		int r = ppoll(p, 2, &wait, NULL);
		if (r <= 0) continue;
		for (int s = 0; s < 2; s++) {
			if (!(p[s].revents & POLLIN)) continue;
			for (;;) {
				ssize_t n = recv(sk[s], buf, sizeof buf, MSG_DONTWAIT);
				if (n <= 0) break;
				handle(s, buf, (int)n);
			}
		}
	}
	return 0;
}
