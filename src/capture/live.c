/* live.c: see live.h. libpcap (pcap_create / pcap_activate, pcap(3PCAP)) opens the
 * interface; on Linux it maps the kernel's TPACKET ring, so handing out a packet costs
 * no copy and no system call until the ring is empty. */
#include "live.h"

#include "capfile.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/socket.h>

struct live_src {
	pcap_t *p;
	char *iface;
	uint16_t linktype;
	uint32_t snaplen;
	int nano;              /* timestamps come in ns (else us) */
	/* pcap_stats counters are 32 bits: the 64-bit totals are summed from their
	 * differences, so a long capture does not see them wrap */
	unsigned int last_recv, last_drop, last_ifdrop;
	struct live_stats total;
};

/* libpcap's DLT values are the LINKTYPE values of the pcapng registry except for a few
 * that differ by platform; on Linux only raw IP does (DLT_RAW 12, LINKTYPE_RAW 101). */
static uint16_t dlt_to_linktype(int dlt)
{
	if (dlt == DLT_RAW)
		return LT_RAW;
	return (uint16_t)dlt;
}

static void open_error(struct err *e, const char *iface, int rc, pcap_t *p)
{
	const char *why = pcap_geterr(p);
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		err_set(e, EXIT_BADINPUT, -1, "%s: no such interface (see 'chattcp interfaces')", iface);
		break;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		err_set(e, EXIT_BADINPUT, -1,
			"%s: no permission to capture (%s); capturing needs CAP_NET_RAW: run as root, or give the binary the capabilities (setcap cap_net_raw,cap_net_admin=eip chattcp)",
			iface, why && *why ? why : pcap_statustostr(rc));
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		err_set(e, EXIT_BADINPUT, -1, "%s: the interface is not up", iface);
		break;
	default:
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot capture: %s", iface, why && *why ? why : pcap_statustostr(rc));
	}
}

static int set_filter(struct live_src *ls, const char *filter, struct err *e)
{
	struct bpf_program prog;
	if (pcap_compile(ls->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: filter '%s': %s", ls->iface, filter, pcap_geterr(ls->p));
		return -1;
	}
	int rc = pcap_setfilter(ls->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot set filter '%s': %s", ls->iface, filter, pcap_geterr(ls->p));
		return -1;
	}
	return 0;
}

int live_set_filter(struct live_src *ls, const char *filter, struct err *e)
{
	return set_filter(ls, filter, e);
}

struct live_src *live_open(const struct live_opts *o, struct err *e)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	errbuf[0] = '\0';
	pcap_t *p = pcap_create(o->iface, errbuf);
	if (!p) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot capture: %s", o->iface, errbuf);
		return NULL;
	}
	uint32_t snap = o->snaplen ? o->snaplen : LIVE_SNAPLEN_MAX;
	size_t buf = o->buffer ? o->buffer : LIVE_BUFFER_DEFAULT;
	pcap_set_snaplen(p, (int)snap);
	pcap_set_promisc(p, o->promisc ? 1 : 0);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	pcap_set_buffer_size(p, (int)buf);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		open_error(e, o->iface, rc, p);
		pcap_close(p);
		return NULL;
	}
	struct live_src *ls = xcalloc(1, sizeof *ls);
	ls->p = p;
	ls->iface = xstrdup(o->iface);
	ls->linktype = dlt_to_linktype(pcap_datalink(p));
	int got = pcap_snapshot(p);
	ls->snaplen = got > 0 && (uint32_t)got < snap ? (uint32_t)got : snap;
	ls->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	if (pcap_setnonblock(p, 1, errbuf) < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot capture: %s", o->iface, errbuf);
		live_close(ls);
		return NULL;
	}
	if (o->filter && *o->filter && set_filter(ls, o->filter, e) < 0) {
		live_close(ls);
		return NULL;
	}
	return ls;
}

void live_close(struct live_src *ls)
{
	if (!ls)
		return;
	pcap_close(ls->p);
	xfree(ls->iface);
	xfree(ls);
}

uint16_t live_linktype(const struct live_src *ls) { return ls->linktype; }
uint32_t live_snaplen(const struct live_src *ls) { return ls->snaplen; }
const char *live_iface(const struct live_src *ls) { return ls->iface; }
const char *live_linktype_desc(uint16_t linktype)
{
	return pcap_datalink_val_to_description(linktype == LT_RAW ? DLT_RAW : linktype);
}

int live_fd(const struct live_src *ls) { return pcap_get_selectable_fd(ls->p); }

struct dispatch_ctx {
	live_packet_fn fn;
	void *ctx;
	int nano;
};

static void on_pcap_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct dispatch_ctx *d = (struct dispatch_ctx *)(void *)user;
	/* the kernel's clock: seconds since the epoch, far inside +-CAP_TS_MAX_NS */
	int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * (d->nano ? 1 : 1000);
	d->fn(d->ctx, ts, bytes, h->caplen, h->len);
}

