/* live.c: see live.h. */
#include "live.h"

#include "../base/xalloc.h"
#include "../decode/pkt.h"
#include "../out/json.h"
#include "../out/report.h"
#include "../session/livecap.h"
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct line {
	uint64_t seq;
	char kind;       /* 'p' packet, 'c' connection, 't' tail, 'e' end of a capture */
	char *json;
	size_t len;
};

/* A kept packet: its record and a copy of its bytes. */
struct frame {
	uint64_t frame;
	struct cap_rec rec;  /* rec.data: the copy (NULL: an empty slot) */
};

struct web_live {
	struct web_live_opts o;
	char *iface, *filter, *url, *token, *ca;
	int insecure;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct line ring[WEB_LIVE_KEEP];
	uint64_t next_seq;       /* seq of the next line; the ring holds [first_seq, next_seq) */
	uint64_t first_seq;
	size_t bytes;
	/* the capture */
	pthread_t th;
	int running;             /* a thread exists (joined by stop) */
	int finished;            /* it has ended (stopped, or the source ended or failed) */
	volatile sig_atomic_t stop;
	uint64_t generation;
	struct livecap *lc;
	struct session *s;
	struct livecap_counts k;
	char error[256];
	/* the packets' bytes (WEB_LIVE_FRAMES): [first_frame_slot, next_frame_slot) */
	struct frame frames[WEB_LIVE_FRAMES];
	uint64_t first_fslot, next_fslot;
	size_t frame_bytes;
	/* a diagnosis asked of the capture thread: diag_want is answered when diag_done
	 * reaches it; diag_mu lets one request at a time ask */
	pthread_mutex_t diag_mu;
	pthread_cond_t diag_cv;
	uint64_t diag_want, diag_done;
	struct sess_id diag_id;
	struct strbuf diag_out;
	int diag_status;
	/* the capture thread's own */
	struct strbuf b;
	uint8_t *headed;
	size_t n_headed;
};

