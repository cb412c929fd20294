/* session.c: see session.h. The per-packet path: a record from the capture goes
 * through the engine (decode, connection, TCP state and analysis), then, for the
 * connections that asked for it, into the per-packet index, the application layer and
 * the diagnosis; then the messages it completed are placed under it, and a live client
 * hears of it. */
#include "session_int.h"

#include "../base/exitcodes.h"
#include "../cases/cases.h"
#include "../proto/keylog.h"
#include "../proto/plugin.h"
#include "../tcp/analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sess_out_of_memory(struct session *s)
{
	s->failed = 1;
	s->jb = NULL;
	struct err e;
	err_clear(&e);
	err_set(&e, EXIT_SYSTEM, (int64_t)(s->cur_r ? s->cur_r->off : 0),
		"%s: %s after %llu packets (needed %zu more bytes, %zu held)", s->cf.name ? s->cf.name : "capture",
		s->mem.over_limit ? "past the session's memory limit" : "out of memory",
		(unsigned long long)s->en.n_frames, s->mem.failed_size, s->mem.used);
	s->err = e;
}

void sess_call_out(struct session *s) { xmem_leave(&s->mem); }

void sess_call_in(struct session *s)
{
	if (s->jb)
		xmem_enter(&s->mem, s->jb);
}

struct session *session_new(const struct session_opts *o)
{
	struct session *s = xcalloc(1, sizeof *s);
	if (o)
		s->o = *o;
	s->mem.limit = s->o.mem_limit;
	err_clear(&s->err);
	return s;
}

void session_select(struct session *s, struct sess_id id)
{
	xgrow(&s->sel, &s->cap_sel, s->n_sel + 1, sizeof *s->sel);
	s->sel[s->n_sel++] = id;
}

int session_selected(const struct session *s, const struct conn *c)
{
	if (!s->n_sel)
		return 1;
	for (size_t i = 0; i < s->n_sel; i++)
		if (s->sel[i].proto == c->proto && s->sel[i].id == c->id)
			return 1;
	return 0;
}

static int sel_cb(void *ctx, const struct conn *c) { return session_selected(ctx, c); }
/* --plugin: the plugin whose port c uses decodes it, among the selected connections. */
static const struct proto_desc *plugin_pick(void *ctx, const struct conn *c)
{
	const struct session *s = ctx;
	return !s->n_sel || session_selected(ctx, c) ? plugin_for(c) : NULL;
}

const struct sconn *sess_sconn_get(const struct session *s, const struct conn *c)
{
	size_t b = c->idx >> SCONN_BLOCK_SHIFT;
	if (b >= s->cap_sc_blocks || !s->sc_blocks[b])
		return NULL;
	const struct sconn *sc = &s->sc_blocks[b][c->idx & (SCONN_BLOCK - 1)];
	return sc->made ? sc : NULL;
}

struct sconn *sess_sconn(struct session *s, const struct conn *c, int make)
{
	size_t b = c->idx >> SCONN_BLOCK_SHIFT;
	if (b >= s->cap_sc_blocks || !s->sc_blocks[b]) {
		if (!make)
			return NULL;
		size_t old = s->cap_sc_blocks;
		xgrow(&s->sc_blocks, &s->cap_sc_blocks, b + 1, sizeof *s->sc_blocks);
		memset(s->sc_blocks + old, 0, (s->cap_sc_blocks - old) * sizeof *s->sc_blocks);
		s->sc_blocks[b] = xcalloc(SCONN_BLOCK, sizeof *s->sc_blocks[b]);
	}
	struct sconn *sc = &s->sc_blocks[b][c->idx & (SCONN_BLOCK - 1)];
	if (!sc->made) {
		if (!make)
			return NULL;
		sc->made = 1;
	}
	return sc;
}

struct sconn_live *sess_live(const struct session *s, struct sconn *sc)
{
	if (!sc->live) {
		sc->live = xcalloc(1, sizeof *sc->live);
		note_begin(&sc->live->nc, s->o.absolute);
		sc->live->prev_ts = INT64_MIN;
	}
	return sc->live;
}

int sess_places(const struct session *s) { return s->o.keep || s->o.on_packet || s->o.on_conn_end; }

/* ---- the application layer's hooks ---- */

static void on_tap(void *ctx, const struct conn *c, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct session *s = ctx;
	struct sconn *sc = sess_sconn(s, c, 1);
	if (!sc->raw)
		sc->raw = xcalloc(1, sizeof *sc->raw);
	struct sconn_raw *rw = sc->raw;
	struct sess_run *last = rw->n_runs ? &rw->runs[rw->n_runs - 1] : NULL;
	if (p && rw->kept + n > SESS_RAW_MAX) {
		rw->dropped += n;
		return;
	}
	if (p && last && last->p && last->dir == dir && last->off + last->len == off) {
		uint8_t *q = (uint8_t *)(uintptr_t)last->p;
		if (last->len + n > rw->last_cap) {
			/* a quarter more each time: linear time over many small segments (a
			 * realloc per segment copies the run each time where realloc moves, as
			 * under ASan), at most a quarter of the run unused */
			size_t cap = rw->last_cap + rw->last_cap / 4;
			rw->last_cap = cap > last->len + n ? cap : last->len + n;
			q = xrealloc(q, rw->last_cap);
		}
		memcpy(q + last->len, p, n);
		last->p = q;
		last->len += n;
		rw->kept += n;
		return;
	}
	xgrow(&rw->runs, &rw->cap_runs, rw->n_runs + 1, sizeof *rw->runs);
	struct sess_run *r = &rw->runs[rw->n_runs++];
	r->dir = (uint8_t)dir;
	r->off = off;
	r->len = n;
	r->p = NULL;
	if (p) {
		uint8_t *q = xmalloc(n ? n : 1);
		memcpy(q, p, n);
		r->p = q;
		rw->last_cap = n ? n : 1;
		rw->kept += n;
	}
}

/* Tells the exchange of req (NULL: a lone response) with resp (NULL: never answered),
 * with the 1xx answers held for req, which are released after. */
