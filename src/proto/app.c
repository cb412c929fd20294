/* app.c: see app.h and proto.h. One struct app_out per connection: reassembly, the
 * unconsumed bytes of each direction, the chosen decoder and its state. */
#include "app.h"

#include "../base/sha.h"

#include "../base/xalloc.h"
#include "../tcp/reasm.h"

#include <stdlib.h>
#include <string.h>

/* Bytes buffered per direction while no decoder has answered yes: every probe in the
 * registry decides on a request line, a status line, a RESP type byte or a DNS
 * header, all of which fit in far fewer bytes. */
#define APP_PROBE_WAIT 512

/* Sink mode: how long (capture time) a connection reset (or closed with bytes still
 * held by reassembly) must stay quiet before its state is released, as the engine
 * waits before releasing its analysis state (engine.c ENGINE_RELEASE_AFTER_NS): a
 * late segment within that time is decoded exactly as without sink mode. Later
 * packets of a released connection are ignored. A connection with one side still
 * open is never released early (a half-closed connection may legitimately go on). */
#define APP_RELEASE_AFTER_NS ((int64_t)120 * 1000000000)

struct app_buf {
	uint8_t *p;
	size_t len, cap;
	uint64_t off; /* stream offset of p[0] */
};

struct app_out {
	struct app *a;
	struct conn *c;
	const struct proto_desc *d;
	int decided;
	void *st;
	struct reasm ra;
	int ra_init;
	struct app_buf buf[2];
	int eof[2];
	uint64_t dgram_off[2];
	const struct proto_desc *sw;
	uint32_t sw_req, sw_resp;
	int ended;
	int tapped;
	int rst;         /* a RST was seen */
	int queued;      /* in app.ended (sink mode) */
	int64_t last_ts; /* time of its last packet */
};

/* --- decoder-facing API (proto.h) --- */

uint32_t app_frame_at(struct app_out *o, int dir, uint64_t off, int64_t *ts)
{
	return reasm_frame_at(&o->ra, dir, off, ts);
}

uint32_t app_msg_begin(struct app_out *o, int dir, const char *proto, const char *kind, uint64_t off)
{
	uint32_t ix = applog_add(&o->a->log);
	struct appmsg *m = &o->a->log.m[ix];
	m->conn = o->c->idx;
	m->dir = (uint8_t)dir;
	m->proto = proto;
	m->kind = kind;
	m->off = m->end = off;
	m->first_frame = m->last_frame = reasm_frame_at(&o->ra, dir, off, &m->first_ts);
	m->last_ts = m->first_ts;
	return ix;
}

void app_msg_end(struct app_out *o, uint32_t ix, uint64_t end)
{
	struct appmsg *m = &o->a->log.m[ix];
	m->end = end;
	if (end > m->off)
		m->last_frame = reasm_frame_at(&o->ra, m->dir, end - 1, &m->last_ts);
}

struct appmsg *app_msg(struct app_out *o, uint32_t ix) { return &o->a->log.m[ix]; }

/* Sink mode: hands message ix to the sink, frees its body, and clears what nothing
 * will read again. A request is read until its final response is over (the response's
 * head takes its method; the sink takes its URI and Host), so it is cleared only once
 * both are handed over; a response is read by nobody after the sink, except a 101,
 * which the WebSocket decoder reads with its request at the switch. */
static void hand_over(struct app *a, uint32_t ix)
{
	struct applog *l = &a->log;
	struct appmsg *m = &l->m[ix];
	if (m->sunk || !m->http)
		return;
	a->msg_sink(a->msg_sink_ctx, l, ix);
	struct app_http *h = m->http;
	m->sunk = 1;
	if (a->keep_messages) {
		if (h->body_len)
			sha256_hex(h->body, h->body_len, h->body_sha256);
		xfree(h->body);
		h->body = NULL;
		h->body_len = h->body_cap = 0;
		return;
	}
	xfree(h->body);
	h->body = NULL;
	h->body_len = h->body_cap = 0;
	if (h->is_request) {
		if (h->response_msg != UINT32_MAX && l->m[h->response_msg].sunk)
			appmsg_clear(m);
		return;
	}
	if (h->status == 101)
		return;
	uint32_t rq = h->request_msg;
	appmsg_clear(m);
	if (rq != UINT32_MAX && l->m[rq].sunk && l->m[rq].http && l->m[rq].http->response_msg == ix)
		appmsg_clear(&l->m[rq]);
}

