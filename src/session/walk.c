/* walk.c: a connection's packets in order, each with what its bubble shows: the note
 * (told with the running state of what came before), the messages placed under it
 * when it was processed (session.c on_done), and the messages it carries a part of
 * (begun by then, complete only later). The same rules as the live path, from what
 * the messages remember (begin_frame, done_frame, show_frame). */
#include "session_int.h"

#include <stdlib.h>
#include <string.h>

int sess_msg_cmp(const void *a, const void *b)
{
	const struct appmsg *x = *(const struct appmsg *const *)a, *y = *(const struct appmsg *const *)b;
	if (x->first_frame != y->first_frame)
		return x->first_frame < y->first_frame ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

int sess_msg_id_cmp(const void *a, const void *b)
{
	const struct appmsg *x = *(const struct appmsg *const *)a, *y = *(const struct appmsg *const *)b;
	return (x->id > y->id) - (x->id < y->id);
}

static int by_show(const void *a, const void *b)
{
	const struct appmsg *x = *(const struct appmsg *const *)a, *y = *(const struct appmsg *const *)b;
	if (x->show_frame != y->show_frame)
		return x->show_frame < y->show_frame ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int by_begin(const void *a, const void *b)
{
	const struct appmsg *x = *(const struct appmsg *const *)a, *y = *(const struct appmsg *const *)b;
	if (x->begin_frame != y->begin_frame)
		return x->begin_frame < y->begin_frame ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* c's messages as an array of pointers (malloc'd), in the order made. */
static const struct appmsg **conn_msgs(struct session *s, const struct conn *c, size_t *n)
{
	size_t k;
	const uint32_t *ix = applog_conn(&s->app.log, c->idx, &k);
	const struct appmsg **v = xmalloc((k ? k : 1) * sizeof *v);
	for (size_t i = 0; i < k; i++)
		v[i] = applog_get(&s->app.log, ix[i]);
	*n = k;
	return v;
}

const struct appmsg *const *sess_msgs(struct session *s, const struct conn *c, size_t *n)
{
	struct sconn *sc = sess_sconn(s, c, 1);
	if (!sc->sorted) {
		size_t k;
		sc->sorted = conn_msgs(s, c, &k);
		sc->n_sorted = (uint32_t)k;
		qsort(sc->sorted, k, sizeof *sc->sorted, sess_msg_cmp);
	}
	*n = sc->n_sorted;
	return (const struct appmsg *const *)sc->sorted;
}

const struct appmsg *const *session_msgs(struct session *s, const struct conn *c, size_t *n)
{
	*n = 0;
	SESS_ENTER(s, NULL);
	const struct appmsg *const *r = sess_msgs(s, c, n);
	SESS_LEAVE(s);
	return r;
}

long session_walk(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_packet *p),
		  void (*tail)(void *ctx, const struct sess_tail *t), void *ctx)
{
	SESS_ENTER(s, -1);
	struct sconn *sc = sess_sconn(s, c, 0);
	if (!sc || !s->o.keep) {
		SESS_LEAVE(s);
		return 0;
	}
	size_t nm = 0;
	const struct appmsg **shown = conn_msgs(s, c, &nm);
	const struct appmsg **opens = xmalloc((nm ? nm : 1) * sizeof *opens);
	memcpy(opens, shown, nm * sizeof *shown);
	qsort(shown, nm, sizeof *shown, by_show);
	qsort(opens, nm, sizeof *opens, by_begin);
	/* active: begun, not yet complete, at the packet being walked */
	const struct appmsg **active = xmalloc((nm ? nm : 1) * sizeof *active);
	const struct appmsg **parts = xmalloc((nm ? nm : 1) * sizeof *parts);
	size_t n_active = 0;
	size_t js = 0, jo = 0;
	while (js < nm && shown[js]->show_frame == 0)
		js++; /* shown at the end */
	size_t n_tail = js;
	struct note_ctx nc;
	note_begin(&nc, s->o.absolute);
	struct strbuf note, comm;
	sb_init(&note);
	sb_init(&comm);
	int64_t prev = INT64_MIN;
	struct pkt pk;
	for (size_t i = 0; i < sc->n_recs; i++) {
		const struct pktrec *r = &s->recs[sconn_recs(sc)[i]];
		while (jo < nm && opens[jo]->begin_frame && opens[jo]->begin_frame <= r->frame)
			active[n_active++] = opens[jo++];
		while (jo < nm && !opens[jo]->begin_frame)
			jo++; /* begun at the end: never a part */
		size_t k = 0;
		for (size_t a = 0; a < n_active; a++)
			if (!(active[a]->done_frame && active[a]->done_frame <= r->frame))
				active[k++] = active[a];
		n_active = k;
		size_t n_parts = 0;
		if (r->len)
			for (size_t a = 0; a < n_active; a++)
				if (active[a]->dir == r->dir)
					parts[n_parts++] = active[a];
		size_t m0 = js;
		while (js < nm && shown[js]->show_frame == r->frame)
			js++;
		while (js < nm && shown[js]->show_frame < r->frame)
			js++; /* placed under a packet that was not indexed */
		struct sess_packet p;
		memset(&p, 0, sizeof p);
		p.c = c;
		p.r = r;
		p.pk = sess_reread(s, r, &pk) == 0 ? &pk : NULL;
		p.prev_ts = prev;
		p.first_ts = s->en.first_ts;
		sess_numbers(c, r, p.pk, &p.sack, &p.win);
		sb_reset(&note);
		note_text(&nc, c, r, &note);
		note_sack(&nc, r, &p.sack, &note);
		p.note.kind = note_kind(&nc, c, r);
		p.note.text = note.s ? note.s : "";
		sb_reset(&comm);
		if (s->o.commentary) {
			note_commentary(&nc, c, r, &comm);
			note_sack_commentary(&p.sack, &comm);
		}
		p.note.commentary = comm.s ? comm.s : "";
		p.msgs = shown + m0;
		p.n_msgs = 0;
		for (size_t q = m0; q < js && shown[q]->show_frame == r->frame; q++)
			p.n_msgs++;
		p.parts = parts;
		p.n_parts = n_parts;
		sess_call_out(s);
		fn(ctx, &p);
		sess_call_in(s);
		prev = r->ts_ns;
	}
	if (tail && n_tail) {
		qsort(shown, n_tail, sizeof *shown, sess_msg_id_cmp);
		struct sess_tail t = { c, shown, n_tail, 0 };
		sess_call_out(s);
		tail(ctx, &t);
		sess_call_in(s);
	}
	sb_fini(&note);
	sb_fini(&comm);
	xfree(shown);
	xfree(opens);
	xfree(active);
	xfree(parts);
	long n = (long)sc->n_recs;
	SESS_LEAVE(s);
	return n;
}
