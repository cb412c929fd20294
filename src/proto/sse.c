/* sse.c: Server-Sent Events (WHATWG HTML §9.2 "Server-sent events", the
 * text/event-stream format), a layer that reads the decoded body of an HTTP response
 * (http.c opens it, above any content codings): each event (event, data, id, retry
 * fields, dispatched at a blank line) becomes its own message with the frames it came
 * in. The parsing follows the WHATWG "event stream interpretation": lines end in CRLF,
 * LF or CR; a line starting with ':' is a comment; "field: value" (one optional space
 * after the colon is removed); a blank line dispatches the event. Fields: event, data
 * (several lines join with LF), id, retry (digits only).
 *
 * Trust model: untrusted bytes, read through struct rd; a line and an event's data
 * are capped (SSE_LINE_MAX, SSE_EVENT_MAX) before anything grows, and their buffers
 * grow with what arrives (a thousand open streams cost what they hold, not a megabyte
 * each); fields kept per event are counted (SSE_MAX_FIELDS); an empty comment line
 * (":", a keep-alive) is no field. Events are made out of decoded bytes (a gzip'd
 * stream can hold millions), so none are made once the memory budget is spent
 * (app_budget_spent): they are counted and the response says so. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <string.h>

/* A line longer than this is cut (and said so): events are small; a stream that
 * never sends a newline must not grow memory. */
#define SSE_LINE_MAX 65536
/* Bytes of data kept per event (fields beyond are counted, not stored). */
#define SSE_EVENT_MAX (1 << 20)
/* Fields kept per event (comments, event, id, retry; data lines join into one): real
 * events have a handful; a stream of comment lines without a blank line is one event
 * that would otherwise grow a field per line. Past it, fields are counted and the
 * event says so (sse.fields_capped). */
#define SSE_MAX_FIELDS 64
/* A data buffer larger than this is freed after its event (the next grows again):
 * an idle stream keeps little. */
#define SSE_DATA_KEEP 4096

enum { SE_COMPRESSED, SE_DATA_CUT, SE_UNKNOWN_FIELD, SE_RETRY_NOT_DIGITS, SE_UNTERMINATED, SE_FIELDS_CAPPED, SE_COUNT };

static const struct app_event sse_events[SE_COUNT + 1] = {
	[SE_COMPRESSED] = { "sse.compressed", SEV_NOTE, "the event stream is compressed: clients and proxies may hold events until the compressor flushes" },
	[SE_DATA_CUT] = { "sse.data_cut", SEV_NOTE, "an event's data is longer than chattcp keeps (1 MiB); only the start is kept" },
	[SE_UNKNOWN_FIELD] = { "sse.unknown_field", SEV_NOTE, "a field that is not event, data, id or retry: clients ignore it" },
	[SE_RETRY_NOT_DIGITS] = { "sse.retry_not_digits", SEV_NOTE, "a retry value that is not all digits: clients ignore it" },
	[SE_UNTERMINATED] = { "sse.unterminated", SEV_NOTE, "the stream ended inside an event (no blank line): clients drop it" },
	[SE_FIELDS_CAPPED] = { "sse.fields_capped", SEV_NOTE, "an event with more fields than chattcp keeps (64): the rest are counted, not kept" },
	[SE_COUNT] = { NULL, 0, NULL },
};

#define EV(x) (&sse_events[SE_##x])

struct sse {
	int compressed;      /* the body has a Content-Encoding: events may be held back */
	int dir;
	struct appmsg *cur;  /* the event being built, or NULL */
	uint64_t n_events;
	char *line;
	size_t line_len, line_cap;
	int line_cut, after_cr, bom_checked;
	char *data;          /* the data field(s), joined by LF */
	size_t data_len, data_cap;
	uint64_t data_total;
	int have_data;
	int in_event;        /* inside an event (s->cur, or one not kept for the budget) */
	uint64_t n_fields;   /* fields of the event in progress, kept or not */
	uint64_t n_keepalives; /* empty comment lines of the event in progress (not kept) */
	uint64_t n_dropped;  /* events not kept: the memory budget was spent */
	uint64_t dropped_from; /* stream offset of the first of them */
	int dropped_said;
};

static void sse_init(void *vst, struct layer *L, const struct layer_open *how)
{
	struct sse *s = vst;
	(void)L;
	s->compressed = how && how->param && strcmp(how->param, "compressed") == 0;
	s->dir = how ? how->dir : 1;
}

static void sse_fini(void *vst)
{
	struct sse *s = vst;
	xfree(s->line);
	xfree(s->data);
	s->line = s->data = NULL;
}

