/* livecap.c: see livecap.h. */
#include "livecap.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../capture/pcapng_write.h"
#include "../engine/engine.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

struct livecap {
	struct session *s;
	struct livecap_opts o;
	struct live_src *src;    /* a local interface, or */
	struct remote_src *rem;  /* a capture agent */
	int remote_ended;        /* the agent ended the stream */
	struct pcapng_out out;
	int writing;
	struct strbuf blk;       /* the block of the packet in hand */
	struct livecap_counts k;
	int64_t start_ns;
	int write_failed;
	struct err write_err;
};

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * TS_NS_PER_SEC + t.tv_nsec;
}

/* --- the source: a local interface or an agent --- */

static uint16_t src_linktype(const struct livecap *lc)
{
	return lc->rem ? remote_linktype(lc->rem) : live_linktype(lc->src);
}

static uint32_t src_snaplen(const struct livecap *lc)
{
	return lc->rem ? remote_snaplen(lc->rem) : live_snaplen(lc->src);
}

static const char *src_name(const struct livecap *lc)
{
	return lc->rem ? remote_name(lc->rem) : live_iface(lc->src);
}

static void src_stats(struct livecap *lc, struct live_stats *st)
{
	if (lc->rem)
		remote_get_stats(lc->rem, st);
	else
		live_get_stats(lc->src, st);
}

struct livecap *livecap_open(struct session *s, const struct livecap_opts *o, struct err *e)
{
	struct livecap *lc = xcalloc(1, sizeof *lc);
	lc->s = s;
	lc->o = *o;
	err_clear(&lc->write_err);
	sb_init(&lc->blk);
	if (o->remote_url) {
		struct remote_opts ro = { o->remote_url, o->remote_token, o->cap.iface, o->cap.filter, o->cap.snaplen,
					  o->remote_ca, o->remote_insecure };
		lc->rem = remote_open(&ro, e);
	} else {
		lc->src = live_open(&o->cap, e);
	}
	if (!lc->rem && !lc->src) {
		livecap_free(lc);
		return NULL;
	}
	uint16_t lt = src_linktype(lc);
	if (!engine_linktype_ok(lt)) {
		const char *d = live_linktype_desc(lt);
		err_set(e, EXIT_BADINPUT, -1,
			"%s: link type %u (%s) is not supported (Ethernet, Linux cooked v1/v2, BSD loopback and raw IP are)",
			src_name(lc), lt, d ? d : "unknown");
		livecap_free(lc);
		return NULL;
	}
	struct strbuf head;
	sb_init(&head);
	pcapng_put_shb(&head, "chattcp");
	pcapng_put_idb(&head, lt, src_snaplen(lc), lc->rem ? (o->cap.iface ? o->cap.iface : "any") : live_iface(lc->src));
	int rc = 0;
	if (o->write_path) {
		rc = pcapng_out_open(&lc->out, o->write_path, o->ring_files, o->ring_bytes, head.s, head.len, e);
		lc->writing = rc == 0;
	}
	if (rc == 0 && session_open_push(s, src_name(lc)) < 0) {
		*e = *session_error(s);
		rc = -1;
	}
	if (rc == 0 && session_push(s, head.s, head.len) < 0) {
		*e = *session_error(s);
		rc = -1;
	}
	sb_fini(&head);
	if (rc < 0) {
		livecap_free(lc);
		return NULL;
	}
	return lc;
}

static void on_packet(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct livecap *lc = ctx;
	lc->k.packets++;
	lc->k.wire_bytes += wirelen;
	sb_reset(&lc->blk);
	pcapng_put_epb(&lc->blk, 0, ts_ns, data, caplen, wirelen);
	if (lc->writing && !lc->write_failed && pcapng_out_packet(&lc->out, lc->blk.s, lc->blk.len, &lc->write_err) < 0)
		lc->write_failed = 1;
	if (session_failed(lc->s) || session_damaged(lc->s) || session_push(lc->s, lc->blk.s, lc->blk.len) < 0)
		lc->k.chattcp_drops++;
}

static void update_counts(struct livecap *lc)
{
	struct live_stats st;
	src_stats(lc, &st);
	lc->k.kernel_drops = st.kernel_drops;
	lc->k.if_drops = st.if_drops;
	struct sess_counts sc;
	session_counts(lc->s, &sc);
	lc->k.conns = (uint64_t)sc.tcp_conns + sc.udp_conns;
	lc->k.evicted = sc.evicted;
	if (lc->writing) {
		lc->k.written = lc->out.total_bytes;
		lc->k.files = lc->out.seq;
	}
	lc->k.elapsed_ns = ts_elapsed(mono_ns(), lc->start_ns);
}

/* How long poll may wait: until the next tick, the end of the duration, or
 * LIVECAP_POLL_NS, whichever comes first (at least 1 ms: never spin). */