void app_msg_done(struct app_out *o, uint32_t ix)
{
	if (o->a->msg_sink)
		hand_over(o->a, ix);
}

const struct conn *app_conn(struct app_out *o) { return o->c; }

void app_switch(struct app_out *o, const char *name, uint32_t req, uint32_t resp)
{
	const struct proto_desc *d = proto_find(name);
	if (!d)
		return;
	o->sw = d;
	o->sw_req = req;
	o->sw_resp = resp;
}

/* --- driver --- */

void app_init(struct app *a, struct engine *en)
{
	memset(a, 0, sizeof *a);
	applog_init(&a->log);
	a->en = en;
}

static void buf_drop(struct app_buf *b, size_t n)
{
	if (n >= b->len) {
		b->off += b->len;
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->off += n;
}

static void start_decoder(struct app_out *o, const struct proto_desc *d)
{
	o->d = d;
	o->decided = 1;
	if (!d)
		return;
	o->st = xcalloc(1, d->state_size ? d->state_size : 1);
	if (d->init)
		d->init(o->st);
}

static void stop_decoder(struct app_out *o)
{
	if (o->d && o->st) {
		if (o->d->fini)
			o->d->fini(o->st);
	}
	xfree(o->st);
	o->st = NULL;
}

static int port_hint(const struct proto_desc *d, const struct conn *c)
{
	for (int i = 0; i < 4 && d->ports[i]; i++)
		if (c->ep[1].port == d->ports[i] || c->ep[0].port == d->ports[i])
			return 1;
	return 0;
}

/* Content first: a yes wins (client side asked first); among maybes a port hint
 * decides; all no gives up. force: decide now with what there is. */
static void try_decide(struct app_out *o, int force)
{
	if (o->decided)
		return;
	const struct proto_desc *maybe = NULL, *maybe_port = NULL;
	int any_data = 0, all_no = 1;
	for (int dir = 0; dir < 2; dir++) {
		struct app_buf *b = &o->buf[dir];
		if (!b->len)
			continue;
		any_data = 1;
		for (size_t i = 0; proto_registry[i]; i++) {
			const struct proto_desc *d = proto_registry[i];
			if (!d->probe || (d->transport && d->transport != o->c->proto))
				continue;
			int ans = d->probe(b->p, b->len, dir);
			if (ans == PROBE_YES) {
				start_decoder(o, d);
				return;
			}
			if (ans == PROBE_MAYBE) {
				all_no = 0;
				if (!maybe)
					maybe = d;
				if (!maybe_port && port_hint(d, o->c))
					maybe_port = d;
			}
		}
	}
	if (!any_data) {
		if (force)
			start_decoder(o, NULL);
		return;
	}
	/* Both sides said no (or one did and the capture forces a decision): give up. A
	 * client's odd first line must not rule HTTP out before the server answers. */
	if (all_no && (force || (o->buf[0].len && o->buf[1].len))) {
		start_decoder(o, NULL);
		return;
	}
	size_t held = o->buf[0].len + o->buf[1].len;
	/* Both sides spoke and only a port-hinted maybe is left: take it. */
	if (maybe_port && o->buf[0].len && o->buf[1].len) {
		start_decoder(o, maybe_port);
		return;
	}
	if (force || held >= APP_PROBE_WAIT)
		start_decoder(o, all_no ? NULL : maybe_port);
}

static void pump(struct app_out *o, int dir, int flags);

static void do_switch(struct app_out *o)
{
	const struct proto_desc *d = o->sw;
	o->sw = NULL;
	stop_decoder(o);
	start_decoder(o, d);
	if (d->upgrade)
		d->upgrade(o->st, o, o->sw_req, o->sw_resp);
	for (int dir = 0; dir < 2; dir++)
		if (o->buf[dir].len || o->eof[dir])
			pump(o, dir, o->eof[dir] ? FEED_EOF : 0);
}

/* Offers the held bytes of dir to the decoder until it takes no more. */
static void pump(struct app_out *o, int dir, int flags)
{
	struct app_buf *b = &o->buf[dir];
	if (!o->d) {
		if (o->decided)
			buf_drop(b, b->len);
		return;
	}
	for (;;) {
		size_t n = o->d->feed(o->st, o, dir, b->p, b->len, b->off, flags);
		if (n > b->len)
			n = b->len; /* a decoder bug must not move the stream */
		buf_drop(b, n);
		if (o->sw) {
			do_switch(o);
			return;
		}
		if (n == 0 || b->len == 0)
			break;
	}
	if (b->len > APP_BUF_MAX) {
		/* The decoder waits for more than any sane message: skip what it holds. */
		uint64_t off = b->off;
		size_t len = b->len;
		o->d->feed(o->st, o, dir, b->p, b->len, b->off, FEED_GAP);
		buf_drop(b, b->len);
		if (o->d->gap)
			o->d->gap(o->st, o, dir, off, len);
	}
	if (o->c->proto == 6 && b->off > 0)
		reasm_release(&o->ra, dir, b->off - 1);
}

static void on_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct app_out *o = ctx;
	if (o->tapped)
		o->a->tap(o->a->tap_ctx, o->c, dir, p, n, off);
	struct app_buf *b = &o->buf[dir];
	if (o->decided && !o->d) {
		b->off = off + n;
		return;
	}
	if (b->len == 0)
		b->off = off;
	xgrow(&b->p, &b->cap, b->len + n, 1);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	if (!o->decided)
		try_decide(o, 0);
	if (o->decided)
		for (int d = 0; d < 2; d++)
			if (o->buf[d].len)
				pump(o, d, 0);
}

