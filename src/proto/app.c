/* app.c: see app.h and proto.h. One struct app_conn per connection: reassembly and the
 * connection's own decoder instance (its root layer); a layer may open child layers
 * above it (proto.h stacking). Each layer holds, per direction, the bytes its decoder
 * has not consumed; bytes that arrive while nothing is held are offered in place
 * (zero copy) and only what is left over is copied. */
#include "app.h"

#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../tcp/reasm.h"

#include <stdio.h>
#include <inttypes.h>
#include <string.h>

/* Under AddressSanitizer the unused end of each held buffer is poisoned, so a decoder
 * that reads past the bytes it was offered faults there too, not only on the guard
 * page of a test input (offered in place). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define SLACK_POISON(h) ASAN_POISON_MEMORY_REGION((h)->p + (h)->len, (h)->cap - (h)->len)
#define SLACK_OPEN(h) ASAN_UNPOISON_MEMORY_REGION((h)->p, (h)->cap)
#else
#define SLACK_POISON(h) ((void)(h))
#define SLACK_OPEN(h) ((void)(h))
#endif

/* Bytes held per direction while no decoder has answered yes: every probe in the
 * registry decides on a request line, a status line, a RESP type byte or a DNS
 * header, all of which fit in far fewer bytes. */
#define APP_PROBE_WAIT 512

/* How long (capture time) a reset connection (or one closed with bytes still
 * held by reassembly) must stay quiet before its state is released, as the engine
 * waits before releasing its analysis state (ENGINE_RELEASE_AFTER_NS): a late segment
 * within that time is decoded as it would be otherwise. Later packets of a released
 * connection are not decoded. A connection with one side still open is never released
 * early (a half-closed connection may legitimately go on). */
#define APP_RELEASE_AFTER_NS (120 * TS_NS_PER_SEC)

/* Offset map entries kept per direction of a child layer before the ones its decoder can
 * no longer refer to are dropped. */
#define APP_MAP_TRIM 64

/* Bytes held for a decoder, with their length and room, in one block: allocated when
 * bytes must wait (a head split over segments, the first segment while the decoder is
 * chosen) and freed once they are taken, so an idle direction costs one pointer. */
struct held_bytes {
	size_t len, cap;
	uint8_t p[];
};

struct app_buf {
	struct held_bytes *h; /* NULL when nothing is held */
	uint64_t off;         /* own-stream offset of the first held byte, or of the next byte */
};

static size_t buf_len(const struct app_buf *b) { return b->h ? b->h->len : 0; }
static const uint8_t *buf_bytes(const struct app_buf *b) { return b->h ? b->h->p : NULL; }

/* own bytes [own, own + n) of a child came from connection bytes [lo, hi) */
struct offmap_ent {
	uint64_t own, n, lo, hi;
};

struct offmap {
	struct offmap_ent *e;
	size_t n, cap;
};

/* A content layer the opener asked for, to be opened on the first emitted byte. */
struct chain_step {
	const char *proto;
	char *param;
};

/* What every layer has: the connection's own stream (the root layer, depth 0, inside
 * struct app_conn) has only this, since every open connection has one; a stacked layer
 * (depth > 0) is a struct child_layer, which adds what only children use. */
struct layer {
	struct layer *child;  /* first open child */
	const struct proto_desc *d;
	void *st;
	uint8_t decided;      /* d was chosen (NULL: nothing decodes this stream) */
	uint8_t depth;        /* 0: the root layer; < APP_MAX_DEPTH */
	uint8_t eof[2];
	uint8_t finished;     /* finish() ran */
	uint8_t busy;         /* inside the decoder (app_close is deferred) */
	/* feed again when at least this many bytes are held; a decoder's larger answer is
	 * kept as UINT32_MAX, which is as good: past APP_BUF_MAX (16 MiB) the held bytes
	 * become a gap before they could reach it */
	uint32_t need[2];
	struct app_buf buf[2];
};

struct child_layer {
	struct layer L;       /* first: a stacked layer's struct layer is its child_layer */
	struct app_conn *ac;
	struct layer *parent;
	struct layer *next;   /* next sibling */
	uint32_t owner;
	uint8_t one_way, one_dir;
	uint8_t n_steps;
	uint64_t in_len[2];   /* own bytes written so far */
	struct offmap map[2]; /* own -> connection offsets */
	/* content layers still to open (n_steps of them, allocated when there are any) */
	struct chain_step *steps;
	struct layer *out;    /* content layer: the next step, opened on the first emit */
};

/* Every connection that sent a byte has one, so its size is what 200,000 open
 * connections cost (hostile.py many-conns): the root layer holds only what every
 * layer needs, reassembly allocates what it holds, the decoder stack is registry
 * indices. The _Static_assert below keeps it from growing back unnoticed. */
struct app_conn {
	struct app *a;
	struct conn *c;
	struct reasm ra;
	struct layer root;
	int64_t last_ts;
	uint8_t ended, tapped, rst, queued;
	uint8_t dead;            /* evicted: c is gone; freed when a->conns is compacted */
	uint8_t reasm_capped[2]; /* app.reassembly_capped said for this direction (once) */
	/* the decoders of the connection's streams, bottom first (Upgrade, TLS...), as
	 * 1 + their index in proto_registry */
	uint8_t n_stack;
	uint8_t stack[APP_MAX_DEPTH];
};

/* 184 bytes on LP64 (was 504): a and c 16, reasm 72, root layer 72, the rest 24. A new
 * field here costs 200,000 open connections its size each; put what few connections
 * need behind a pointer allocated when they need it. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct app_conn) <= 184, "struct app_conn grew: see its comment");
_Static_assert(sizeof(void *) != 8 || sizeof(struct layer) <= 72, "struct layer grew: see struct app_conn");

#define container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

static struct child_layer *as_child(const struct layer *L)
{
	return (struct child_layer *)(uintptr_t)L; /* L->depth > 0: L is the first member */
}