static void http_out(struct session *s, const struct conn *c, const struct appmsg *req, const struct appmsg *resp)
{
	size_t ni = 0;
	if (req && s->n_interim) {
		size_t k = 0;
		for (size_t i = 0; i < s->n_interim; i++) {
			if (s->interim[i].req == req->id) {
				xgrow(&s->interim_out, &s->cap_interim_out, ni + 1, sizeof *s->interim_out);
				s->interim_out[ni++] = applog_get(&s->app.log, s->interim[i].msg);
			} else {
				s->interim[k++] = s->interim[i];
			}
		}
		s->n_interim = k;
	}
	const struct appmsg *final101 = NULL;
	if (req && !resp && ni) {
		/* a 101 held in case the exchange went on in HTTP/2 (h2c): it did not, so the
		 * 101 is its final answer (session/http.c) */
		for (size_t i = 0; i < ni; i++)
			if (s->interim_out[i]->http->status == 101 && req->http->response_msg == s->interim_out[i]->id) {
				resp = s->interim_out[i];
				memmove(s->interim_out + i, s->interim_out + i + 1, (ni - i - 1) * sizeof *s->interim_out);
				ni--;
				final101 = resp;
				break;
			}
	}
	struct sess_http x = { c, req, resp, ni ? s->interim_out : NULL, ni };
	sess_call_out(s);
	s->o.on_http(s->o.ctx, &x);
	sess_call_in(s);
	for (size_t i = 0; i < ni; i++)
		app_release(&s->app, (struct appmsg *)(uintptr_t)s->interim_out[i]);
	if (final101)
		app_release(&s->app, (struct appmsg *)(uintptr_t)final101);
}

/* rq's exchange is told: it leaves the requests asked (its entry there is dropped when
 * the list is next compacted, so finding it is O(1): the flag). */
static void asked_told(struct session *s, struct appmsg *rq)
{
	rq->flags &= (uint8_t)~AM_ASKED;
	s->n_asked_told++;
	if (s->n_asked_told > 64 && s->n_asked_told * 2 > s->n_asked) {
		size_t k = 0;
		for (size_t i = 0; i < s->n_asked; i++)
			if (applog_get(&s->app.log, s->asked[i])->flags & AM_ASKED)
				s->asked[k++] = s->asked[i];
		s->n_asked = k;
		s->n_asked_told = 0;
	}
}

/* on_http: a request waits (held) for its final response, 1xx answers wait with it;
 * the final response completes the exchange. */
static void http_done(struct session *s, const struct conn *c, struct appmsg *m)
{
	const struct app_http *h = m->http;
	if (h->is_request) {
		struct appmsg *rs = h->response_msg != APPMSG_NONE ? applog_get(&s->app.log, h->response_msg) : NULL;
		if (rs && (rs->flags & AM_ASKED)) {
			/* its response came first (a server that answered before the body ended) */
			rs->flags &= (uint8_t)~AM_ASKED;
			http_out(s, c, m, rs);
			app_release(&s->app, rs);
			return;
		}
		app_hold(&s->app, m);
		m->flags |= AM_ASKED;
		xgrow(&s->asked, &s->cap_asked, s->n_asked + 1, sizeof *s->asked);
		s->asked[s->n_asked++] = m->id;
		return;
	}
	struct appmsg *rq = h->request_msg != APPMSG_NONE ? applog_get(&s->app.log, h->request_msg) : NULL;
	if (rq && rq->http && rq->http->response_msg != m->id) {
		if (h->status >= 100 && h->status < 200) {
			/* an interim answer: the exchange goes on, and shows it (a 100 Continue
			 * comes before its request's body ends; none is held for an exchange
			 * told already) */
			if (!rq->done || (rq->flags & AM_ASKED)) {
				app_hold(&s->app, m);
				xgrow(&s->interim, &s->cap_interim, s->n_interim + 1, sizeof *s->interim);
				s->interim[s->n_interim++] = (struct sess_interim){ rq->id, m->id };
			}
			return;
		}
		rq = NULL;
	}
	if (rq && !rq->done) {
		/* the response to a request still being sent: it waits for the request */
		app_hold(&s->app, m);
		m->flags |= AM_ASKED;
		return;
	}
	if (rq && (rq->flags & AM_ASKED) && h->status == 101) {
		/* a 101 is final unless the exchange goes on in HTTP/2 (h2c, whose stream 1
		 * answers the request): it waits with the request, as a 1xx does */
		app_hold(&s->app, m);
		xgrow(&s->interim, &s->cap_interim, s->n_interim + 1, sizeof *s->interim);
		s->interim[s->n_interim++] = (struct sess_interim){ rq->id, m->id };
		return;
	}
	if (rq && (rq->flags & AM_ASKED)) {
		asked_told(s, rq);
		http_out(s, c, rq, m);
		app_release(&s->app, rq);
		return;
	}
	http_out(s, c, NULL, m);
}

/* opts.on_conn_done for c, once. */
static void conn_done(struct session *s, const struct conn *c)
{
	size_t byte = c->idx >> 3;
	if (byte >= s->cap_conn_told) {
		size_t old = s->cap_conn_told;
		xgrow(&s->conn_told, &s->cap_conn_told, byte + 1, 1);
		memset(s->conn_told + old, 0, s->cap_conn_told - old);
	}
	uint8_t bit = (uint8_t)(1u << (c->idx & 7));
	if (s->conn_told[byte] & bit)
		return;
	s->conn_told[byte] |= bit;
	sess_call_out(s);
	s->o.on_conn_done(s->o.ctx, c);
	sess_call_in(s);
}

/* app.on_conn_ended: c's decoders finished before the end of the capture. Its
 * requests still asked are never answered now: their exchanges are told, then c is
 * done. (At the end, settle tells the rest, as before, then every connection.) */
static void conn_ended(void *ctx, const struct conn *c)
{
	struct session *s = ctx;
	if (s->ended || !session_selected(s, c))
		return;
	if (s->o.on_http) {
		size_t n;
		const uint32_t *ix = applog_conn(&s->app.log, c->idx, &n);
		for (size_t i = 0; i < n; i++) {
			struct appmsg *rq = applog_get(&s->app.log, ix[i]);
			if (!(rq->flags & AM_ASKED) || !rq->http || !rq->http->is_request)
				continue;
			asked_told(s, rq);
			http_out(s, c, rq, NULL);
			app_release(&s->app, rq);
			ix = applog_conn(&s->app.log, c->idx, &n); /* (a client may not add, but be safe) */
		}
	}
	conn_done(s, c);
}
static void on_pdu_begins(void *ctx, const struct conn *c, const char *proto);