static void on_gap(void *ctx, int dir, uint64_t off, uint64_t len)
{
	struct app_out *o = ctx;
	o->a->n_gaps++;
	if (o->tapped)
		o->a->tap(o->a->tap_ctx, o->c, dir, NULL, (size_t)len, off);
	try_decide(o, 1);
	struct app_buf *b = &o->buf[dir];
	if (o->d) {
		if (b->len)
			pump(o, dir, FEED_GAP);
		buf_drop(b, b->len);
		if (o->d && o->d->gap)
			o->d->gap(o->st, o, dir, off, len);
	}
	b->len = 0;
	b->off = off + len;
}

static void on_fin(void *ctx, int dir, uint64_t off)
{
	struct app_out *o = ctx;
	(void)off;
	if (o->eof[dir])
		return;
	o->eof[dir] = 1;
	try_decide(o, 1);
	/* Make sure the other side's held bytes went first (undecided until now). */
	if (o->buf[1 - dir].len)
		pump(o, 1 - dir, 0);
	pump(o, dir, FEED_EOF);
}

static struct app_out *conn_state(struct app *a, struct conn *c)
{
	if (c->app)
		return c->app;
	struct app_out *o = xcalloc(1, sizeof *o);
	o->a = a;
	o->c = c;
	struct reasm_cb cb = { o, on_data, on_gap, on_fin };
	reasm_init(&o->ra, cb);
	o->ra_init = 1;
	o->tapped = a->tap && (!a->tap_sel || a->tap_sel(a->tap_ctx, c));
	if (a->force && (!a->force_sel || a->force_sel(a->force_ctx, c)))
		start_decoder(o, a->force);
	c->app = o;
	xgrow(&a->conns, &a->cap_conns, a->n_conns + 1, sizeof *a->conns);
	a->conns[a->n_conns++] = o;
	return o;
}