static void push_line(struct web_live *l, char kind, const char *s, size_t n)
{
	while (n && s[n - 1] == '\n')
		n--;
	char *copy = xmalloc(n + 1);
	memcpy(copy, s, n);
	copy[n] = 0;
	pthread_mutex_lock(&l->mu);
	while (l->next_seq - l->first_seq >= WEB_LIVE_KEEP || (l->bytes + n > WEB_LIVE_BYTES && l->next_seq > l->first_seq)) {
		struct line *old = &l->ring[l->first_seq % WEB_LIVE_KEEP];
		l->bytes -= old->len;
		xfree(old->json);
		old->json = NULL;
		l->first_seq++;
	}
	struct line *x = &l->ring[l->next_seq % WEB_LIVE_KEEP];
	x->seq = l->next_seq++;
	x->kind = kind;
	x->json = copy;
	x->len = n;
	l->bytes += n;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* Drops the oldest kept packet (l->mu held). */
static void frame_drop_oldest(struct web_live *l)
{
	struct frame *f = &l->frames[l->first_fslot % WEB_LIVE_FRAMES];
	l->frame_bytes -= f->rec.caplen;
	xfree((void *)f->rec.data);
	f->rec.data = NULL;
	l->first_fslot++;
}

static void frames_clear(struct web_live *l)
{
	pthread_mutex_lock(&l->mu);
	while (l->first_fslot < l->next_fslot)
		frame_drop_oldest(l);
	pthread_mutex_unlock(&l->mu);
}

/* Keeps the packet's bytes for its details, letting the oldest go. */
static void frame_keep(struct web_live *l, uint64_t frame, const struct cap_rec *rec)
{
	if (rec->caplen > WEB_LIVE_FRAMES_BYTES)
		return;
	uint8_t *copy = xmalloc(rec->caplen ? rec->caplen : 1);
	memcpy(copy, rec->data, rec->caplen);
	pthread_mutex_lock(&l->mu);
	while (l->next_fslot - l->first_fslot >= WEB_LIVE_FRAMES ||
	       (l->first_fslot < l->next_fslot && l->frame_bytes + rec->caplen > WEB_LIVE_FRAMES_BYTES))
		frame_drop_oldest(l);
	struct frame *f = &l->frames[l->next_fslot++ % WEB_LIVE_FRAMES];
	f->frame = frame;
	f->rec = *rec;
	f->rec.data = copy;
	l->frame_bytes += rec->caplen;
	pthread_mutex_unlock(&l->mu);
}

int web_live_packet(struct web_live *l, uint64_t frame, struct strbuf *b)
{
	pthread_mutex_lock(&l->mu);
	if (!l->generation) {
		pthread_mutex_unlock(&l->mu);
		return 409;
	}
	/* frames are kept in increasing order: a binary search */
	uint64_t lo = l->first_fslot, hi = l->next_fslot;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (l->frames[mid % WEB_LIVE_FRAMES].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct cap_rec rec;
	uint8_t *copy = NULL;
	if (lo < l->next_fslot && l->frames[lo % WEB_LIVE_FRAMES].frame == frame) {
		rec = l->frames[lo % WEB_LIVE_FRAMES].rec;
		copy = xmalloc(rec.caplen ? rec.caplen : 1);
		memcpy(copy, rec.data, rec.caplen);
		rec.data = copy;
	}
	pthread_mutex_unlock(&l->mu);
	if (!copy)
		return 404;
	/* decoded again here, outside the lock (no fragment state: a fragment is shown
	 * as what it is) */
	struct pkt pk;
	decode_packet(&rec, (uint32_t)frame, &pk, NULL);
	web_frame_json(b, &pk);
	xfree(copy);
	return 200;
}

/* The capture thread (on_tick, between batches): answers a waiting diagnosis request. */
static void diag_answer(struct web_live *l)
{
	pthread_mutex_lock(&l->mu);
	int want = l->diag_want != l->diag_done;
	struct sess_id id = l->diag_id;
	pthread_mutex_unlock(&l->mu);
	if (!want)
		return;
	struct strbuf out;
	sb_init(&out);
	const struct conn *c = session_conn(l->s, id);
	if (c)
		report_diag_json(&out, l->s, c);
	pthread_mutex_lock(&l->mu);
	sb_reset(&l->diag_out);
	sb_add(&l->diag_out, out.s ? out.s : "", out.len);
	l->diag_status = c ? 200 : 404;
	l->diag_done = l->diag_want;
	pthread_cond_broadcast(&l->diag_cv);
	pthread_mutex_unlock(&l->mu);
	sb_fini(&out);
}

int web_live_diag(struct web_live *l, uint8_t proto, uint32_t id, struct strbuf *b)
{
	pthread_mutex_lock(&l->diag_mu);
	pthread_mutex_lock(&l->mu);
	int status = 0;
	if (!l->s) {
		status = 409;
	} else if (l->finished) {
		/* the capture thread has ended: the session is still until the next start or
		 * stop, which waits for diag_mu */
		const struct conn *c = session_conn(l->s, (struct sess_id){ proto, id });
		status = c ? 200 : 404;
		if (c)
			report_diag_json(b, l->s, c);
	} else {
		l->diag_id = (struct sess_id){ proto, id };
		uint64_t mine = ++l->diag_want;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += WEB_LIVE_DIAG_WAIT_MS / 1000;
		until.tv_nsec += (long)(WEB_LIVE_DIAG_WAIT_MS % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000)
			until.tv_sec++, until.tv_nsec -= 1000000000;
		while (l->diag_done < mine && !l->finished)
			if (pthread_cond_timedwait(&l->diag_cv, &l->mu, &until) == ETIMEDOUT)
				break;
		if (l->diag_done >= mine) {
			status = l->diag_status;
			sb_add(b, l->diag_out.s ? l->diag_out.s : "", l->diag_out.len);
		} else if (l->finished) {
			l->diag_done = l->diag_want;
			const struct conn *c = session_conn(l->s, (struct sess_id){ proto, id });
			status = c ? 200 : 404;
			if (c)
				report_diag_json(b, l->s, c);
		} else {
			l->diag_done = l->diag_want; /* not answered: the next request starts afresh */
			status = 503;
		}
	}
	pthread_mutex_unlock(&l->mu);
	pthread_mutex_unlock(&l->diag_mu);
	return status;
}

/* --- the capture thread: the session's live callbacks --- */

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct web_live *l = ctx;
	if (p->c->idx >= l->n_headed) {
		size_t n = l->n_headed;
		xgrow(&l->headed, &n, (size_t)p->c->idx + 1, 1);
		memset(l->headed + l->n_headed, 0, n - l->n_headed);
		l->n_headed = n;
	}
	if (!l->headed[p->c->idx] || (p->r->pflags & PR_SIDES_DECIDED)) {
		l->headed[p->c->idx] = 1;
		sb_reset(&l->b);
		json_conn(&l->b, p->c);
		push_line(l, 'c', l->b.s, l->b.len);
	}
	sb_reset(&l->b);
	json_packet(&l->b, p, JSON_PKT_NOTE | JSON_PKT_PAYLOAD | JSON_PKT_APP | JSON_PKT_COMMENTARY);
	push_line(l, 'p', l->b.s, l->b.len);
	if (p->pk && !p->pk->reassembled)
		frame_keep(l, p->r->frame, &p->pk->rec);
}

static void on_end(void *ctx, const struct sess_tail *t)
{
	struct web_live *l = ctx;
	if (!t->n_msgs)
		return;
	sb_reset(&l->b);
	json_tail(&l->b, t);
	push_line(l, 't', l->b.s, l->b.len);
}

static void on_tick(void *ctx, const struct livecap_counts *k)
{
	struct web_live *l = ctx;
	pthread_mutex_lock(&l->mu);
	l->k = *k;
	pthread_mutex_unlock(&l->mu);
	diag_answer(l);
}

static void *capture_thread(void *arg)
{
	struct web_live *l = arg;
	struct err e;
	err_clear(&e);
	int rc = livecap_run(l->lc, &e);
	struct livecap_counts k;
	livecap_counts(l->lc, &k);
	pthread_mutex_lock(&l->mu);
	l->k = k;
	l->finished = 1;
	pthread_cond_broadcast(&l->diag_cv);
	if (rc < 0)
		snprintf(l->error, sizeof l->error, "%s", e.msg);
	else if (session_failed(l->s))
		snprintf(l->error, sizeof l->error, "%s", session_error(l->s)->msg);
	pthread_mutex_unlock(&l->mu);
	char end[320];
	int n = snprintf(end, sizeof end, "{\"generation\":%llu,\"stopped\":true}", (unsigned long long)l->generation);
	push_line(l, 'e', end, (size_t)n);
	return NULL;
}

struct web_live *web_live_new(const struct web_live_opts *o)
{
	struct web_live *l = xcalloc(1, sizeof *l);
	l->iface = xstrdup(o->iface ? o->iface : "any");
	l->filter = o->filter ? xstrdup(o->filter) : NULL;
	l->url = o->remote_url ? xstrdup(o->remote_url) : NULL;
	l->token = o->remote_token ? xstrdup(o->remote_token) : NULL;
	l->ca = o->remote_ca ? xstrdup(o->remote_ca) : NULL;
	l->insecure = o->remote_insecure;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	pthread_mutex_init(&l->diag_mu, NULL);
	pthread_cond_init(&l->diag_cv, NULL);
	sb_init(&l->diag_out);
	sb_init(&l->b);
	l->next_seq = l->first_seq = 1;
	return l;
}

/* Stops the capture thread; the session stays (a stopped capture's diagnosis is still
 * asked for) until free_capture. */
static void stop_capture(struct web_live *l)
{
	if (!l->running)
		return;
	l->stop = 1;
	pthread_join(l->th, NULL);
	l->running = 0;
	livecap_free(l->lc); /* the interface (its kernel ring) or the agent's connection goes now */
	l->lc = NULL;
}

static void end_capture(struct web_live *l)
{
	stop_capture(l);
	if (!l->s && !l->lc)
		return;
	/* (a diagnosis request reads the session of a finished capture: not while it goes) */
	pthread_mutex_lock(&l->diag_mu);
	pthread_mutex_lock(&l->mu);
	struct session *s = l->s;
	l->s = NULL;
	pthread_mutex_unlock(&l->mu);
	livecap_free(l->lc);
	session_free(s);
	l->lc = NULL;
	pthread_mutex_unlock(&l->diag_mu);
}

/* Opens the capture and starts its thread (diag_mu held: no diagnosis request reads
 * the new session before its thread owns it). */
static int start_capture(struct web_live *l, struct strbuf *err)
{
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.keep = SESS_KEEP_NONE;
	so.app = 1;
	so.diag = 1; /* the diagnosis of a connection, while it is captured (web_live_diag) */
	so.ctx = l;
	so.on_packet = on_packet;
	so.on_conn_end = on_end;
	so.live_release = 1;
	l->s = session_new(&so);
	struct livecap_opts lo;
	memset(&lo, 0, sizeof lo);
	lo.cap.iface = l->iface;
	lo.cap.filter = l->filter;
	lo.remote_url = l->url;
	lo.remote_token = l->token;
	lo.remote_ca = l->ca;
	lo.remote_insecure = l->insecure;
	lo.stop = &l->stop;
	lo.on_tick = on_tick;
	lo.tick_ns = WEB_LIVE_TICK_NS;
	lo.ctx = l;
	struct err e;
	err_clear(&e);
	l->stop = 0;
	xfree(l->headed);
	l->headed = NULL;
	l->n_headed = 0;
	frames_clear(l); /* a new capture numbers its frames from 1 again */
	l->lc = livecap_open(l->s, &lo, &e);
	if (!l->lc) {
		sb_puts(err, e.msg);
		session_free(l->s);
		l->s = NULL;
		pthread_mutex_lock(&l->mu);
		snprintf(l->error, sizeof l->error, "%s", e.msg);
		pthread_mutex_unlock(&l->mu);
		return -1;
	}
	pthread_mutex_lock(&l->mu);
	l->generation++;
	l->finished = 0;
	l->error[0] = 0;
	memset(&l->k, 0, sizeof l->k);
	pthread_mutex_unlock(&l->mu);
	char begin[96];
	int n = snprintf(begin, sizeof begin, "{\"generation\":%llu,\"started\":true}", (unsigned long long)l->generation);
	push_line(l, 'e', begin, (size_t)n);
	if (pthread_create(&l->th, NULL, capture_thread, l) != 0) {
		sb_puts(err, "cannot start the capture thread");
		livecap_free(l->lc);
		session_free(l->s);
		l->lc = NULL;
		l->s = NULL;
		return -1;
	}
	l->running = 1;
	return 0;
}

int web_live_start(struct web_live *l, struct strbuf *err)
{
	pthread_mutex_lock(&l->mu);
	int busy = l->running && !l->finished;
	pthread_mutex_unlock(&l->mu);
	if (busy)
		return 0;
	end_capture(l);
	pthread_mutex_lock(&l->diag_mu);
	int rc = start_capture(l, err);
	pthread_mutex_unlock(&l->diag_mu);
	return rc;
}

void web_live_stop(struct web_live *l) { stop_capture(l); }

void web_live_free(struct web_live *l)
{
	if (!l)
		return;
	end_capture(l);
	for (uint64_t s = l->first_seq; s < l->next_seq; s++)
		xfree(l->ring[s % WEB_LIVE_KEEP].json);
	frames_clear(l);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->diag_mu);
	pthread_cond_destroy(&l->diag_cv);
	sb_fini(&l->diag_out);
	sb_fini(&l->b);
	xfree(l->headed);
	xfree(l->iface);
	xfree(l->filter);
	xfree(l->url);
	xfree(l->ca);
	if (l->token)
		memset(l->token, 0, strlen(l->token));
	xfree(l->token);
	xfree(l);
}