/* A message is complete: it goes under the packet being processed when that packet is
 * its side's; otherwise under its side's next packet (or after the last one). */
static void on_done(void *ctx, struct appmsg *m)
{
	struct session *s = ctx;
	const struct conn *c = conntab_conn(&s->en.ct, m->conn);
	if (!session_selected(s, c))
		return;
	if (s->o.on_message) {
		sess_call_out(s);
		s->o.on_message(s->o.ctx, c, m);
		sess_call_in(s);
	}
	if (s->o.on_http && m->http)
		http_done(s, c, m);
	if (s->o.on_frame && m->done_frame && s->cur_c) {
		xgrow(&s->done_now, &s->cap_done_now, s->n_done_now + 1, sizeof *s->done_now);
		s->done_now[s->n_done_now++] = m;
	}
	if (s->o.live_release)
		app_hold(&s->app, m); /* until it is delivered */
	if (m->done_frame && s->cur_c == c && s->cur_r->dir == m->dir) {
		m->show_frame = m->done_frame;
		xgrow(&s->now, &s->cap_now, s->n_now + 1, sizeof *s->now);
		s->now[s->n_now++] = m;
		return;
	}
	if (!sess_places(s))
		return; /* nothing reads where it goes (a live_release hold stays, as it would) */
	struct sconn *sc = sess_sconn(s, c, 1);
	if (!sc->pend)
		sc->pend = xcalloc(1, sizeof *sc->pend);
	struct sconn_pend *pd = sc->pend;
	int d = m->dir;
	xgrow(&pd->ids[d], &pd->cap[d], pd->n[d] + 1, sizeof *pd->ids[d]);
	pd->ids[d][pd->n[d]++] = m->id;
}

/* engine.side_hint: what the decoders' probes say of the first payload. */
static int side_hint(void *ctx, const struct conn *c, int dir, const struct pkt *pk)
{
	struct session *s = ctx;
	return app_side_hint(&s->app, c, dir, pk->payload, pk->caplen);
}

/* engine.sides_swapped: what the session and its sinks hold of c's sides, swapped. */
static void sides_swapped(void *ctx, struct conn *c)
{
	struct session *s = ctx;
	struct sconn *sc = sess_sconn(s, c, 0);
	if (sc) {
		uint32_t *ix = sconn_recs(sc);
		for (uint32_t i = 0; i < sc->n_recs; i++)
			s->recs[ix[i]].dir ^= 1;
		if (sc->live)
			note_swap_sides(&sc->live->nc);
		if (sc->pend) {
			struct sconn_pend *p = sc->pend, o = *p;
			for (int d = 0; d < 2; d++) {
				p->ids[d] = o.ids[1 - d];
				p->n[d] = o.n[1 - d];
				p->cap[d] = o.cap[1 - d];
			}
		}
	}
	if (s->frame.found && s->frame.c == c)
		s->frame.r.dir ^= 1;
	if (s->dg)
		diag_swap_sides(s->dg, c);
	if (s->o.app)
		app_swap_sides(&s->app, c);
}


/* ---- opening ---- */

static void on_evict(void *ctx, struct conn *c);

/* A pcapng Decryption Secrets Block: TLS keys join the key log (made if none). */
static void on_secrets(void *ctx, uint32_t type, const uint8_t *p, size_t n)
{
	struct session *s = ctx;
	if (type != 0x544c534b) /* "TLSK": SSLKEYLOGFILE text */
		return;
	keylog_add_text(&s->keylog, (const char *)p, n);
	s->app.keylog = s->keylog;
}

static int open_common(struct session *s, int rc, struct err *e)
{
	if (rc < 0) {
		s->err = *e;
		return -1;
	}
	if (s->cf.format == CAP_PCAP && !engine_linktype_ok(s->cf.linktype)) {
		err_set(&s->err, EXIT_BADINPUT, 20,
			"%s: offset 20: link type %u is not supported (Ethernet, Linux cooked v1/v2, BSD loopback and raw IP are)",
			s->cf.name, s->cf.linktype);
		capfile_close(&s->cf);
		return -1;
	}
	if (s->o.keylog && !s->keylog) {
		struct err ke;
		err_clear(&ke);
		s->keylog = keylog_load(s->o.keylog, &ke);
		if (!s->keylog) {
			s->err = ke;
			capfile_close(&s->cf);
			return -1;
		}
	}
	s->cf.on_secrets = on_secrets;
	s->cf.secrets_ctx = s;
	s->opened = 1;
	s->counts_only = !s->o.keep && !s->o.app && !s->o.diag && !s->o.find_frame && !s->o.on_packet && !s->o.raw && !s->o.on_frame;
	engine_init(&s->en);
	s->en.side_hint = side_hint;
	s->en.sides_swapped = sides_swapped;
	s->en.side_ctx = s;
	/* Eviction forgets what batch views read back at the end (the per-packet index,
	 * raw bytes, held requests, a frame looked for): a live view only. */
	if (s->o.evict && s->o.live_release && !s->o.keep && !s->o.raw && !s->o.on_http && !s->o.find_frame) {
		s->en.evict = 1;
		s->en.on_evict = on_evict;
		s->en.evict_ctx = s;
	}
	if (s->o.diag) {
		s->dg = diag_new();
		if (s->o.evict)
			diag_cross_every(s->dg, DIAG_CROSS_LIVE_NS);
		s->en.keep_analysis_state = 1; /* the ACK latencies are read at the end */
	}
	app_init(&s->app);
	if (s->o.app) {
		struct app *a = &s->app;
		if (s->o.decode_as) {
			a->force = proto_find(s->o.decode_as);
			a->force_sel = s->n_sel ? sel_cb : NULL;
			a->force_ctx = s;
		} else if (plugin_any()) {
			a->pick = plugin_pick;
			a->pick_ctx = s;
		}
		a->on_done = on_done;
		a->on_done_ctx = s;
		if (s->o.on_conn_done)
			a->on_conn_ended = conn_ended;
		if (s->o.on_frame) /* only filters ask which frames began a PDU */
			a->on_pdu_begins = on_pdu_begins;
		a->keylog = s->keylog;
		a->body_keep = s->o.body == SESS_BODY_WHOLE  ? APPLOG_BODY_MAX
			       : s->o.body == SESS_BODY_HASH ? 0
							     : SESS_PREVIEW_BYTES;
		/* Whole bodies are for export, which hashes what it writes: once is enough. */
		a->body_hash = s->o.body != SESS_BODY_WHOLE && s->o.body != SESS_BODY_PREVIEW_ONLY;
		/* One whole body always fits in the memory budget (appmsg.h APPLOG_KEEP_MAX). */
		if (s->o.body == SESS_BODY_WHOLE) {
			a->log.keep_max += APPLOG_BODY_MAX;
			a->log.conn_keep_max += APPLOG_BODY_MAX;
		}
		a->release = s->o.live_release;
		a->release_keep = s->o.keep_msgs;
		if (s->o.raw) {
			a->tap = on_tap;
			a->tap_sel = sel_cb;
			a->tap_ctx = s;
		}
	}
	sb_init(&s->note);
	sb_init(&s->comm);
	return 0;
}