/* Delivers what reassembly still holds, finishes the decoder and frees the
 * connection's state (struct app_out itself stays, marked ended). */
static void end_conn(struct app_out *o)
{
	if (o->c->proto == 6) {
		reasm_finish(&o->ra);
		try_decide(o, 1);
		for (int dir = 0; dir < 2; dir++)
			if (!o->eof[dir]) {
				o->eof[dir] = 1;
				pump(o, dir, FEED_EOF);
			}
	}
	if (o->d && o->d->finish)
		o->d->finish(o->st, o);
	o->ended = 1;
	stop_decoder(o);
	for (int dir = 0; dir < 2; dir++) {
		xfree(o->buf[dir].p);
		memset(&o->buf[dir], 0, sizeof o->buf[dir]);
	}
	reasm_fini(&o->ra);
}

/* Sink mode: queues o once it has ended (ts: now). */
static void note_ended(struct app *a, struct app_out *o, int64_t ts)
{
	if (o->queued || o->ended || !(o->rst || (o->eof[0] && o->eof[1])))
		return;
	xgrow(&a->ended, &a->cap_ended, a->n_ended + 1, sizeof *a->ended);
	a->ended[a->n_ended].o = o;
	a->ended[a->n_ended].ts = ts;
	a->n_ended++;
	o->queued = 1;
}

/* Sink mode: ends the queued connections quiet for APP_RELEASE_AFTER_NS before now;
 * one that spoke meanwhile goes back in the queue, from its last packet. */
static void release_ended(struct app *a, int64_t now)
{
	while (a->ended_head < a->n_ended && now - a->ended[a->ended_head].ts > APP_RELEASE_AFTER_NS) {
		struct app_out *o = a->ended[a->ended_head++].o;
		o->queued = 0;
		if (o->ended)
			continue; /* released meanwhile (its FINs came after the RST) */
		if (now - o->last_ts > APP_RELEASE_AFTER_NS)
			end_conn(o);
		else
			note_ended(a, o, o->last_ts);
	}
	/* Compact the queue now and then so it does not grow with the file. */
	if (a->ended_head > 4096 && a->ended_head * 2 > a->n_ended) {
		memmove(a->ended, a->ended + a->ended_head, (a->n_ended - a->ended_head) * sizeof *a->ended);
		a->n_ended -= a->ended_head;
		a->ended_head = 0;
	}
}

static void sink_packet(void *ctx, const struct pkt *pk, struct conn *c, const struct pktrec *rec)
{
	struct app *a = ctx;
	struct app_out *o = conn_state(a, c);
	if (a->msg_sink)
		release_ended(a, rec->ts_ns);
	if (o->ended)
		return;
	o->last_ts = rec->ts_ns;
	int dir = rec->dir;
	if (pk->kind == PK_TCP) {
		if (pk->malformed && pk->tcp_hlen < 20)
			return;
		if (pk->flags & TH_ACK)
			reasm_ack(&o->ra, dir, pk->ack);
		reasm_segment(&o->ra, dir, pk->seq, pk->flags, pk->payload, pk->caplen, pk->len, rec->frame, rec->ts_ns);
		if (pk->flags & TH_RST)
			o->rst = 1;
		if (a->msg_sink) {
			/* Both FINs delivered and nothing held: what could still come is a
			 * retransmission (already delivered) or bytes past a FIN, which a
			 * receiver drops too. A reset connection may yet see data: it waits. */
			if (o->eof[0] && o->eof[1] && !o->ra.d[0].n_ooo && !o->ra.d[1].n_ooo)
				end_conn(o);
			else
				note_ended(a, o, rec->ts_ns);
		}
		return;
	}
	if (pk->kind != PK_UDP || !pk->payload)
		return;
	/* A datagram is a whole message: no reassembly, offsets count datagram bytes. */
	uint64_t off = o->dgram_off[dir];
	reasm_map_frame(&o->ra, dir, off, rec->frame, rec->ts_ns);
	o->dgram_off[dir] += pk->caplen;
	if (o->tapped)
		a->tap(a->tap_ctx, c, dir, pk->payload, pk->caplen, off);
	if (!o->decided) {
		struct app_buf *b = &o->buf[dir];
		b->len = 0;
		xgrow(&b->p, &b->cap, pk->caplen, 1);
		if (pk->caplen)
			memcpy(b->p, pk->payload, pk->caplen);
		b->len = pk->caplen;
		b->off = off;
		try_decide(o, 1);
		b->len = 0;
	}
	if (o->d && (!o->d->transport || o->d->transport == 17))
		o->d->feed(o->st, o, dir, pk->payload, pk->caplen, off, FEED_DGRAM);
}