static int poll_ms(const struct livecap *lc, int64_t now, int64_t next_tick)
{
	int64_t wait = LIVECAP_POLL_NS;
	if (lc->o.duration_ns) {
		int64_t left = ts_sub(ts_add(lc->start_ns, lc->o.duration_ns), now);
		if (left < wait)
			wait = left;
	}
	if (lc->o.on_tick && next_tick - now < wait)
		wait = next_tick - now;
	int64_t ms = (wait + TS_NS_PER_MS - 1) / TS_NS_PER_MS;
	return ms < 1 ? 1 : (int)ms;
}

/* Hands out everything waiting, a batch at a time, until the queue is empty, the stop
 * flag is set or the next tick is due. Returns -1 when the interface failed. */
static int drain(struct livecap *lc, int64_t next_tick, struct err *e)
{
	for (;;) {
		int n;
		if (lc->rem) {
			n = remote_dispatch(lc->rem, on_packet, lc, e);
			if (n == REMOTE_END) {
				lc->remote_ended = 1;
				return 0;
			}
			if (n < 0)
				return -1;
			if (n == 0 || lc->write_failed || (lc->o.stop && *lc->o.stop))
				return 0;
			if (lc->o.on_tick && mono_ns() >= next_tick)
				return 0;
			continue;
		}
		n = live_dispatch(lc->src, LIVE_BATCH, on_packet, lc, e);
		if (n < 0)
			return -1;
		if (n < LIVE_BATCH || lc->write_failed || (lc->o.stop && *lc->o.stop))
			return 0;
		if (lc->o.on_tick && mono_ns() >= next_tick)
			return 0;
	}
}

int livecap_run(struct livecap *lc, struct err *e)
{
	lc->start_ns = mono_ns();
	int64_t tick = lc->o.tick_ns > 0 ? lc->o.tick_ns : LIVECAP_POLL_NS;
	int64_t next_tick = lc->start_ns + tick;
	int fd = lc->rem ? remote_fd(lc->rem) : live_fd(lc->src);
	int rc = 0;
	for (;;) {
		if (lc->o.stop && *lc->o.stop)
			break;
		int64_t now = mono_ns();
		if (lc->o.duration_ns && ts_elapsed(now, lc->start_ns) >= lc->o.duration_ns)
			break;
		struct pollfd pf = { fd, POLLIN, 0 };
		/* EINTR (the stop signal) is the point: the loop looks at the flag */
		/* (TLS may hold decrypted bytes poll cannot see: then no wait) */
		int wait = lc->rem && remote_pending(lc->rem) ? 0 : poll_ms(lc, now, next_tick);
		if (poll(fd >= 0 ? &pf : NULL, fd >= 0 ? 1 : 0, wait) < 0 && errno != EINTR) {
			err_set(e, EXIT_SYSTEM, -1, "%s: poll: %s", src_name(lc), strerror(errno));
			rc = -1;
			break;
		}
		int drained = drain(lc, next_tick, e);
		if (lc->o.on_batch)
			lc->o.on_batch(lc->o.ctx);
		if (drained < 0) {
			rc = -1;
			break;
		}
		if (lc->writing && !lc->write_failed && pcapng_out_flush(&lc->out, &lc->write_err) < 0)
			lc->write_failed = 1;
		if (lc->write_failed || lc->remote_ended)
			break;
		now = mono_ns();
		if (lc->o.on_tick && now >= next_tick) {
			update_counts(lc);
			lc->o.on_tick(lc->o.ctx, &lc->k);
			next_tick = now + tick;
		}
	}
	update_counts(lc); /* (the written counts stay as they were when the file closes) */
	session_push_end(lc->s);
	if (lc->writing) {
		lc->writing = 0;
		if (pcapng_out_close(&lc->out, &lc->write_err) < 0)
			lc->write_failed = 1;
	}
	if (lc->write_failed && rc == 0) {
		*e = lc->write_err;
		rc = -1;
	}
	update_counts(lc); /* what the last pushes made of the connections */
	return rc;
}

void livecap_counts(struct livecap *lc, struct livecap_counts *k) { *k = lc->k; }

const char *livecap_iface(const struct livecap *lc) { return src_name(lc); }

int livecap_remote_ended(const struct livecap *lc) { return lc->remote_ended; }

void livecap_free(struct livecap *lc)
{
	if (!lc)
		return;
	if (lc->writing) {
		struct err e;
		err_clear(&e);
		pcapng_out_close(&lc->out, &e);
	}
	live_close(lc->src);
	remote_close(lc->rem);
	sb_fini(&lc->blk);
	xfree(lc);
}

long livecap_ifaces(struct live_iface **out, struct err *e) { return live_ifaces(out, e); }
void livecap_ifaces_free(struct live_iface *v, size_t n) { live_ifaces_free(v, n); }

int livecap_filter_check(uint16_t linktype, uint32_t snaplen, const char *filter, struct err *e)
{
	return live_filter_check(linktype, snaplen, filter, e);
}