/* The connection L decodes. */
static struct app_conn *layer_ac(const struct layer *L)
{
	return L->depth ? as_child(L)->ac : container_of((struct layer *)(uintptr_t)L, struct app_conn, root);
}

static struct layer *layer_parent(const struct layer *L) { return L->depth ? as_child(L)->parent : NULL; }
static struct layer *layer_out(const struct layer *L) { return L->depth ? as_child(L)->out : NULL; }
static uint32_t layer_owner(const struct layer *L) { return L->depth ? as_child(L)->owner : APPMSG_NONE; }

static void pump(struct layer *L, int dir, const uint8_t *p, size_t n, int flags);
static void layer_free(struct layer *L);
static void layer_finish(struct layer *L);
static void steps_free(struct layer *L);

/* ---- offsets ---- */

static void map_add(struct offmap *m, uint64_t own, uint64_t n, uint64_t lo, uint64_t hi)
{
	xgrow(&m->e, &m->cap, m->n + 1, sizeof *m->e);
	m->e[m->n++] = (struct offmap_ent){ own, n, lo, hi };
}

/* The entry holding own offset x (the last with e.own <= x); NULL when empty. */
static const struct offmap_ent *map_find(const struct offmap *m, uint64_t x)
{
	if (!m->n)
		return NULL;
	size_t lo = 0, hi = m->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->e[mid].own <= x)
			lo = mid;
		else
			hi = mid;
	}
	return &m->e[lo];
}

/* The connection offset where own byte x of L starts (end: where the bytes before the
 * exclusive end x end). Bytes passed through unchanged map exactly; decoded bytes map
 * to the start (or end) of the input they came out of. */
static uint64_t to_conn(const struct layer *L, int dir, uint64_t x, int end)
{
	if (!L->depth)
		return x;
	const struct child_layer *K = as_child(L);
	const struct offmap *m = &K->map[dir];
	const struct offmap_ent *e = map_find(m, end && x ? x - 1 : x);
	if (!e)
		return to_conn(K->parent, dir, 0, end);
	if (e->hi - e->lo == e->n) {
		uint64_t k = x > e->own ? x - e->own : 0;
		if (k > e->n)
			k = e->n;
		return e->lo + k;
	}
	return end ? e->hi : e->lo;
}

uint64_t app_conn_off(struct layer *L, int dir, uint64_t off) { return to_conn(L, dir, off, 0); }

static uint32_t cur_frame(const struct app_conn *ac);

void app_pdu_begins(struct layer *L, int dir, uint64_t off)
{
	struct app_conn *ac = layer_ac(L);
	uint32_t now = cur_frame(ac);
	if (!ac->a->on_pdu_begins || !now || reasm_frame_at(&ac->ra, dir, to_conn(L, dir, off, 0), NULL) != now)
		return;
	ac->a->on_pdu_begins(ac->a->on_done_ctx, ac->c, L->d ? L->d->name : "raw");
}

uint32_t app_frame_at(struct layer *L, int dir, uint64_t off, int64_t *ts)
{
	return reasm_frame_at(&layer_ac(L)->ra, dir, to_conn(L, dir, off, 0), ts);
}

const struct conn *app_conn(struct layer *L) { return layer_ac(L)->c; }
const struct keylog *app_keylog(struct layer *L) { return layer_ac(L)->a->keylog; }

/* The lowest connection offset any layer of L's tree may still ask about (its held
 * bytes start there): reassembly's frame map may forget what lies below. */
static uint64_t oldest_ref(const struct layer *L, int dir, uint64_t lowest)
{
	uint64_t o = to_conn(L, dir, L->buf[dir].off, 0);
	if (o < lowest)
		lowest = o;
	for (const struct layer *k = L->child; k; k = as_child(k)->next)
		lowest = oldest_ref(k, dir, lowest);
	if (layer_out(L))
		lowest = oldest_ref(layer_out(L), dir, lowest);
	return lowest;
}

/* Drops map entries below what the decoder holds. */
static void map_trim(struct layer *L, int dir)
{
	struct offmap *m = &as_child(L)->map[dir];
	if (m->n < APP_MAP_TRIM)
		return;
	uint64_t base = L->buf[dir].off;
	size_t k = 0;
	while (k + 1 < m->n && m->e[k + 1].own <= base)
		k++;
	if (k) {
		memmove(m->e, m->e + k, (m->n - k) * sizeof *m->e);
		m->n -= k;
	}
}

/* ---- messages ---- */

static uint32_t cur_frame(const struct app_conn *ac)
{
	const struct app *a = ac->a;
	return a->in_packet && a->cur_conn == ac->c->idx ? a->cur_frame : 0;
}

struct appmsg *app_msg_begin(struct layer *L, int dir, const char *kind, uint64_t off)
{
	struct app_conn *ac = layer_ac(L);
	struct appmsg *m = applog_add(&ac->a->log, ac->c->idx);
	m->dir = (uint8_t)dir;
	m->proto = L->d ? L->d->name : "raw";
	m->kind = kind;
	m->depth = L->depth;
	m->off = m->end = to_conn(L, dir, off, 0);
	m->first_frame = m->last_frame = reasm_frame_at(&ac->ra, dir, m->off, &m->first_ts);
	m->last_ts = m->first_ts;
	m->begin_frame = cur_frame(ac);
	return m;
}

void app_msg_end(struct layer *L, struct appmsg *m, uint64_t end)
{
	uint64_t e = to_conn(L, m->dir, end, 1);
	m->end = e < m->off ? m->off : e;
	if (m->end > m->off)
		m->last_frame = reasm_frame_at(&layer_ac(L)->ra, m->dir, m->end - 1, &m->last_ts);
}