int session_open(struct session *s, const char *spec)
{
	SESS_ENTER(s, -1);
	struct err e;
	err_clear(&e);
	int rc;
	const struct proto_desc *fd = s->o.decode_as ? proto_find(s->o.decode_as) : NULL;
	if (s->o.decode_as && (!fd || fd->role != PROTO_STREAM)) {
		char names[256];
		size_t at = 0;
		names[0] = '\0';
		for (size_t i = 0; proto_registry[i]; i++)
			if (proto_registry[i]->role == PROTO_STREAM && at < sizeof names) {
				int k = snprintf(names + at, sizeof names - at, "%s%s", at ? ", " : "", proto_registry[i]->name);
				at += k > 0 ? (size_t)k : 0;
			}
		err_set(&s->err, EXIT_USAGE, -1, "--decode-as %s: unknown protocol (known: %s)", s->o.decode_as, names);
		SESS_LEAVE(s);
		return -1;
	}
	if (strncmp(spec, "case:", 5) == 0) {
		const struct case_blob *cb = case_find(spec + 5);
		char path[4096];
		/* case:DIR: a case 'chattcp lesson' made */
		if (!cb && case_dir_capture(spec + 5, path, sizeof path)) {
			rc = capfile_open_opts(&s->cf, path, &s->o.stream, &e);
			rc = open_common(s, rc, &e);
			SESS_LEAVE(s);
			return rc;
		}
		if (!cb) {
			err_set(&s->err, EXIT_BADINPUT, -1, "%s: no such built-in case (see 'chattcp cases')", spec);
			SESS_LEAVE(s);
			return -1;
		}
		rc = capfile_open_mem(&s->cf, spec, cb->capture, cb->capture_len, &e);
	} else {
		rc = capfile_open_opts(&s->cf, spec, &s->o.stream, &e);
	}
	rc = open_common(s, rc, &e);
	SESS_LEAVE(s);
	return rc;
}

int session_open_mem(struct session *s, const char *name, const uint8_t *p, size_t n)
{
	SESS_ENTER(s, -1);
	struct err e;
	err_clear(&e);
	int rc = open_common(s, capfile_open_mem(&s->cf, name, p, n, &e), &e);
	SESS_LEAVE(s);
	return rc;
}

/* ---- one packet ---- */

static void keep_payload(struct session *s, const struct pkt *pk)
{
	xgrow(&s->kept, &s->cap_kept, s->n_kept + 1, sizeof *s->kept);
	struct kept_payload *k = &s->kept[s->n_kept];
	k->frame = pk->frame;
	k->len = pk->l4_caplen;
	k->bytes = xmalloc(k->len ? k->len : 1);
	memcpy(k->bytes, pk->l4, k->len);
	s->n_kept++;
}

/* Points pk's transport view at a datagram rebuilt from fragments (bytes b[0..n)). */
static void repoint(struct pkt *pk, const uint8_t *b, uint32_t n, uint32_t len)
{
	pk->reassembled = 1;
	pk->l4 = b;
	pk->l4_caplen = n;
	pk->kind = pk->ipproto == 6 ? PK_TCP : PK_UDP;
	uint32_t hl = pk->kind == PK_TCP ? (uint32_t)((n > 12 ? b[12] >> 4 : 5) * 4) : 8;
	if (hl > n)
		hl = n;
	pk->payload = b + hl;
	pk->caplen = n - hl;
	pk->len = len;
}

int sess_reread(struct session *s, const struct pktrec *r, struct pkt *pk)
{
	struct cap_rec rec;
	struct err e;
	err_clear(&e);
	if (capfile_read_at(&s->cf, r->off, &rec, &e) != 1)
		return -1;
	decode_packet(&rec, r->frame, pk, NULL);
	if (r->pflags & PR_REASSEMBLED) {
		/* the kept payloads are in frame order */
		size_t lo = 0, hi = s->n_kept;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (s->kept[mid].frame < r->frame)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < s->n_kept && s->kept[lo].frame == r->frame)
			repoint(pk, s->kept[lo].bytes, s->kept[lo].len, r->len);
	}
	return 0;
}

/* The messages of c's side dir that are begun and not complete after this packet. */
static void open_parts(struct session *s, struct sconn *sc, const struct conn *c, int dir)
{
	s->n_parts = 0;
	size_t n;
	const uint32_t *ix = applog_conn(&s->app.log, c->idx, &n);
	struct sconn_live *lv = sess_live(s, sc);
	while (lv->first_open < n && applog_get(&s->app.log, ix[lv->first_open])->done)
		lv->first_open++;
	for (size_t i = lv->first_open; i < n; i++) {
		const struct appmsg *m = applog_get(&s->app.log, ix[i]);
		if (m->done || m->dir != dir || !m->begin_frame)
			continue;
		xgrow(&s->parts, &s->cap_parts, s->n_parts + 1, sizeof *s->parts);
		s->parts[s->n_parts++] = m;
	}
}

/* Messages of this packet's side that waited for it go under it, before the ones it
 * completed itself. */
