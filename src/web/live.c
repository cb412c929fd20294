/* live.c: see live.h. */
#include "live.h"

#include "../base/xalloc.h"
#include "../out/json.h"
#include "../session/livecap.h"

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
	sb_init(&l->b);
	l->next_seq = l->first_seq = 1;
	return l;
}

static void end_capture(struct web_live *l)
{
	if (!l->running)
		return;
	l->stop = 1;
	pthread_join(l->th, NULL);
	l->running = 0;
	livecap_free(l->lc);
	session_free(l->s);
	l->lc = NULL;
	l->s = NULL;
}

int web_live_start(struct web_live *l, struct strbuf *err)
{
	pthread_mutex_lock(&l->mu);
	int busy = l->running && !l->finished;
	pthread_mutex_unlock(&l->mu);
	if (busy)
		return 0;
	end_capture(l);
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.keep = SESS_KEEP_NONE;
	so.app = 1;
	so.diag = 0;
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
	lo.tick_ns = (int64_t)500 * 1000 * 1000;
	lo.ctx = l;
	struct err e;
	err_clear(&e);
	l->stop = 0;
	xfree(l->headed);
	l->headed = NULL;
	l->n_headed = 0;
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

void web_live_stop(struct web_live *l) { end_capture(l); }

void web_live_free(struct web_live *l)
{
	if (!l)
		return;
	end_capture(l);
	for (uint64_t s = l->first_seq; s < l->next_seq; s++)
		xfree(l->ring[s % WEB_LIVE_KEEP].json);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
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
