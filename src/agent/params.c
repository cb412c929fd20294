/* params.c: see params.h. The pieces of the filter are tcpdump's primitives (pcap-filter(7)):
 * "tcp", "udp", "[src|dst] host ADDR", "[src|dst] port N". */
#include "params.h"

#include "../capture/capfile.h"
#include "../capture/live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int refuse(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The names the query may use, and where each one's value goes. */
enum {
	K_I, K_TCP, K_UDP, K_H, K_HSRC, K_HDST, K_P, K_PSRC, K_PDST, K_BPF, K_FORMAT, K_SNAPLEN,
	K_DURATION, K_COUNT, K_SELF, K_TOKEN, K_N
};
static const char *const key_names[K_N] = {
	"i", "tcp", "udp", "h", "h.src", "h.dst", "p", "p.src", "p.dst", "bpf", "format", "snaplen",
	"duration", "count", "exclude_self", "token",
};

static int key_index(const char *k)
{
	for (int i = 0; i < K_N; i++)
		if (strcmp(k, key_names[i]) == 0)
			return i;
	return -1;
}

/* 1 when every byte of s is printable ASCII (no control byte, nothing past 0x7e). */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static int parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* A decimal number lo..hi, digits only (no sign, no space, no hex). */
static int parse_uint(const char *v, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	if (!*v || strlen(v) > 20)
		return -1;
	for (const char *c = v; *c; c++)
		if (*c < '0' || *c > '9')
			return -1;
	errno = 0;
	unsigned long long n = strtoull(v, NULL, 10);
	if (errno || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* An IPv4 or IPv6 literal, written back by inet_ntop: what reaches the filter is
 * our text, not the client's. */
static int parse_addr(const char *v, char *out, size_t n)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, v, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)n) ? 0 : -1;
	if (inet_pton(AF_INET6, v, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)n) ? 0 : -1;
	return -1;
}

static void add_piece(struct strbuf *f, const char *piece)
{
	if (f->len)
		sb_puts(f, " and ");
	sb_printf(f, "(%s)", piece);
}

void agent_self_ssh(struct agent_self *self, const char *ssh_connection)
{
	self->ssh[0] = 0;
	if (!ssh_connection || strlen(ssh_connection) > 160)
		return;
	char a[64], b[64], ca[48], cb[48];
	unsigned pa, pb;
	if (sscanf(ssh_connection, "%63s %u %63s %u", a, &pa, b, &pb) != 4 || pa > 65535 || pb > 65535 ||
	    parse_addr(a, ca, sizeof ca) < 0 || parse_addr(b, cb, sizeof cb) < 0)
		return;
	snprintf(self->ssh, sizeof self->ssh, "tcp and host %s and port %u and host %s and port %u", ca, pa, cb, pb);
}

void agent_params_fini(struct agent_params *p)
{
	sb_fini(&p->filter);
	sb_fini(&p->user);
}