static void place_pending(struct session *s, struct sconn *sc, const struct pktrec *r)
{
	int d = r->dir;
	struct sconn_pend *pd = sc->pend;
	if (!pd || !pd->n[d])
		return;
	size_t k = pd->n[d];
	xgrow(&s->now, &s->cap_now, s->n_now + k, sizeof *s->now);
	memmove(s->now + k, s->now, s->n_now * sizeof *s->now);
	for (size_t i = 0; i < k; i++) {
		struct appmsg *m = applog_get(&s->app.log, pd->ids[d][i]);
		m->show_frame = r->frame;
		s->now[i] = m;
	}
	s->n_now += k;
	pd->n[d] = 0;
}

static void release_now(struct session *s)
{
	if (s->o.live_release)
		for (size_t i = 0; i < s->n_now; i++)
			app_release(&s->app, (struct appmsg *)(uintptr_t)s->now[i]);
	s->n_now = 0;
}

static void remember_frame(struct session *s, const struct cap_rec *rec, const struct pkt *pk, const struct conn *c,
			   const struct pktrec *r, const char *note, const struct note_ctx *nc)
{
	struct sess_frame *f = &s->frame;
	f->found = 1;
	f->first_ts = s->en.first_ts;
	s->frame_bytes = xmalloc(rec->caplen ? rec->caplen : 1);
	memcpy(s->frame_bytes, rec->data, rec->caplen);
	struct cap_rec copy = *rec;
	copy.data = s->frame_bytes;
	decode_packet(&copy, pk->frame, &f->pk, NULL);
	if (pk->reassembled) {
		s->frame_l4 = xmalloc(pk->l4_caplen ? pk->l4_caplen : 1);
		memcpy(s->frame_l4, pk->l4, pk->l4_caplen);
		s->frame_l4_len = pk->l4_caplen;
		repoint(&f->pk, s->frame_l4, s->frame_l4_len, pk->len);
	}
	f->c = c;
	if (r)
		f->r = *r;
	f->note = note ? xstrdup(note) : NULL;
	f->note_kind = c && r ? note_kind(nc, c, r) : NULL;
}

/* Appends index i to sc's packets: inline at first, then doubling, so a capture of many
 * one-packet connections does not pay for xgrow's 16 indexes each. (32 bits stop at
 * 2^32 - 1 packets of one connection; its index of 64 bytes a packet is 256 GiB then.) */
static void sconn_add_rec(struct sconn *sc, uint32_t i)
{
	size_t have = sc->cap_recs ? sc->cap_recs : SCONN_RECS_INLINE;
	if (sc->n_recs == have) {
		if (have == UINT32_MAX)
			return;
		size_t cap = have * 2 < UINT32_MAX ? have * 2 : UINT32_MAX;
		uint32_t *v;
		if (sc->cap_recs) {
			v = xrealloc(sc->recs.heap, cap * sizeof *v);
		} else {
			v = xmalloc(cap * sizeof *v);
			memcpy(v, sc->recs.in, sc->n_recs * sizeof *v);
		}
		sc->recs.heap = v;
		sc->cap_recs = (uint32_t)cap;
	}
	sconn_recs(sc)[sc->n_recs++] = i;
}

/* app.on_pdu_begins: a decoder began a PDU in this frame it did not finish. */
static void on_pdu_begins(void *ctx, const struct conn *c, const char *proto)
{
	struct session *s = ctx;
	if (!session_selected(s, c))
		return;
	for (size_t i = 0; i < s->n_begun_now; i++)
		if (s->begun_now[i] == proto)
			return;
	if (s->n_begun_now < SESS_BEGUN_MAX)
		s->begun_now[s->n_begun_now++] = proto;
}

/* opts.on_frame: the frame as a filter sees it. */
static void frame_out(struct session *s, const struct cap_rec *rec, const struct pkt *pk, const struct conn *c,
		      const struct pktrec *r)
{
	if (!s->o.on_frame)
		return;
	if (pk->frame == 1)
		s->frame_first_ts = s->frame_prev_ts = rec->ts_ns;
	struct sess_frame_view v = {
		.rec = rec, .pk = pk, .c = c, .r = r, .first_ts = s->frame_first_ts, .prev_ts = s->frame_prev_ts,
		.msgs = s->done_now, .n_msgs = s->n_done_now,
		.begun = s->begun_now, .n_begun = s->n_begun_now, .quoted = s->en.quoted_now,
	};
	sess_call_out(s);
	s->o.on_frame(s->o.frame_ctx, &v);
	sess_call_in(s);
	s->n_done_now = 0;
	s->n_begun_now = 0;
	s->frame_prev_ts = rec->ts_ns;
}

static void over_note(struct session *s, const struct conn *c, int64_t ts);
static void over_tell(struct session *s, int64_t now);

