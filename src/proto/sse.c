/* sse.c: see sse.h. The parsing follows the WHATWG "event stream interpretation":
 * lines end in CRLF, LF or CR; a line starting with ':' is a comment; "field: value"
 * (one optional space after the colon is removed); a blank line dispatches the event.
 * Fields: event, data (several lines join with LF), id, retry (digits only). */
#include "sse.h"

#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void sse_init(struct sse *s, int compressed)
{
	memset(s, 0, sizeof *s);
	s->compressed = compressed;
	s->cur = UINT32_MAX;
	s->line = xmalloc(SSE_LINE_MAX);
	s->data = xmalloc(SSE_EVENT_MAX);
}

void sse_fini(struct sse *s)
{
	xfree(s->line);
	xfree(s->data);
	s->line = s->data = NULL;
}

static void ensure_event(struct sse *s, struct app_out *o, int dir, uint64_t wire)
{
	if (s->cur != UINT32_MAX)
		return;
	s->cur = app_msg_begin(o, dir, "sse", "event", wire);
	s->data_len = 0;
	s->data_total = 0;
	s->have_data = 0;
}

/* Blank line: the event is complete. */
static void dispatch(struct sse *s, struct app_out *o, uint64_t wire)
{
	if (s->cur == UINT32_MAX)
		return;
	struct appmsg *m = app_msg(o, s->cur);
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
	if (s->data_total > s->data_len)
		appmsg_note(m, "sse.data_cut", m->off, "data longer than %d bytes; only the start is kept", SSE_EVENT_MAX);
	if (s->compressed && s->n_events == 1)
		appmsg_note(m, "sse.compressed", m->off,
			    "this event stream is compressed (Content-Encoding): many clients and proxies hold the "
			    "decoded events until the compressor flushes or the stream ends, so the events arrive "
			    "together at the end (typewriter effect lost)");
	appmsg_set_summary(m, b.s, b.len);
	sb_fini(&b);
	app_msg_end(o, s->cur, wire);
	s->cur = UINT32_MAX;
}

static void field(struct sse *s, struct app_out *o, int dir, uint64_t wire)
{
	const char *l = s->line;
	size_t n = s->line_len;
	if (n == 0) {
		dispatch(s, o, wire);
		return;
	}
	ensure_event(s, o, dir, wire);
	struct appmsg *m = app_msg(o, s->cur);
	if (l[0] == ':') {
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
		appmsg_note(m, "sse.unknown_field", m->off, "unknown field ignored");
		return;
	}
	memcpy(name, l, nl);
	name[nl] = '\0';
	if (strcmp(name, "data") == 0) {
		if (s->have_data && s->data_len < SSE_EVENT_MAX)
			s->data[s->data_len++] = '\n';
		size_t room = SSE_EVENT_MAX - s->data_len;
		size_t take = vl < room ? vl : room;
		memcpy(s->data + s->data_len, v, take);
		s->data_len += take;
		s->data_total += vl + (s->have_data ? 1 : 0);
		s->have_data = 1;
	} else if (strcmp(name, "event") == 0 || strcmp(name, "id") == 0) {
		appmsg_kv(m, name, v, vl);
	} else if (strcmp(name, "retry") == 0) {
		size_t i = 0;
		while (i < vl && v[i] >= '0' && v[i] <= '9')
			i++;
		appmsg_kv(m, "retry", v, vl);
		if (i != vl || vl == 0)
			appmsg_note(m, "sse.retry_not_digits", m->off, "retry value is not all digits: ignored by clients");
	} else {
		appmsg_note(m, "sse.unknown_field", m->off, "unknown field '%s' ignored by clients", name);
	}
}

void sse_feed(struct sse *s, struct app_out *o, int dir, const uint8_t *p, size_t n, uint64_t wire_lo,
	      uint64_t wire_hi)
{
	size_t i = 0;
	/* A UTF-8 BOM at the very start is skipped (WHATWG). */
	if (!s->bom_checked && n) {
		s->bom_checked = 1;
		if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
			i = 3;
	}
	for (; i < n; i++) {
		uint8_t c = p[i];
		if (s->after_cr) {
			s->after_cr = 0;
			if (c == '\n')
				continue; /* CRLF: the line ended at the CR */
		}
		if (c == '\r' || c == '\n') {
			s->after_cr = c == '\r';
			/* The event's first byte came in this piece of wire bytes. */
			if (s->cur == UINT32_MAX && s->line_len)
				ensure_event(s, o, dir, wire_lo);
			field(s, o, dir, wire_hi);
			s->line_len = 0;
			s->line_cut = 0;
			continue;
		}
		if (s->cur == UINT32_MAX && s->line_len == 0)
			ensure_event(s, o, dir, wire_lo);
		if (s->line_len < SSE_LINE_MAX)
			s->line[s->line_len++] = (char)c;
		else
			s->line_cut = 1;
	}
}

void sse_finish(struct sse *s, struct app_out *o, int dir, uint64_t end)
{
	(void)dir;
	if (s->cur == UINT32_MAX)
		return;
	struct appmsg *m = app_msg(o, s->cur);
	m->flags |= AM_INCOMPLETE;
	appmsg_note(m, "sse.unterminated", end, "the stream ended inside an event (no blank line): clients drop it");
	dispatch(s, o, end);
}