int agent_params_parse(const struct agent_kv *kv, size_t n, const struct agent_self *self,
		       struct agent_params *p, char *why, size_t why_n)
{
	memset(p, 0, sizeof *p);
	sb_init(&p->filter);
	sb_init(&p->user);
	snprintf(p->iface, sizeof p->iface, "any");
	if (n > AGENT_PARAMS_MAX)
		return refuse(why, why_n, "too many parameters (at most %d)", AGENT_PARAMS_MAX);
	const char *val[K_N] = { 0 };
	for (size_t i = 0; i < n; i++) {
		const char *k = kv[i].key ? kv[i].key : "";
		if (kv[i].nul)
			return refuse(why, why_n, "a parameter holds a NUL byte");
		int x = key_index(k);
		if (x < 0) {
			if (strlen(k) > AGENT_VALUE_MAX || !printable(k))
				return refuse(why, why_n, "unknown parameter");
			return refuse(why, why_n, "unknown parameter '%s'", k);
		}
		if (val[x])
			return refuse(why, why_n, "parameter '%s' given twice", k);
		const char *v = kv[i].value ? kv[i].value : "";
		size_t max = x == K_BPF ? AGENT_BPF_MAX : x == K_TOKEN ? 256 : AGENT_VALUE_MAX;
		if (strlen(v) > max)
			return refuse(why, why_n, "parameter '%s' is longer than %zu bytes", k, max);
		if (!printable(v))
			return refuse(why, why_n, "parameter '%s' has a control or non-ASCII byte", k);
		val[x] = v;
	}
	if (val[K_I]) {
		if (!*val[K_I] || strlen(val[K_I]) >= 16 || strpbrk(val[K_I], " /"))
			return refuse(why, why_n, "i: not an interface name");
		snprintf(p->iface, sizeof p->iface, "%s", val[K_I]);
	}
	if (val[K_FORMAT]) {
		if (strcmp(val[K_FORMAT], "pcapng") == 0)
			p->format = AGENT_PCAPNG;
		else if (strcmp(val[K_FORMAT], "sse") == 0 || strcmp(val[K_FORMAT], "json") == 0)
			p->format = AGENT_SSE;
		else
			return refuse(why, why_n, "format: pcapng or sse");
	}
	unsigned long long u;
	if (val[K_SNAPLEN]) {
		if (parse_uint(val[K_SNAPLEN], LIVE_SNAPLEN_MIN, LIVE_SNAPLEN_MAX, &u) < 0)
			return refuse(why, why_n, "snaplen: %u to %u bytes", LIVE_SNAPLEN_MIN, LIVE_SNAPLEN_MAX);
		p->snaplen = (uint32_t)u;
	}
	if (val[K_DURATION]) {
		if (parse_uint(val[K_DURATION], 1, AGENT_DURATION_MAX_S, &u) < 0)
			return refuse(why, why_n, "duration: 1 to %d seconds", AGENT_DURATION_MAX_S);
		p->duration_ns = (int64_t)u * 1000000000;
	}
	if (val[K_COUNT]) {
		if (parse_uint(val[K_COUNT], 1, (unsigned long long)1 << 40, &u) < 0)
			return refuse(why, why_n, "count: a number of packets, 1 or more");
		p->count = u;
	}
	int tcp = 0, udp = 0, excl = 1;
	if ((val[K_TCP] && parse_bool(val[K_TCP], &tcp) < 0) || (val[K_UDP] && parse_bool(val[K_UDP], &udp) < 0) ||
	    (val[K_SELF] && parse_bool(val[K_SELF], &excl) < 0))
		return refuse(why, why_n, "tcp, udp and exclude_self take true or false");
	if (tcp && udp)
		return refuse(why, why_n, "tcp=true and udp=true: one of them (or neither for both)");
	if (tcp || udp)
		add_piece(&p->user, tcp ? "tcp" : "udp");

	if (val[K_H] && (val[K_HSRC] || val[K_HDST]))
		return refuse(why, why_n, "h is either way: not with h.src or h.dst");
	static const int hosts[3] = { K_H, K_HSRC, K_HDST };
	static const char *const host_words[3] = { "host", "src host", "dst host" };
	for (int i = 0; i < 3; i++) {
		const char *v = val[hosts[i]];
		if (!v)
			continue;
		char a[48], piece[80];
		if (parse_addr(v, a, sizeof a) < 0)
			return refuse(why, why_n, "%s: not an IPv4 or IPv6 address", key_names[hosts[i]]);
		snprintf(piece, sizeof piece, "%s %s", host_words[i], a);
		add_piece(&p->user, piece);
	}
	if (val[K_P] && (val[K_PSRC] || val[K_PDST]))
		return refuse(why, why_n, "p is either way: not with p.src or p.dst");
	static const int ports[3] = { K_P, K_PSRC, K_PDST };
	static const char *const port_words[3] = { "port", "src port", "dst port" };
	for (int i = 0; i < 3; i++) {
		const char *v = val[ports[i]];
		if (!v)
			continue;
		char piece[40];
		if (parse_uint(v, 0, 65535, &u) < 0)
			return refuse(why, why_n, "%s: a port number, 0 to 65535", key_names[ports[i]]);
		snprintf(piece, sizeof piece, "%s %llu", port_words[i], u);
		add_piece(&p->user, piece);
	}
	if (val[K_BPF] && *val[K_BPF]) {
		struct err e;
		err_clear(&e);
		/* alone first: an unbalanced expression cannot be joined safely */
		if (live_filter_check(LT_ETHERNET, 0, val[K_BPF], &e) < 0)
			return refuse(why, why_n, "bpf: %s", e.msg);
		add_piece(&p->user, val[K_BPF]);
	}
	if (p->user.len)
		sb_printf(&p->filter, "(%s)", p->user.s);
	if (excl) {
		char piece[96];
		if (self->addr[0])
			snprintf(piece, sizeof piece, "not (tcp port %u and host %s)", self->port, self->addr);
		else
			snprintf(piece, sizeof piece, "not (tcp port %u)", self->port);
		add_piece(&p->filter, piece);
		if (self->ssh[0]) {
			char sp[224];
			snprintf(sp, sizeof sp, "not (%s)", self->ssh);
			add_piece(&p->filter, sp);
		}
	}
	if (!p->filter.s)
		sb_puts(&p->filter, "");
	if (!p->user.s)
		sb_puts(&p->user, "");
	return 0;
}