static void status_locked(struct web_live *l, struct strbuf *b)
{
	int f = 0;
	sb_puts(b, "{\"available\":true");
	json_str_field(b, &f, "source", l->url ? l->url : "");
	json_str_field(b, &f, "interface", l->iface);
	json_str_field(b, &f, "filter", l->filter ? l->filter : "");
	sb_printf(b, ",\"running\":%s", l->running && !l->finished ? "true" : "false");
	json_u64_field(b, &f, "generation", l->generation);
	json_u64_field(b, &f, "packets", l->k.packets);
	json_u64_field(b, &f, "connections", l->k.conns);
	json_u64_field(b, &f, "kernel_drops", l->k.kernel_drops);
	json_u64_field(b, &f, "chattcp_drops", l->k.chattcp_drops);
	json_str_field(b, &f, "error", l->error);
	sb_putc(b, '}');
}

void web_live_status(struct web_live *l, struct strbuf *b)
{
	pthread_mutex_lock(&l->mu);
	status_locked(l, b);
	pthread_mutex_unlock(&l->mu);
}

static const char *event_name(char kind)
{
	return kind == 'p' ? "packet" : kind == 'c' ? "conn" : kind == 't' ? "tail" : "capture";
}

void web_live_read(struct web_live *l, uint64_t *cursor, struct strbuf *b, int wait_ms)
{
	pthread_mutex_lock(&l->mu);
	if (*cursor == 0)
		*cursor = l->first_seq;
	if (*cursor >= l->next_seq && wait_ms > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000)
			until.tv_sec++, until.tv_nsec -= 1000000000;
		while (*cursor >= l->next_seq)
			if (pthread_cond_timedwait(&l->cv, &l->mu, &until) == ETIMEDOUT)
				break;
	}
	if (*cursor < l->first_seq) {
		sb_printf(b, "event: missed\ndata: {\"lines\":%llu}\n\n", (unsigned long long)(l->first_seq - *cursor));
		*cursor = l->first_seq;
	}
	if (*cursor >= l->next_seq) {
		sb_puts(b, "event: status\ndata: ");
		status_locked(l, b);
		sb_puts(b, "\n\n");
	}
	/* a bounded piece per call: the writer is not held up by a slow page */
	for (int i = 0; *cursor < l->next_seq && i < 256 && b->len < ((size_t)1 << 20); i++, (*cursor)++) {
		const struct line *x = &l->ring[*cursor % WEB_LIVE_KEEP];
		sb_printf(b, "event: %s\ndata: ", event_name(x->kind));
		sb_add(b, x->json, x->len);
		sb_puts(b, "\n\n");
	}
	pthread_mutex_unlock(&l->mu);
}