static void ensure_event(struct sse *s, struct layer *L, int dir, uint64_t off)
{
	if (s->in_event)
		return;
	s->in_event = 1;
	s->data_len = 0;
	s->data_total = 0;
	s->have_data = 0;
	s->n_fields = 0;
	s->n_keepalives = 0;
	if (app_budget_spent(L)) {
		/* counted at its blank line, not made */
		if (!s->n_dropped)
			s->dropped_from = app_conn_off(L, dir, off);
		return;
	}
	s->cur = app_msg_begin(L, dir, "event", off);
}

/* The events not made for the budget: said once on the response they came in. */
static void say_dropped(struct sse *s, struct layer *L)
{
	struct appmsg *o = app_owner(L);
	if (!s->n_dropped || s->dropped_said || !o)
		return;
	s->dropped_said = 1;
	appmsg_note(o, &appmsg_events[APPEV_BUDGET_EXHAUSTED], s->dropped_from,
		    "%llu server-sent events from byte %llu on were not kept: the %s memory budget is spent "
		    "(they were read and counted, not made into messages)",
		    (unsigned long long)s->n_dropped, (unsigned long long)s->dropped_from,
		    app_budget_spent(L) == 2 ? "capture's" : "connection's");
}

/* The event in progress is over: its buffers go back to small. */
static void event_over(struct sse *s)
{
	s->cur = NULL;
	s->in_event = 0;
	if (s->data_cap > SSE_DATA_KEEP) {
		xfree(s->data);
		s->data = NULL;
		s->data_cap = 0;
	}
}

/* Blank line: the event is complete; its last byte is before offset end. */
static void dispatch(struct sse *s, struct layer *L, uint64_t end)
{
	struct appmsg *m = s->cur;
	if (!s->in_event)
		return;
	if (!m) {
		s->n_dropped++;
		event_over(s);
		return;
	}
	s->n_events++;
	struct strbuf b;
	sb_init(&b);
	const struct appkv *ev = appmsg_find(m, "event");
	sb_printf(&b, "event #%llu", (unsigned long long)s->n_events);
	if (ev)
		sb_printf(&b, " '%s'", ev->value);
	if (s->have_data) {
		appmsg_kv(m, "data", s->data, s->data_len);
		size_t show = s->data_len < 60 ? s->data_len : 60;
		sb_puts(&b, ": ");
		for (size_t i = 0; i < show; i++)
			sb_putc(&b, s->data[i] == '\n' ? ' ' : s->data[i]);
		if (show < s->data_len)
			sb_puts(&b, "...");
	} else {
		sb_puts(&b, " (no data: a browser does not fire it)");
	}
	if (s->n_keepalives)
		sb_printf(&b, "; %llu empty comment line%s (keep-alives, not kept)", (unsigned long long)s->n_keepalives,
			  s->n_keepalives == 1 ? "" : "s");
	if (s->data_total > s->data_len)
		appmsg_note(m, EV(DATA_CUT), m->off, "data longer than %d bytes; only the start is kept", SSE_EVENT_MAX);
	if (s->n_fields > SSE_MAX_FIELDS)
		appmsg_note(m, EV(FIELDS_CAPPED), m->off,
			    "%llu fields in this event, more than the %d an event keeps (the cap): the rest are counted, not kept",
			    (unsigned long long)s->n_fields, SSE_MAX_FIELDS);
	if (s->compressed && s->n_events == 1)
		appmsg_note(m, EV(COMPRESSED), m->off,
			    "this event stream is compressed (Content-Encoding): many clients and proxies hold the "
			    "decoded events until the compressor flushes or the stream ends, so the events arrive "
			    "together at the end (typewriter effect lost)");
	appmsg_set_summary(m, b.s, b.len);
	sb_fini(&b);
	app_msg_end(L, m, end);
	app_msg_done(L, m);
	event_over(s);
}

/* Room for one more kept field of the event in progress (m may be NULL: not kept). */
static int field_room(struct sse *s, const struct appmsg *m)
{
	return m && ++s->n_fields <= SSE_MAX_FIELDS;
}