static void one_packet(struct session *s, const struct cap_rec *rec)
{
	struct pkt pk;
	struct conn *c;
	struct pktrec r;
	int kind = engine_packet(&s->en, rec, s->cf.name, &pk, &c, &r, &s->err);
	if (kind < 0) {
		s->damaged = 1;
		return;
	}
	if (s->counts_only)
		return; /* nothing per packet but what the engine did */
	int finding = s->o.find_frame && !s->frame.found;
	if (!c) {
		if (finding && pk.frame == s->o.find_frame)
			remember_frame(s, rec, &pk, NULL, NULL, NULL, NULL);
		frame_out(s, rec, &pk, NULL, NULL);
		return;
	}
	int sel = session_selected(s, c);
	struct sconn *sc = NULL;
	/* A view that only decodes (http, export) keeps nothing per connection here; one
	 * that places messages finds their pending list (made by on_done) when it has one. */
	if ((sel && (s->o.keep || s->o.on_packet)) || finding)
		sc = sess_sconn(s, c, 1);
	else if (sel && s->o.app && sess_places(s))
		sc = sess_sconn(s, c, 0);
	if (sel && s->o.keep) {
		xgrow(&s->recs, &s->cap_recs, s->n_recs + 1, sizeof *s->recs);
		s->recs[s->n_recs] = r;
		sconn_add_rec(sc, (uint32_t)s->n_recs);
		s->n_recs++;
		if (pk.reassembled)
			keep_payload(s, &pk);
	}
	s->cur_c = c;
	s->cur_r = &r;
	s->cur_pk = &pk;
	if (sel && s->dg)
		diag_packet(s->dg, &pk, c, &r, &s->en.last_ack);
	if (sel && s->o.app)
		app_packet(&s->app, c, &pk, &r);
	if (sc && s->o.app)
		place_pending(s, sc, &r);
	struct sess_sacks sk;
	struct sess_win win;
	memset(&sk, 0, sizeof sk);
	memset(&win, 0, sizeof win);
	if (finding || (sel && s->o.on_packet)) {
		sess_numbers(c, &r, &pk, &sk, &win);
		sb_reset(&s->note);
		note_text(&sess_live(s, sc)->nc, c, &r, &s->note);
		note_sack(&sess_live(s, sc)->nc, &r, &sk, &s->note);
	}
	if (finding && pk.frame == s->o.find_frame) {
		remember_frame(s, rec, &pk, c, &r, s->note.s ? s->note.s : "", &sess_live(s, sc)->nc);
		s->frame.sack = sk;
		s->frame.win = win;
	}
	frame_out(s, rec, &pk, c, &r);
	if (sel && s->o.on_packet) {
		struct sess_packet p;
		memset(&p, 0, sizeof p);
		p.c = c;
		p.r = &r;
		p.pk = &pk;
		p.prev_ts = sess_live(s, sc)->prev_ts;
		p.first_ts = s->en.first_ts;
		p.sack = sk;
		p.win = win;
		p.note.kind = note_kind(&sess_live(s, sc)->nc, c, &r);
		p.note.text = s->note.s ? s->note.s : "";
		sb_reset(&s->comm);
		if (s->o.commentary) {
			note_commentary(&sess_live(s, sc)->nc, c, &r, &s->comm);
			note_sack_commentary(&sk, &s->comm);
		}
		p.note.commentary = s->comm.s ? s->comm.s : "";
		if (s->n_now > 1)
			qsort(s->now, s->n_now, sizeof *s->now, sess_msg_id_cmp);
		p.msgs = s->now;
		p.n_msgs = s->n_now;
		if (s->o.app && r.len)
			open_parts(s, sc, c, r.dir);
		else
			s->n_parts = 0;
		p.parts = s->parts;
		p.n_parts = s->n_parts;
		sc->live->seen = 1;
		sess_call_out(s);
		s->o.on_packet(s->o.ctx, &p);
		sess_call_in(s);
	}
	if (sc && sc->live)
		sc->live->prev_ts = r.ts_ns;
	release_now(s);
	if (s->o.end_early && s->o.on_conn_end) {
		if (sel)
			over_note(s, c, r.ts_ns);
		over_tell(s, r.ts_ns);
	}
	s->cur_c = NULL;
	s->cur_r = NULL;
	s->cur_pk = NULL;
}

/* A live client hears of the end of c (selected and shown): the messages still
 * waiting go after its last packet. */
static void conn_end_out(struct session *s, const struct conn *c, int evicted)
{
	if (!session_selected(s, c))
		return;
	struct sconn *sc = sess_sconn(s, c, 0);
	if (!sc || !sc->live || !sc->live->seen)
		return;
	size_t n = 0;
	struct sconn_pend *pd = sc->pend;
	for (int d = 0; d < 2 && pd; d++)
		for (size_t k = 0; k < pd->n[d]; k++) {
			xgrow(&s->tail, &s->cap_tail, n + 1, sizeof *s->tail);
			s->tail[n++] = applog_get(&s->app.log, pd->ids[d][k]);
		}
	if (n > 1)
		qsort(s->tail, n, sizeof *s->tail, sess_msg_id_cmp);
	struct sess_tail t = { c, s->tail, n, evicted };
	sess_call_out(s);
	s->o.on_conn_end(s->o.ctx, &t);
	sess_call_in(s);
	if (s->o.live_release) {
		for (size_t k = 0; k < n; k++)
			app_release(&s->app, (struct appmsg *)(uintptr_t)s->tail[k]);
		for (int d = 0; d < 2 && pd; d++)
			pd->n[d] = 0;
	}
}

/* on_conn_end for c, at its end (end_early) or the capture's. */
static void tell_end(struct session *s, const struct conn *c) { conn_end_out(s, c, 0); }

static uint8_t *over_st(struct session *s, const struct conn *c)
{
	if (c->idx >= s->cap_over_st) {
		size_t old = s->cap_over_st;
		xgrow(&s->over_st, &s->cap_over_st, (size_t)c->idx + 1, 1);
		memset(s->over_st + old, 0, s->cap_over_st - old);
	}
	return &s->over_st[c->idx];
}

/* end_early: c (a packet of it was just processed) may be over: it waits its quiet
 * time in the queue. */
static void over_note(struct session *s, const struct conn *c, int64_t ts)
{
	uint8_t *st = over_st(s, c);
	if (*st & 2) {
		s->n_late++;
		return;
	}
	if ((*st & 1) || !engine_conn_over(c))
		return;
	*st |= 1;
	xgrow(&s->over, &s->cap_over, s->n_over + 1, sizeof *s->over);
	s->over[s->n_over++] = (struct sess_over){ c->idx, ts };
}

_Static_assert(SESS_END_QUIET_SEC * TS_NS_PER_SEC == ENGINE_RELEASE_AFTER_NS, "the quiet time session.h gives");

/* end_early: tells the end of every connection over and quiet since before now. */
static void over_tell(struct session *s, int64_t now)
{
	while (s->over_head < s->n_over && ts_sub(now, s->over[s->over_head].ts) > ENGINE_RELEASE_AFTER_NS) {
		struct conn *c = conntab_conn(&s->en.ct, s->over[s->over_head++].conn);
		uint8_t *st = &s->over_st[c->idx];
		*st &= (uint8_t)~1;
		if (ts_sub(now, c->last_ts) <= ENGINE_RELEASE_AFTER_NS) {
			over_note(s, c, c->last_ts); /* it spoke since: from its last packet */
			continue;
		}
		if (!engine_conn_over(c) || (s->o.app && !app_conn_ended(&s->app, c)))
			continue; /* (a hole before a FIN: its decoders end at the end, and so does it) */
		*st |= 2;
		engine_end_conn(&s->en, c);
		tell_end(s, c);
		struct sconn *sc = sess_sconn(s, c, 0);
		if (sc) {
			/* a late packet makes them again */
			xfree(sc->live);
			sc->live = NULL;
			if (sc->pend) {
				for (int d = 0; d < 2; d++)
					xfree(sc->pend->ids[d]);
				xfree(sc->pend);
				sc->pend = NULL;
			}
		}
	}
	if (s->over_head > 4096 && s->over_head * 2 > s->n_over) {
		memmove(s->over, s->over + s->over_head, (s->n_over - s->over_head) * sizeof *s->over);
		s->n_over -= s->over_head;
		s->over_head = 0;
	}
}