int live_dispatch(struct live_src *ls, int max, live_packet_fn fn, void *ctx, struct err *e)
{
	struct dispatch_ctx d = { fn, ctx, ls->nano };
	int n = pcap_dispatch(ls->p, max, on_pcap_packet, (u_char *)(void *)&d);
	if (n == PCAP_ERROR) {
		err_set(e, EXIT_BADINPUT, -1, "%s: capture stopped: %s", ls->iface, pcap_geterr(ls->p));
		return -1;
	}
	return n < 0 ? 0 : n; /* PCAP_ERROR_BREAK: nothing more now */
}

int live_get_stats(struct live_src *ls, struct live_stats *st)
{
	struct pcap_stat ps;
	if (pcap_stats(ls->p, &ps) < 0) {
		*st = ls->total;
		return -1;
	}
	/* unsigned differences: right across a wrap of the 32-bit counter */
	ls->total.received += (unsigned int)(ps.ps_recv - ls->last_recv);
	ls->total.kernel_drops += (unsigned int)(ps.ps_drop - ls->last_drop);
	ls->total.if_drops += (unsigned int)(ps.ps_ifdrop - ls->last_ifdrop);
	ls->last_recv = ps.ps_recv;
	ls->last_drop = ps.ps_drop;
	ls->last_ifdrop = ps.ps_ifdrop;
	*st = ls->total;
	return 0;
}

/* --- interfaces --- */

static int prefix_len(const struct sockaddr *m)
{
	if (!m)
		return -1;
	const uint8_t *b;
	size_t n;
	if (m->sa_family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)(const void *)m)->sin_addr;
		n = 4;
	} else if (m->sa_family == AF_INET6) {
		b = ((const struct sockaddr_in6 *)(const void *)m)->sin6_addr.s6_addr;
		n = 16;
	} else {
		return -1;
	}
	int bits = 0;
	for (size_t i = 0; i < n; i++)
		bits += __builtin_popcount(b[i]);
	return bits;
}

static void add_addr(struct live_iface *f, size_t *cap, const pcap_addr_t *a)
{
	const struct sockaddr *sa = a->addr;
	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return; /* link-layer (AF_PACKET) entries: the MAC is not what one filters on here */
	struct live_addr x;
	memset(&x, 0, sizeof x);
	const void *src = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
						   : (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	x.family = sa->sa_family == AF_INET ? LIVE_ADDR_V4 : LIVE_ADDR_V6;
	if (!inet_ntop(sa->sa_family, src, x.addr, sizeof x.addr))
		return;
	x.prefix = prefix_len(a->netmask);
	xgrow(&f->addrs, cap, f->n_addrs + 1, sizeof *f->addrs);
	f->addrs[f->n_addrs++] = x;
}

long live_ifaces(struct live_iface **out, struct err *e)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	*out = NULL;
	if (pcap_findalldevs(&all, errbuf) < 0) {
		err_set(e, EXIT_SYSTEM, -1, "cannot list interfaces: %s", errbuf);
		return -1;
	}
	struct live_iface *v = NULL;
	size_t n = 0, cap = 0;
	for (const pcap_if_t *d = all; d; d = d->next) {
		xgrow(&v, &cap, n + 1, sizeof *v);
		struct live_iface *f = &v[n++];
		memset(f, 0, sizeof *f);
		f->name = xstrdup(d->name);
		f->description = d->description ? xstrdup(d->description) : NULL;
		f->up = !!(d->flags & PCAP_IF_UP);
		f->running = !!(d->flags & PCAP_IF_RUNNING);
		f->loopback = !!(d->flags & PCAP_IF_LOOPBACK);
		f->wireless = !!(d->flags & PCAP_IF_WIRELESS);
		bpf_u_int32 st = d->flags & PCAP_IF_CONNECTION_STATUS;
		f->status = st == PCAP_IF_CONNECTION_STATUS_CONNECTED	   ? "connected"
			    : st == PCAP_IF_CONNECTION_STATUS_DISCONNECTED ? "disconnected"
									   : "";
		size_t acap = 0;
		for (const pcap_addr_t *a = d->addresses; a; a = a->next)
			add_addr(f, &acap, a);
	}
	pcap_freealldevs(all);
	*out = v;
	return (long)n;
}

void live_ifaces_free(struct live_iface *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		xfree(v[i].name);
		xfree(v[i].description);
		xfree(v[i].addrs);
	}
	xfree(v);
}

int live_filter_check(uint16_t linktype, uint32_t snaplen, const char *filter, struct err *e)
{
	int dlt = linktype == LT_RAW ? DLT_RAW : linktype;
	pcap_t *p = pcap_open_dead(dlt, (int)(snaplen ? snaplen : LIVE_SNAPLEN_MAX));
	if (!p) {
		err_set(e, EXIT_SYSTEM, -1, "cannot check filter '%s': out of memory", filter);
		return -1;
	}
	struct bpf_program prog;
	int rc = pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0)
		err_set(e, EXIT_BADINPUT, -1, "filter '%s': %s", filter, pcap_geterr(p));
	else
		pcap_freecode(&prog);
	pcap_close(p);
	return rc < 0 ? -1 : 0;
}