static void field(struct sse *s, struct layer *L, int dir, uint64_t off, uint64_t end)
{
	const char *l = s->line;
	size_t n = s->line_len;
	if (n == 0) {
		dispatch(s, L, end);
		return;
	}
	ensure_event(s, L, dir, off);
	struct appmsg *m = s->cur;
	if (l[0] == ':') {
		/* an empty comment is a keep-alive: counted, nothing to keep */
		if (n == 1)
			s->n_keepalives++;
		else if (field_room(s, m))
			appmsg_kv(m, "comment", l + 1, n - 1);
		return;
	}
	const char *colon = memchr(l, ':', n);
	size_t nl = colon ? (size_t)(colon - l) : n;
	const char *v = colon ? colon + 1 : l + n;
	size_t vl = colon ? n - nl - 1 : 0;
	if (vl && v[0] == ' ') {
		v++;
		vl--;
	}
	char name[16];
	if (nl >= sizeof name) {
		if (m)
			appmsg_note(m, EV(UNKNOWN_FIELD), m->off, "unknown field ignored");
		return;
	}
	memcpy(name, l, nl);
	name[nl] = '\0';
	if (strcmp(name, "data") == 0) {
		size_t want = s->data_len + (s->have_data ? 1 : 0) + vl;
		if (want > SSE_EVENT_MAX)
			want = SSE_EVENT_MAX;
		if (m && want > s->data_cap)
			xgrow(&s->data, &s->data_cap, want, 1);
		if (m && s->have_data && s->data_len < SSE_EVENT_MAX)
			s->data[s->data_len++] = '\n';
		size_t room = m ? SSE_EVENT_MAX - s->data_len : 0;
		size_t take = vl < room ? vl : room;
		if (take)
			memcpy(s->data + s->data_len, v, take);
		s->data_len += take;
		s->data_total += vl + (s->have_data ? 1 : 0);
		s->have_data = 1;
	} else if (strcmp(name, "event") == 0 || strcmp(name, "id") == 0) {
		if (field_room(s, m))
			appmsg_kv(m, name, v, vl);
	} else if (strcmp(name, "retry") == 0) {
		size_t i = 0;
		while (i < vl && v[i] >= '0' && v[i] <= '9')
			i++;
		if (!field_room(s, m))
			return;
		appmsg_kv(m, "retry", v, vl);
		if (i != vl || vl == 0)
			appmsg_note(m, EV(RETRY_NOT_DIGITS), m->off, "retry value is not all digits: ignored by clients");
	} else if (m) {
		appmsg_note(m, EV(UNKNOWN_FIELD), m->off, "unknown field '%s' ignored by clients", name);
	}
}

static struct feed_res sse_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				int flags)
{
	struct sse *s = vst;
	struct rd r = rd_make(p, n);
	/* A UTF-8 BOM at the very start is skipped (WHATWG). */
	if (!s->bom_checked && n) {
		s->bom_checked = 1;
		if (rd_peek(&r, 0) == 0xef && rd_peek(&r, 1) == 0xbb && rd_peek(&r, 2) == 0xbf)
			rd_skip(&r, 3);
	}
	while (rd_left(&r)) {
		uint64_t at = off + r.off;
		uint8_t c = rd_u8(&r);
		if (s->after_cr) {
			s->after_cr = 0;
			if (c == '\n')
				continue; /* CRLF: the line ended at the CR */
		}
		if (c == '\r' || c == '\n') {
			s->after_cr = c == '\r';
			if (!s->in_event && s->line_len)
				ensure_event(s, L, dir, at);
			field(s, L, dir, at, at + 1);
			s->line_len = 0;
			s->line_cut = 0;
			continue;
		}
		if (!s->in_event && s->line_len == 0)
			ensure_event(s, L, dir, at);
		if (s->line_len < SSE_LINE_MAX) {
			if (s->line_len == s->line_cap)
				xgrow(&s->line, &s->line_cap, s->line_len + 1, 1);
			s->line[s->line_len++] = (char)c;
		} else {
			s->line_cut = 1;
		}
	}
	if ((flags & FEED_EOF) && s->in_event) {
		struct appmsg *o = app_owner(L);
		if (s->cur) {
			s->cur->flags |= AM_INCOMPLETE;
			/* A stream cut at chattcp's decode cap did not end: the cap note says so. */
			if (!(o && o->body && o->body->decode_capped))
				appmsg_note(s->cur, EV(UNTERMINATED), app_conn_off(L, dir, off + n),
					    "the stream ended inside an event (no blank line): clients drop it");
		}
		dispatch(s, L, off + n);
	}
	if (flags & FEED_EOF)
		say_dropped(s, L);
	return feed_took(n);
}

static void sse_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct sse *s = vst;
	(void)L, (void)dir, (void)off, (void)len;
	/* The line in progress lost its middle: drop it, keep the event. */
	s->line_len = 0;
	s->after_cr = 0;
}

const struct proto_desc proto_sse = {
	.name = "sse",
	.what = "Server-Sent Events in a text/event-stream body (WHATWG HTML §9.2)",
	.role = PROTO_CONSUMER,
	.events = sse_events,
	.state_size = sizeof(struct sse),
	.init = sse_init,
	.feed = sse_feed,
	.gap = sse_gap,
	.fini = sse_fini,
};