static void sconn_fini(struct sconn *sc);

/* engine.on_evict (opts.evict): c's decoders are finished, its client hears of its
 * end, and what the session, the diagnosis and the decoders hold of it is freed
 * before the engine gives its slot back. */
static void on_evict(void *ctx, struct conn *c)
{
	struct session *s = ctx;
	if (s->o.app)
		app_conn_end(&s->app, c);
	engine_conn_settle(c);
	if (s->o.on_conn_end)
		conn_end_out(s, c, 1);
	struct sconn *sc = sess_sconn(s, c, 0);
	if (sc) {
		sconn_fini(sc);
		memset(sc, 0, sizeof *sc);
	}
	if (s->dg)
		diag_conn_free(s->dg, c);
	if (s->o.app)
		app_conn_free(&s->app, c);
}

/* The end: every decoder finished; messages still waiting go after their
 * connection's last packet; a live client hears of each selected connection. */
static void settle(struct session *s)
{
	if (s->ended)
		return;
	s->ended = 1;
	if (s->o.app)
		app_end(&s->app);
	engine_end(&s->en);
	if (s->dg)
		diag_cross_every(s->dg, 0); /* the end: the diagnoses asked now are final */
	for (size_t i = 0; i < s->n_asked; i++) {
		struct appmsg *rq = applog_get(&s->app.log, s->asked[i]);
		if (!(rq->flags & AM_ASKED))
			continue; /* told when its connection ended */
		rq->flags &= (uint8_t)~AM_ASKED;
		http_out(s, conntab_conn(&s->en.ct, rq->conn), rq, NULL);
		app_release(&s->app, rq);
	}
	s->n_asked = 0;
	if (s->o.on_conn_done) {
		size_t nc;
		const struct conn *const *all = sess_conns(s, &nc);
		for (size_t i = 0; i < nc; i++)
			if (session_selected(s, all[i]))
				conn_done(s, all[i]);
	}
	if (!s->o.on_conn_end)
		return;
	size_t nc;
	const struct conn *const *all = sess_conns(s, &nc);
	for (size_t i = 0; i < nc; i++) {
		const struct conn *c = all[i];
		if (session_selected(s, c) && !(c->idx < s->cap_over_st && (s->over_st[c->idx] & 2)))
			tell_end(s, c);
	}
}

int session_run(struct session *s)
{
	if (!s->opened)
		return -1;
	SESS_ENTER(s, -1);
	struct cap_rec rec;
	struct err e;
	err_clear(&e);
	int rc;
	uint32_t until_progress = SESS_PROGRESS_RECORDS;
	while ((rc = capfile_next(&s->cf, &rec, &e)) == 1) {
		one_packet(s, &rec);
		if (s->damaged)
			break;
		if (s->o.on_progress && !--until_progress) {
			until_progress = SESS_PROGRESS_RECORDS;
			if (s->o.on_progress(s->o.progress_ctx, s->cf.pos, s->cf.st ? 0 : s->cf.size)) {
				s->stopped = 1;
				break;
			}
		}
	}
	if (rc < 0) {
		s->damaged = 1;
		s->err = e;
	}
	if (s->o.on_progress && !s->stopped)
		s->o.on_progress(s->o.progress_ctx, s->cf.pos, s->cf.st ? 0 : s->cf.size);
	settle(s);
	SESS_LEAVE(s);
	return s->damaged ? -1 : 0;
}

int session_open_push(struct session *s, const char *name)
{
	SESS_ENTER(s, -1);
	struct err e;
	err_clear(&e);
	struct cap_stream_opts so = s->o.stream;
	int rc = capfile_open_push(&s->cf, name, &so, &e);
	if (rc == 0) {
		/* The link type is known only once the header has been pushed. */
		s->opened = 1;
		s->pushed = 1;
		rc = open_common(s, 0, &e);
	} else {
		s->err = e;
	}
	SESS_LEAVE(s);
	return rc;
}

/* Processes every record the pushed bytes complete. */
static long drain(struct session *s)
{
	struct cap_rec rec;
	struct err e;
	err_clear(&e);
	long n = 0;
	int rc;
	while ((rc = capfile_next(&s->cf, &rec, &e)) == 1) {
		if (s->cf.format == CAP_PCAP && s->en.n_frames == 0 && !engine_linktype_ok(s->cf.linktype)) {
			err_set(&s->err, EXIT_BADINPUT, 20, "%s: offset 20: link type %u is not supported", s->cf.name,
				s->cf.linktype);
			s->damaged = 1;
			return -1;
		}
		one_packet(s, &rec);
		n++;
		if (s->damaged)
			return -1;
	}
	if (rc < 0) {
		s->damaged = 1;
		s->err = e;
		return -1;
	}
	return n;
}

long session_push(struct session *s, const void *p, size_t n)
{
	if (!s->pushed || s->damaged || s->ended)
		return -1;
	SESS_ENTER(s, -1);
	struct err e;
	err_clear(&e);
	long k;
	if (capfile_push(&s->cf, p, n, &e) < 0) {
		s->err = e;
		s->damaged = 1;
		k = -1;
	} else {
		k = drain(s);
	}
	SESS_LEAVE(s);
	return k;
}

int session_push_end(struct session *s)
{
	if (!s->pushed)
		return -1;
	SESS_ENTER(s, -1);
	capfile_push_end(&s->cf);
	if (!s->damaged)
		drain(s);
	settle(s);
	SESS_LEAVE(s);
	return s->damaged ? -1 : 0;
}

uint64_t session_late(const struct session *s) { return s->n_late; }
const struct err *session_error(const struct session *s) { return &s->err; }
int session_damaged(const struct session *s) { return s->damaged; }
int session_failed(const struct session *s) { return s->failed; }
int session_stopped(const struct session *s) { return s->stopped; }
const char *session_name(const struct session *s) { return s->cf.name ? s->cf.name : ""; }