struct appmsg *app_msg(struct layer *L, uint32_t id) { return applog_get(&layer_ac(L)->a->log, id); }

/* 1 when proto is one of the names in list ("tls http2"). */
static int name_listed(const char *list, const char *proto)
{
	size_t n = strlen(proto);
	for (const char *p = list; (p = strstr(p, proto)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static void maybe_clear(struct app *a, struct appmsg *m)
{
	if (a->release && m->done && !m->holds && !m->cleared && !(a->release_keep && m->proto && name_listed(a->release_keep, m->proto)))
		appmsg_clear(m);
}

void app_hold(struct app *a, struct appmsg *m)
{
	(void)a;
	if (m->holds < UINT16_MAX)
		m->holds++;
}

void app_release(struct app *a, struct appmsg *m)
{
	if (m->holds)
		m->holds--;
	maybe_clear(a, m);
}

void app_msg_hold(struct layer *L, uint32_t id)
{
	if (id != APPMSG_NONE)
		app_hold(layer_ac(L)->a, app_msg(L, id));
}

void app_msg_release(struct layer *L, uint32_t id)
{
	if (id != APPMSG_NONE)
		app_release(layer_ac(L)->a, app_msg(L, id));
}

void app_msg_done(struct layer *L, struct appmsg *m)
{
	struct app *a = layer_ac(L)->a;
	if (m->done)
		return;
	m->done = 1;
	m->done_frame = cur_frame(layer_ac(L));
	if (m->body)
		appbody_end(m->body);
	if (a->on_done)
		a->on_done(a->on_done_ctx, m);
	maybe_clear(a, m);
}

static struct appbody *owner_body(struct layer *L)
{
	if (layer_owner(L) == APPMSG_NONE)
		return NULL;
	struct app *a = layer_ac(L)->a;
	return appmsg_body(app_msg(L, layer_owner(L)), a->body_keep, a->body_hash);
}

struct appbody *app_body(struct layer *L, struct appmsg *m)
{
	struct app *a = layer_ac(L)->a;
	return appmsg_body(m, a->body_keep, a->body_hash);
}

void app_body_add(struct layer *L, struct appmsg *m, const uint8_t *p, size_t n)
{
	struct appbody *b = app_body(L, m);
	b->in += n;
	appbody_add(b, p, n);
}

int app_budget_spent(struct layer *L) { return applog_spent(&layer_ac(L)->a->log, layer_ac(L)->c->idx); }

uint64_t app_decode_room(struct layer *L, uint64_t done, int *why)
{
	const struct app *a = layer_ac(L)->a;
	uint64_t room = done < APP_DECODE_MAX ? APP_DECODE_MAX - done : 0;
	int w = 1;
	/* APP_DECODE_FREE + APP_DECODE_RATIO * stream bytes, without overflowing */
	uint64_t allow = a->stream_in > (UINT64_MAX - APP_DECODE_FREE) / APP_DECODE_RATIO
				 ? UINT64_MAX
				 : APP_DECODE_FREE + APP_DECODE_RATIO * a->stream_in;
	uint64_t left = a->decoded < allow ? allow - a->decoded : 0;
	/* A decoder may do a window's worth of work (brotli: 16 MiB) before its first
	 * output byte, so a few kilobytes of room cost as much as megabytes: a capture's
	 * allowance below APP_DECODE_GRAIN counts as spent until it has grown past it. */
	if (left < APP_DECODE_GRAIN)
		left = 0;
	if (left < room) {
		room = left;
		w = 2;
	}
	if (why)
		*why = w;
	return room;
}

void app_decoded(struct layer *L, uint64_t n) { layer_ac(L)->a->decoded += n; }

struct appmsg *app_owner(struct layer *L)
{
	return layer_owner(L) == APPMSG_NONE ? NULL : app_msg(L, layer_owner(L));
}

/* ---- decoders ---- */

/* A stacked stream's decoder joins the connection's stack ("tls > http"): named by
 * its opener, or found by content later. One-way streams (a body) are not a layer of
 * the connection. */
static void stack_add(struct layer *L, const struct proto_desc *d)
{
	struct app_conn *ac = layer_ac(L);
	if (!L->depth || as_child(L)->one_way || ac->n_stack >= APP_MAX_DEPTH)
		return;
	for (size_t i = 0; proto_registry[i] && i < UINT8_MAX; i++)
		if (proto_registry[i] == d) {
			ac->stack[ac->n_stack++] = (uint8_t)(i + 1);
			break;
		}
}

static void start_decoder(struct layer *L, const struct proto_desc *d, const struct layer_open *how)
{
	L->d = d;
	L->decided = 1;
	L->need[0] = L->need[1] = 0;
	if (!d)
		return;
	stack_add(L, d);
	L->st = xcalloc(1, d->state_size ? d->state_size : 1);
	if (d->init) {
		L->busy++;
		d->init(L->st, L, how);
		L->busy--;
	}
}

static void stop_decoder(struct layer *L)
{
	if (L->d && L->st && L->d->fini)
		L->d->fini(L->st);
	xfree(L->st);
	L->st = NULL;
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
static void try_decide(struct layer *L, int force)
{
	if (L->decided)
		return;
	const struct conn *c = layer_ac(L)->c;
	const struct proto_desc *maybe_port = NULL;
	int any_data = 0, all_no = 1;
	for (int dir = 0; dir < 2; dir++) {
		const struct app_buf *b = &L->buf[dir];
		if (!buf_len(b))
			continue;
		any_data = 1;
		for (size_t i = 0; proto_registry[i]; i++) {
			const struct proto_desc *d = proto_registry[i];
			if (!d->probe || d->role != PROTO_STREAM || (d->transport && d->transport != c->proto))
				continue;
			int ans = d->probe(buf_bytes(b), buf_len(b), dir);
			if (ans == PROBE_YES) {
				start_decoder(L, d, NULL);
				return;
			}
			if (ans == PROBE_MAYBE) {
				all_no = 0;
				if (!maybe_port && port_hint(d, c))
					maybe_port = d;
			}
		}
	}
	if (!any_data) {
		if (force)
			start_decoder(L, NULL, NULL);
		return;
	}
	/* Both sides said no (or one did and the capture forces a decision): give up. A
	 * client's odd first line must not rule HTTP out before the server answers. */
	size_t held0 = buf_len(&L->buf[0]), held1 = buf_len(&L->buf[1]);
	if (all_no && (force || (held0 && held1))) {
		start_decoder(L, NULL, NULL);
		return;
	}
	size_t held = held0 + held1;
	/* Both sides spoke and only a port-hinted maybe is left: take it. */
	if (maybe_port && held0 && held1) {
		start_decoder(L, maybe_port, NULL);
		return;
	}
	if (force || held >= APP_PROBE_WAIT)
		start_decoder(L, all_no ? NULL : maybe_port, NULL);
}

static void buf_free(struct app_buf *b);

/* Drops the first n held bytes. A buffer that empties is freed: most streams hold
 * bytes only for a moment (a head split over two segments, the first segment while
 * the decoder is chosen), and an idle connection must not keep that memory. */
static void buf_drop(struct app_buf *b, size_t n)
{
	struct held_bytes *h = b->h;
	if (!h)
		return;
	if (n >= h->len) {
		uint64_t off = b->off + h->len;
		buf_free(b);
		b->off = off;
		return;
	}
	SLACK_OPEN(h);
	memmove(h->p, h->p + n, h->len - n);
	h->len -= n;
	b->off += n;
	SLACK_POISON(h);
}

/* Least room of a held block: 16 bytes of header and 48 of bytes, one malloc chunk. */
#define HELD_FIRST 48

static void buf_add(struct app_buf *b, const uint8_t *p, size_t n)
{
	struct held_bytes *h = b->h;
	size_t len = h ? h->len : 0;
	if (!h || len + n > h->cap) {
		size_t cap = h ? h->cap : HELD_FIRST;
		while (cap < len + n) {
			if (cap > ((size_t)-1 - sizeof *h) / 2)
				xmalloc((size_t)-1); /* fails: no block that large */
			cap *= 2;
		}
		if (h)
			SLACK_OPEN(h);
		h = xrealloc(h, sizeof *h + cap);
		h->len = len;
		h->cap = cap;
		b->h = h;
	} else {
		SLACK_OPEN(h);
	}
	memcpy(h->p + h->len, p, n);
	h->len += n;
	SLACK_POISON(h);
}

static void buf_free(struct app_buf *b)
{
	if (b->h)
		SLACK_OPEN(b->h);
	xfree(b->h);
	memset(b, 0, sizeof *b);
}

/* Calls feed on [p, p+n) (own offset off) until it takes no more; returns consumed. */
static size_t feed_loop(struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off, int flags)
{
	size_t used = 0;
	for (;;) {
		size_t rem = n - used;
		L->busy++;
		struct feed_res r = L->d->feed(L->st, L, dir, p ? p + used : p, rem, off + used, flags);
		L->busy--;
		size_t k = r.consumed > rem ? rem : r.consumed; /* a decoder bug must not move the stream */
		used += k;
		/* needed counts from the first byte offered; what is held now starts k later */
		size_t need = r.needed > k ? r.needed - k : 0;
		need = need > rem - k ? need : 0;
		L->need[dir] = need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
		if (!L->d || k == 0 || used == n || L->need[dir])
			break;
	}
	return used;
}

/* Bytes [p, p+n) of side dir arrive for L's decoder (n may be 0 with flags). */
static void pump(struct layer *L, int dir, const uint8_t *p, size_t n, int flags)
{
	struct app_buf *b = &L->buf[dir];
	if (L->decided && !L->d) {
		uint64_t off = b->off + buf_len(b) + n;
		buf_free(b);
		b->off = off;
		return;
	}
	if (!L->decided) {
		if (n)
			buf_add(b, p, n);
		try_decide(L, (flags & (FEED_EOF | FEED_GAP)) != 0);
		if (!L->decided)
			return;
		if (!L->d) {
			buf_drop(b, buf_len(b));
			buf_drop(&L->buf[1 - dir], buf_len(&L->buf[1 - dir])); /* nothing will read them */
			return;
		}
		/* The other side's bytes waited too. */
		struct app_buf *o = &L->buf[1 - dir];
		if (buf_len(o)) {
			size_t k = feed_loop(L, 1 - dir, o->h->p, o->h->len, o->off, L->eof[1 - dir] ? FEED_EOF : 0);
			buf_drop(o, k);
		}
		p = NULL;
		n = 0;
	}
	if (buf_len(b) == 0 && n) {
		/* Nothing held: offer the bytes where they are. */
		size_t k = (L->need[dir] > n && !(flags & (FEED_EOF | FEED_GAP))) ? 0 : feed_loop(L, dir, p, n, b->off, flags);
		b->off += k;
		if (k < n)
			buf_add(b, p + k, n - k);
	} else {
		if (n)
			buf_add(b, p, n);
		size_t held = buf_len(b);
		if (held && (held >= L->need[dir] || (flags & (FEED_EOF | FEED_GAP)))) {
			size_t k = feed_loop(L, dir, b->h->p, held, b->off, flags);
			buf_drop(b, k);
		} else if (!held && (flags & (FEED_EOF | FEED_GAP))) {
			feed_loop(L, dir, NULL, 0, b->off, flags);
		}
	}
	if (buf_len(b) > APP_BUF_MAX && L->d) {
		/* The decoder waits for more than any sane message: skip what it holds. */
		uint64_t off = b->off;
		size_t len = buf_len(b);
		feed_loop(L, dir, b->h->p, len, b->off, FEED_GAP);
		buf_drop(b, buf_len(b));
		if (L->d && L->d->gap) {
			L->busy++;
			L->d->gap(L->st, L, dir, off, len);
			L->busy--;
		}
		L->need[dir] = 0;
	}
	if (L->depth)
		map_trim(L, dir);
}

/* ---- stacking ---- */

static struct layer *layer_new(struct layer *parent, const struct layer_open *how, const struct proto_desc *d)
{
	struct child_layer *k = xcalloc(1, sizeof *k);
	k->ac = layer_ac(parent);
	k->parent = parent;
	k->L.depth = (uint8_t)(parent->depth + 1);
	k->owner = how->owner;
	k->one_way = (uint8_t)(how->one_way != 0);
	k->one_dir = how->dir ? 1 : 0;
	if (k->one_way)
		k->L.eof[1 - k->one_dir] = 1;
	size_t n = 0;
	while (how->then && how->then[n] && n < APP_MAX_DEPTH)
		n++;
	if (n)
		k->steps = xmalloc(n * sizeof *k->steps);
	for (size_t i = 0; i < n; i++) {
		k->steps[i].proto = how->then[i]->proto;
		k->steps[i].param = how->then[i]->param ? xstrdup(how->then[i]->param) : NULL;
	}
	k->n_steps = (uint8_t)n;
	return &k->L;
}

struct layer *app_open(struct layer *L, const struct layer_open *how)
{
	const struct proto_desc *d = NULL;
	if (how->proto && !(d = proto_find(how->proto)))
		return NULL;
	if (L->depth + 1 >= APP_MAX_DEPTH)
		return NULL;
	struct layer *k = layer_new(L, how, d);
	as_child(k)->next = L->child;
	L->child = k;
	for (int i = 0; i < 2; i++)
		app_msg_hold(L, how->msg[i]);
	if (d)
		start_decoder(k, d, how);
	for (int i = 0; i < 2; i++)
		app_msg_release(L, how->msg[i]);
	return k;
}

void app_write(struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t lo, uint64_t hi)
{
	if (!L || L->eof[dir] || !n)
		return;
	struct child_layer *k = as_child(L);
	uint64_t clo = to_conn(k->parent, dir, lo, 0), chi = to_conn(k->parent, dir, hi, 1);
	map_add(&k->map[dir], k->in_len[dir], n, clo, chi < clo ? clo : chi);
	k->in_len[dir] += n;
	/* A stream's content is its owner's body where the content layers end. */
	if (k->owner != APPMSG_NONE) {
		struct appbody *b = owner_body(L);
		if (layer_owner(k->parent) != k->owner)
			b->in += n; /* the first layer of the owner's content */
		if (!L->d || L->d->role != PROTO_CONTENT)
			appbody_add(b, p, n);
	}
	pump(L, dir, p, n, 0);
}

void app_write_gap(struct layer *L, int dir, uint64_t len)
{
	if (!L || L->eof[dir])
		return;
	struct child_layer *k = as_child(L);
	uint64_t off = k->in_len[dir];
	k->in_len[dir] += len;
	struct app_buf *b = &L->buf[dir];
	if (L->d) {
		if (buf_len(b))
			pump(L, dir, NULL, 0, FEED_GAP);
		buf_drop(b, buf_len(b));
		if (L->d && L->d->gap) {
			L->busy++;
			L->d->gap(L->st, L, dir, off, len);
			L->busy--;
		}
	}
	buf_free(b);
	b->off = off + len;
}

void app_write_end(struct layer *k, int dir)
{
	if (!k || k->eof[dir])
		return;
	k->eof[dir] = 1;
	try_decide(k, 1);
	pump(k, dir, NULL, 0, FEED_EOF);
	if (layer_out(k))
		app_write_end(layer_out(k), dir);
}

void app_emit(struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t lo, uint64_t hi)
{
	if (!n || !L->depth)
		return; /* the root layer has no owner and no steps: the bytes go nowhere */
	struct child_layer *K = as_child(L);
	if (!K->out && K->n_steps) {
		struct layer_open how;
		memset(&how, 0, sizeof how);
		how.proto = K->steps[0].proto;
		how.param = K->steps[0].param;
		how.msg[0] = how.msg[1] = APPMSG_NONE;
		how.owner = K->owner;
		how.one_way = K->one_way;
		how.dir = K->one_dir;
		const struct layer_open *rest[APP_MAX_DEPTH + 1];
		struct layer_open steps[APP_MAX_DEPTH];
		size_t k = 0;
		for (size_t i = 1; i < K->n_steps; i++, k++) {
			memset(&steps[k], 0, sizeof steps[k]);
			steps[k].proto = K->steps[i].proto;
			steps[k].param = K->steps[i].param;
			rest[k] = &steps[k];
		}
		rest[k] = NULL;
		how.then = rest;
		const struct proto_desc *d = proto_find(how.proto);
		if (d && L->depth + 1 < APP_MAX_DEPTH) {
			struct layer *c = layer_new(L, &how, d);
			K->out = c;
			start_decoder(c, d, &how);
		} else {
			steps_free(L); /* unknown step: the content stays as it is */
		}
	}
	if (K->out) {
		app_write(K->out, dir, p, n, lo, hi);
		return;
	}
	struct appbody *b = owner_body(L);
	if (b)
		appbody_add(b, p, n);
}

/* Finishes L: both directions end, its decoder's finish runs, then its children's. */
static void layer_finish(struct layer *L)
{
	if (L->finished)
		return;
	for (int dir = 0; dir < 2; dir++)
		if (!L->eof[dir]) {
			L->eof[dir] = 1;
			try_decide(L, 1);
			pump(L, dir, NULL, 0, FEED_EOF);
		}
	try_decide(L, 1);
	L->finished = 1;
	if (L->d && L->d->finish) {
		L->busy++;
		L->d->finish(L->st, L);
		L->busy--;
	}
	if (layer_out(L))
		layer_finish(layer_out(L));
	for (struct layer *k = L->child; k; k = as_child(k)->next)
		layer_finish(k);
}

static void steps_free(struct layer *L)
{
	if (!L->depth)
		return;
	struct child_layer *k = as_child(L);
	for (size_t i = 0; i < k->n_steps; i++)
		xfree(k->steps[i].param);
	xfree(k->steps);
	k->steps = NULL;
	k->n_steps = 0;
}

/* Frees what L owns (not L itself: the root is part of struct app_conn, a child is
 * freed by its parent with xfree). */
static void layer_free(struct layer *L)
{
	stop_decoder(L);
	for (int dir = 0; dir < 2; dir++)
		buf_free(&L->buf[dir]);
	if (L->depth) {
		struct child_layer *K = as_child(L);
		for (int dir = 0; dir < 2; dir++) {
			xfree(K->map[dir].e);
			memset(&K->map[dir], 0, sizeof K->map[dir]);
		}
		steps_free(L);
		if (K->out) {
			layer_free(K->out);
			xfree(K->out);
			K->out = NULL;
		}
	}
	struct layer *k = L->child;
	while (k) {
		struct layer *next = as_child(k)->next;
		layer_free(k);
		xfree(k);
		k = next;
	}
	L->child = NULL;
}

void app_close(struct layer *k)
{
	if (!k)
		return;
	layer_finish(k);
	struct layer *P = layer_parent(k);
	for (struct layer **pp = &P->child; *pp; pp = &as_child(*pp)->next)
		if (*pp == k) {
			*pp = as_child(k)->next;
			break;
		}
	layer_free(k);
	xfree(k);
}

/* ---- the connection's own stream ---- */

static void on_data(struct reasm *r, int dir, const uint8_t *p, size_t n, uint64_t off)
{
	struct app_conn *ac = container_of(r, struct app_conn, ra);
	if (ac->tapped)
		ac->a->tap(ac->a->tap_ctx, ac->c, dir, p, n, off);
	ac->a->stream_in += n;
	struct layer *L = &ac->root;
	if (buf_len(&L->buf[dir]) == 0)
		L->buf[dir].off = off;
	pump(L, dir, p, n, 0);
	if (ac->c->proto == 6) {
		uint64_t oldest = oldest_ref(L, dir, L->buf[dir].off);
		if (oldest > 0)
			reasm_release(&ac->ra, dir, oldest - 1);
	}
}

static void on_gap(struct reasm *r, int dir, uint64_t off, uint64_t len)
{
	struct app_conn *ac = container_of(r, struct app_conn, ra);
	struct layer *L = &ac->root;
	ac->a->n_gaps++;
	if (ac->tapped)
		ac->a->tap(ac->a->tap_ctx, ac->c, dir, NULL, (size_t)len, off);
	try_decide(L, 1);
	if (ac->ra.d[dir].capping && !ac->reasm_capped[dir]) {
		/* said once a direction: past the cap every later segment may trip it again */
		ac->reasm_capped[dir] = 1;
		struct appmsg *m = app_msg_begin(L, dir, "gap", off);
		appmsg_set_summary(m, "reassembly gave up a hole", 25);
		appmsg_note(m, &appmsg_events[APPEV_REASM_CAPPED], off,
			    "more data arrived out of order than chattcp holds (%zu segments, %zu MiB a direction): "
			    "the %" PRIu64 " bytes missing from byte %" PRIu64 " are given up as a gap, later holes "
			    "the same way; what needs them is not decoded",
			    (size_t)REASM_OOO_SEGS_MAX, (size_t)(REASM_OOO_MAX >> 20), len, off);
		app_msg_end(L, m, off + len);
		app_msg_done(L, m);
	}
	struct app_buf *b = &L->buf[dir];
	if (L->d) {
		if (buf_len(b))
			pump(L, dir, NULL, 0, FEED_GAP);
		buf_drop(b, buf_len(b));
		if (L->d && L->d->gap) {
			L->busy++;
			L->d->gap(L->st, L, dir, off, len);
			L->busy--;
		}
	}
	buf_free(b);
	b->off = off + len;
	L->need[dir] = 0;
}

static void on_fin(struct reasm *r, int dir, uint64_t off)
{
	struct app_conn *ac = container_of(r, struct app_conn, ra);
	struct layer *L = &ac->root;
	(void)off;
	if (L->eof[dir])
		return;
	L->eof[dir] = 1;
	try_decide(L, 1);
	/* Make sure the other side's held bytes went first (undecided until now). */
	if (buf_len(&L->buf[1 - dir]))
		pump(L, 1 - dir, NULL, 0, 0);
	pump(L, dir, NULL, 0, FEED_EOF);
}

static struct app_conn *conn_state(struct app *a, struct conn *c)
{
	if (c->app)
		return c->app;
	static const struct reasm_ops stream_ops = { on_data, on_gap, on_fin };
	struct app_conn *ac = xcalloc(1, sizeof *ac);
	ac->a = a;
	ac->c = c;
	reasm_init(&ac->ra, &stream_ops);
	ac->tapped = a->tap && (!a->tap_sel || a->tap_sel(a->tap_ctx, c));
	c->app = ac;
	xgrow(&a->conns, &a->cap_conns, a->n_conns + 1, sizeof *a->conns);
	a->conns[a->n_conns++] = ac;
	size_t old = a->cap_by_idx;
	xgrow(&a->by_idx, &a->cap_by_idx, (size_t)c->idx + 1, sizeof *a->by_idx);
	for (size_t i = old; i < a->cap_by_idx; i++)
		a->by_idx[i] = NULL;
	a->by_idx[c->idx] = ac;
	const struct proto_desc *picked = NULL;
	if (a->force && (!a->force_sel || a->force_sel(a->force_ctx, c)))
		start_decoder(&ac->root, a->force, NULL);
	else if (a->pick && (picked = a->pick(a->pick_ctx, c)))
		start_decoder(&ac->root, picked, NULL);
	return ac;
}

int app_side_hint(const struct app *a, const struct conn *c, int dir, const uint8_t *p, size_t n)
{
	int here_plausible = 0, there_sure = 0;
	const struct proto_desc *forced = a->force && (!a->force_sel || a->force_sel(a->force_ctx, c)) ? a->force : NULL;
	for (size_t i = 0; proto_registry[i]; i++) {
		const struct proto_desc *d = proto_registry[i];
		if (forced ? d != forced : (d->role != PROTO_STREAM || (d->transport && d->transport != c->proto)))
			continue;
		if (!d->probe)
			continue;
		int here = d->probe(p, n, dir), there = d->probe(p, n, 1 - dir);
		if (here == PROBE_YES)
			return dir == 0 ? 1 : 2;
		if (here == PROBE_MAYBE)
			here_plausible = 1;
		if (there == PROBE_YES)
			there_sure = 1;
	}
	if (here_plausible || !there_sure)
		return 0;
	return dir == 0 ? 2 : 1;
}

void app_swap_sides(struct app *a, struct conn *c)
{
	(void)a;
	struct app_conn *ac = c->app;
	if (!ac)
		return;
	struct reasm_dir t = ac->ra.d[0];
	ac->ra.d[0] = ac->ra.d[1];
	ac->ra.d[1] = t;
	struct layer *L = &ac->root;
	struct app_buf b = L->buf[0];
	L->buf[0] = L->buf[1];
	L->buf[1] = b;
	uint32_t need = L->need[0];
	L->need[0] = L->need[1];
	L->need[1] = need;
	uint8_t x = L->eof[0];
	L->eof[0] = L->eof[1];
	L->eof[1] = x;
	x = ac->reasm_capped[0];
	ac->reasm_capped[0] = ac->reasm_capped[1];
	ac->reasm_capped[1] = x;
}

/* Delivers what reassembly still holds, finishes the decoders and frees the
 * connection's state (struct app_conn itself stays, marked ended). */
static void end_conn(struct app_conn *ac)
{
	struct layer *L = &ac->root;
	if (ac->c->proto == 6) {
		reasm_finish(&ac->ra);
		try_decide(L, 1);
	}
	layer_finish(L);
	/* A decoder that never said a message was complete (it ended with the stream):
	 * it is complete now, at the end. */
	struct app *a = ac->a;
	int was = a->in_packet;
	a->in_packet = 0;
	size_t n;
	const uint32_t *ix = applog_conn(&a->log, ac->c->idx, &n);
	for (size_t i = 0; i < n; i++) {
		struct appmsg *m = applog_get(&a->log, ix[i]);
		if (!m->done)
			app_msg_done(L, m);
	}
	a->in_packet = was;
	ac->ended = 1;
	layer_free(L);
	reasm_fini(&ac->ra);
	if (a->on_conn_ended)
		a->on_conn_ended(a->on_done_ctx, ac->c);
}

void app_init(struct app *a)
{
	memset(a, 0, sizeof *a);
	applog_init(&a->log);
	a->body_keep = 0;
}

/* Queues ac once it has ended (ts: now). */
static void note_ended(struct app *a, struct app_conn *ac, int64_t ts)
{
	if (ac->queued || ac->ended || !(ac->rst || (ac->root.eof[0] && ac->root.eof[1])))
		return;
	xgrow(&a->ended, &a->cap_ended, a->n_ended + 1, sizeof *a->ended);
	a->ended[a->n_ended].ac = ac;
	a->ended[a->n_ended].ts = ts;
	a->n_ended++;
	ac->queued = 1;
}

/* Ends the queued connections quiet for APP_RELEASE_AFTER_NS before now; one
 * that spoke meanwhile goes back in the queue, from its last packet. */
static void release_ended(struct app *a, int64_t now)
{
	while (a->ended_head < a->n_ended && ts_sub(now, a->ended[a->ended_head].ts) > APP_RELEASE_AFTER_NS) {
		struct app_conn *ac = a->ended[a->ended_head++].ac;
		ac->queued = 0;
		if (ac->ended || ac->dead)
			continue;
		if (ts_sub(now, ac->last_ts) > APP_RELEASE_AFTER_NS)
			end_conn(ac);
		else
			note_ended(a, ac, ac->last_ts);
	}
	if (a->ended_head > 4096 && a->ended_head * 2 > a->n_ended) {
		memmove(a->ended, a->ended + a->ended_head, (a->n_ended - a->ended_head) * sizeof *a->ended);
		a->n_ended -= a->ended_head;
		a->ended_head = 0;
	}
}

void app_packet(struct app *a, struct conn *c, const struct pkt *pk, const struct pktrec *rec)
{
	a->in_packet = 0; /* what ends here ends outside its own connection's packets */
	release_ended(a, rec->ts_ns);
	struct app_conn *ac = conn_state(a, c);
	if (ac->ended)
		return;
	a->in_packet = 1;
	a->cur_frame = rec->frame;
	a->cur_conn = c->idx;
	ac->last_ts = rec->ts_ns;
	int dir = rec->dir;
	if (pk->kind == PK_TCP) {
		if (!(pk->malformed && pk->tcp_hlen < 20)) {
			if (pk->flags & TH_ACK)
				reasm_ack(&ac->ra, dir, pk->ack);
			reasm_segment(&ac->ra, dir, pk->seq, pk->flags, pk->payload, pk->caplen, pk->len, rec->frame,
				      rec->ts_ns);
			if (pk->flags & TH_RST)
				ac->rst = 1;
			/* Both FINs delivered and nothing held: what could still come is a
			 * retransmission (already delivered) or bytes past a FIN, which a receiver
			 * drops too, so the connection's decoders are finished now and their state
			 * freed. A reset connection may yet see data: it waits (release_ended). */
			if (ac->root.eof[0] && ac->root.eof[1] && !reasm_held_segs(&ac->ra, 0) && !reasm_held_segs(&ac->ra, 1))
				end_conn(ac);
			else
				note_ended(a, ac, rec->ts_ns);
		}
	} else if (pk->kind == PK_UDP && pk->payload) {
		/* A datagram is a whole message: no reassembly, offsets count datagram bytes. */
		a->stream_in += pk->caplen;
		uint64_t off = reasm_datagram(&ac->ra, dir, pk->caplen, rec->frame, rec->ts_ns);
		if (ac->tapped)
			a->tap(a->tap_ctx, c, dir, pk->payload, pk->caplen, off);
		struct layer *L = &ac->root;
		if (!L->decided) {
			struct app_buf *b = &L->buf[dir];
			buf_free(b);
			if (pk->caplen)
				buf_add(b, pk->payload, pk->caplen);
			b->off = off;
			try_decide(L, 1);
			buf_free(b); /* only the probes read it */
			b->off = off;
		}
		if (L->d && (!L->d->transport || L->d->transport == 17)) {
			L->busy++;
			L->d->feed(L->st, L, dir, pk->payload, pk->caplen, off, FEED_DGRAM);
			L->busy--;
		}
	}
	a->in_packet = 0;
}

void app_end(struct app *a)
{
	a->in_packet = 0;
	for (size_t i = 0; i < a->n_conns; i++) {
		struct app_conn *ac = a->conns[i];
		if (ac->dead)
			continue;
		if (!ac->ended)
			end_conn(ac);
		ac->c->app = NULL;
	}
}

/* The state of connection c, or NULL when no byte of it reached this layer. */
static const struct app_conn *conn_find(const struct app *a, const struct conn *c)
{
	if (c->idx >= a->cap_by_idx)
		return NULL;
	const struct app_conn *ac = a->by_idx[c->idx];
	return ac && ac->c == c ? ac : NULL;
}

int app_conn_ended(const struct app *a, const struct conn *c)
{
	const struct app_conn *ac = conn_find(a, c);
	return !ac || ac->ended;
}

void app_stack_of(const struct app *a, const struct conn *c, char *buf, size_t n)
{
	buf[0] = '\0';
	const struct app_conn *ac = conn_find(a, c);
	if (!ac || !ac->root.d)
		return;
	size_t at = 0;
	for (size_t k = 0; k <= ac->n_stack; k++) {
		const char *name = k ? proto_registry[ac->stack[k - 1] - 1]->name : ac->root.d->name;
		int w = snprintf(buf + at, n - at, "%s%s", k ? " > " : "", name);
		if (w < 0 || (size_t)w >= n - at)
			break;
		at += (size_t)w;
	}
}

const char *app_proto_of(const struct app *a, const struct conn *c)
{
	const struct app_conn *ac = conn_find(a, c);
	return ac && ac->root.d ? ac->root.d->name : NULL;
}

void app_fini(struct app *a)
{
	for (size_t i = 0; i < a->n_conns; i++) {
		struct app_conn *ac = a->conns[i];
		if (!ac->ended && !ac->dead) {
			layer_free(&ac->root);
			reasm_fini(&ac->ra);
			if (ac->c && ac->c->app == ac)
				ac->c->app = NULL;
		}
		xfree(ac);
	}
	xfree(a->conns);
	xfree(a->by_idx);
	xfree(a->ended);
	applog_fini(&a->log);
	memset(a, 0, sizeof *a);
}

void app_conn_end(struct app *a, struct conn *c)
{
	struct app_conn *ac = c->app;
	if (!ac || ac->ended)
		return;
	a->in_packet = 0;
	end_conn(ac);
}

void app_conn_free(struct app *a, struct conn *c)
{
	struct app_conn *ac = c->app;
	if (ac) {
		if (!ac->ended)
			end_conn(ac);
		if (c->idx < a->cap_by_idx && a->by_idx[c->idx] == ac)
			a->by_idx[c->idx] = NULL;
		ac->dead = 1;
		ac->c = NULL;
		c->app = NULL;
		a->n_dead++;
	}
	applog_conn_retire(&a->log, c->idx);
	/* Compact when half are dead (amortized O(1) an eviction), keeping the order of
	 * the rest; one still in the ended queue is skipped there and freed here. */
	if (a->n_dead > 64 && a->n_dead * 2 > a->n_conns) {
		size_t k = 0;
		for (size_t i = 0; i < a->n_conns; i++) {
			struct app_conn *x = a->conns[i];
			if (x->dead && !x->queued)
				xfree(x);
			else
				a->conns[k++] = x;
		}
		a->n_dead -= a->n_conns - k;
		a->n_conns = k;
	}
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
	struct app_conn *ac = conn_state(a, &c);
	uint32_t seq[2] = { 1000, 500000 };
	if (transport == 6) {
		reasm_segment(&ac->ra, 0, seq[0]++, TH_SYN, NULL, 0, 0, 0, 0);
		reasm_segment(&ac->ra, 1, seq[1]++, TH_SYN | TH_ACK, NULL, 0, 0, 0, 0);
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
		app_packet(a, &c, &pk, &rec);
	}
	app_end(a);
	ac->c = NULL; /* c lives on this stack frame only */
}