void app_attach(struct app *a)
{
	struct engine_sink s = { .ctx = a, .packet = sink_packet };
	engine_add_sink(a->en, s);
}

void app_end(struct app *a)
{
	for (size_t i = 0; i < a->n_conns; i++) {
		struct app_out *o = a->conns[i];
		if (!o->ended)
			end_conn(o);
		o->c->app = NULL;
	}
	/* Sink mode: bodies no decoder ended (a connection switched protocols while one
	 * was being read) go to the sink now. */
	if (a->msg_sink)
		for (size_t i = 0; i < a->log.n; i++)
			if (a->log.m[i].http && a->log.m[i].http->body_len)
				hand_over(a, (uint32_t)i);
}

const char *app_proto_of(const struct app *a, const struct conn *c)
{
	for (size_t i = 0; i < a->n_conns; i++)
		if (a->conns[i]->c == c)
			return a->conns[i]->d ? a->conns[i]->d->name : NULL;
	return NULL;
}

void app_fini(struct app *a)
{
	for (size_t i = 0; i < a->n_conns; i++) {
		struct app_out *o = a->conns[i];
		if (!o->ended) {
			stop_decoder(o);
			for (int dir = 0; dir < 2; dir++)
				xfree(o->buf[dir].p);
			reasm_fini(&o->ra);
			if (o->c && o->c->app == o)
				o->c->app = NULL;
		}
		xfree(o);
	}
	xfree(a->conns);
	xfree(a->ended);
	applog_fini(&a->log);
	memset(a, 0, sizeof *a);
}

void app_decode_chunks(struct app *a, const struct proto_desc *d, int transport, const uint8_t *const *chunks,
		       const size_t *lens, const int *dirs, size_t n)
{
	struct conn c;
	memset(&c, 0, sizeof c);
	c.proto = (uint8_t)transport;
	c.ep[0].port = 40000;
	c.ep[1].port = 80;
	a->force = d;
	struct app_out *o = conn_state(a, &c);
	uint32_t seq[2] = { 1000, 500000 };
	if (transport == 6) {
		reasm_segment(&o->ra, 0, seq[0]++, TH_SYN, NULL, 0, 0, 0, 0);
		reasm_segment(&o->ra, 1, seq[1]++, TH_SYN | TH_ACK, NULL, 0, 0, 0, 0);
	}
	for (size_t i = 0; i < n; i++) {
		int dir = dirs[i] ? 1 : 0;
		struct pkt pk;
		struct pktrec rec;
		memset(&pk, 0, sizeof pk);
		memset(&rec, 0, sizeof rec);
		pk.kind = transport == 6 ? PK_TCP : PK_UDP;
		pk.tcp_hlen = 20;
		pk.seq = seq[dir];
		pk.flags = TH_ACK | TH_PSH;
		pk.ack = seq[1 - dir];
		pk.payload = chunks[i];
		pk.caplen = pk.len = (uint32_t)lens[i];
		rec.dir = (uint8_t)dir;
		rec.frame = (uint32_t)i + 1;
		rec.ts_ns = (int64_t)(i + 1) * 1000;
		seq[dir] += (uint32_t)lens[i];
		sink_packet(a, &pk, &c, &rec);
	}
	app_end(a);
	o->c = NULL; /* c lives on this stack frame only */
}