void session_counts(const struct session *s, struct sess_counts *o)
{
	memset(o, 0, sizeof *o);
	const struct engine *en = &s->en;
	o->frames = en->n_frames;
	o->tcp = en->n_tcp;
	o->udp = en->n_udp;
	o->fragments = en->n_fragments;
	o->bad = en->n_bad;
	o->other = en->n_other;
	o->truncated = en->n_truncated;
	o->malformed = en->n_malformed;
	o->tcp_conns = en->ct.n_tcp;
	o->udp_conns = en->ct.n_udp - (uint32_t)en->n_evicted_quoted;
	for (size_t i = 0; i < en->ct.n; i++)
		if (conntab_conn(&en->ct, i)->quoted_only)
			o->udp_conns--; /* (held an id only) */
	o->evicted = en->n_evicted;
	o->first_ts = en->first_ts;
	o->last_ts = en->last_ts;
	o->other_kinds = (const void *)en->other;
	o->n_other_kinds = en->n_other_kinds;
}

/* TCP first, then by id (the order of connections once slots were reused). */
static int conn_id_cmp(const void *a, const void *b)
{
	const struct conn *x = *(const struct conn *const *)a, *y = *(const struct conn *const *)b;
	if (x->proto != y->proto)
		return x->proto == 6 ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

const struct conn *const *sess_conns(struct session *s, size_t *n)
{
	const struct conntab *ct = &s->en.ct;
	size_t total = ct->n;
	/* changes whenever a connection is made or evicted */
	uint64_t gen = (uint64_t)ct->n_tcp + ct->n_udp + ct->n_freed;
	if (s->n_order != total || s->order_gen != gen) {
		s->order = xrealloc(s->order, (total ? total : 1) * sizeof *s->order);
		size_t k = 0;
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < total; i++) {
				const struct conn *c = conntab_conn(ct, i);
				/* made only to hold a udp.stream number: not listed; proto 0: evicted */
				if (c->proto && (pass == 0) == (c->proto == 6) && !c->quoted_only)
					s->order[k++] = c;
			}
		/* slots reused: idx is no longer the order of creation */
		if (ct->n_freed && k > 1)
			qsort(s->order, k, sizeof *s->order, conn_id_cmp);
		s->n_order = total;
		s->order_gen = gen;
		s->n_listed = k;
	}
	*n = s->n_listed;
	return s->order;
}

const struct conn *const *session_conns(struct session *s, size_t *n)
{
	*n = 0;
	SESS_ENTER(s, NULL);
	const struct conn *const *v = sess_conns(s, n);
	SESS_LEAVE(s);
	return v;
}


const struct conn *session_conn(struct session *s, struct sess_id id)
{
	size_t n;
	const struct conn *const *all = sess_conns(s, &n);
	/* TCP ids run 0..n_tcp-1 first, then UDP ones. */
	if (s->en.ct.n_freed) {
		/* some were evicted: the list is in id order, with holes */
		size_t lo = 0, hi = n;
		struct conn key;
		key.proto = (uint8_t)id.proto;
		key.id = id.id;
		const struct conn *kp = &key;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int cmp = conn_id_cmp(&all[mid], &kp);
			if (cmp == 0)
				return all[mid];
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	size_t at = id.proto == 6 ? id.id : (size_t)s->en.ct.n_tcp + id.id;
	if ((id.proto == 6 && id.id >= s->en.ct.n_tcp) || (id.proto == 17 && id.id >= s->en.ct.n_udp) || at >= n)
		return NULL;
	return all[at];
}

void session_conn_stack(const struct session *s, const struct conn *c, char *buf, size_t n)
{
	app_stack_of(&s->app, c, buf, n);
}

const char *session_conn_proto(const struct session *s, const struct conn *c) { return app_proto_of(&s->app, c); }

const struct sess_frame *session_frame(const struct session *s) { return &s->frame; }

static void sconn_fini(struct sconn *sc)
{
	if (sc->cap_recs)
		xfree(sc->recs.heap);
	xfree(sc->live);
	if (sc->pend) {
		for (int d = 0; d < 2; d++)
			xfree(sc->pend->ids[d]);
		xfree(sc->pend);
	}
	if (sc->raw) {
		for (size_t i = 0; i < sc->raw->n_runs; i++)
			xfree((void *)(uintptr_t)sc->raw->runs[i].p);
		xfree(sc->raw->runs);
		xfree(sc->raw);
	}
	xfree(sc->sorted);
}

void session_free(struct session *s)
{
	if (!s)
		return;
	for (size_t b = 0; b < s->cap_sc_blocks; b++) {
		if (!s->sc_blocks[b])
			continue;
		for (size_t i = 0; i < SCONN_BLOCK; i++)
			if (s->sc_blocks[b][i].made)
				sconn_fini(&s->sc_blocks[b][i]);
		xfree(s->sc_blocks[b]);
	}
	xfree(s->sc_blocks);
	for (size_t i = 0; i < s->n_kept; i++)
		xfree(s->kept[i].bytes);
	xfree(s->kept);
	xfree(s->recs);
	xfree(s->now);
	xfree(s->done_now);
	xfree(s->parts);
	xfree(s->order);
	xfree(s->tail);
	xfree(s->sel);
	xfree(s->asked);
	xfree(s->interim);
	xfree(s->interim_out);
	xfree(s->conn_told);
	xfree(s->over);
	xfree(s->over_st);
	xfree(s->frame.note);
	xfree(s->frame_bytes);
	xfree(s->frame_l4);
	sb_fini(&s->note);
	sb_fini(&s->comm);
	if (s->opened) {
		app_fini(&s->app);
		diag_free(s->dg);
		engine_fini(&s->en);
		capfile_close(&s->cf);
	}
	keylog_free(s->keylog);
	xfree(s);
}

int session_plugin_load(const char *file, struct err *e) { return plugin_load(file, e); }
void session_plugin_port(uint16_t port) { plugin_set_port(port); }
int session_plugin_any(void) { return plugin_any(); }
uint64_t session_plugin_errors(void) { return plugin_errors(); }
