/* stream_term.c: see stream_term.h. */
#include "stream_term.h"

#include "../base/sha.h"
#include "fmt.h"
#include "http_json.h"
#include "json.h"
#include "payload.h"
#include "term_text.h"
#include "width.h"

#include <inttypes.h>
#include <string.h>

/* Body bytes shown under a message in the terminal: enough to recognise it. */
#define PREVIEW_BYTES 512

/* indent (terminal form already: it may hold a header name), then the terminal form
 * of s[0..n), the whole line cut to width columns ("..." when cut, never inside an
 * escape). */
static void cut_line(struct strbuf *b, const char *indent, const char *s, size_t n, int width)
{
	struct strbuf l;
	sb_init(&l);
	sb_puts(&l, indent);
	term_text(&l, s, n);
	width_fit(b, l.s ? l.s : "", l.len, width > 20 ? (size_t)width : 20, 0);
	sb_putc(b, '\n');
	sb_fini(&l);
}

/* A note, wrapped (not cut: notes are the point) at room columns, at a space when one
 * is in the second half of the line; continuation lines are indented by two. */
static void wrap_note(struct strbuf *b, const char *text, size_t room)
{
	struct strbuf probe;
	sb_init(&probe);
	size_t n = strlen(text), first = 1;
	const char *s = text;
	while (first || n) {
		size_t w = room - (first ? 2 : 0); /* "! " or "  " comes before */
		sb_reset(&probe);
		size_t k = term_text_fit(&probe, s, n, w);
		if (k == 0 && n) /* cannot happen with room > 6, but never loop forever */
			k = 1;
		if (k < n) {
			size_t j = k;
			while (j > k / 2 && s[j] != ' ')
				j--;
			if (s[j] == ' ' && j > k / 2)
				k = j + 1;
		}
		sb_puts(b, first ? "! " : "  ");
		term_text(b, s, k);
		sb_putc(b, '\n');
		s += k;
		n -= k;
		first = 0;
	}
	sb_fini(&probe);
}

/* The first bytes of p[0..n), which are the first n of total. */
static void preview(struct strbuf *b, const uint8_t *p, size_t n, uint64_t total, int width)
{
	if (!n)
		return;
	struct strbuf t;
	sb_init(&t);
	size_t show = n < PREVIEW_BYTES ? n : PREVIEW_BYTES;
	payload_render(&t, p, show, show, 0, width - 4);
	/* A text line longer than the width wraps (between words when it can, never inside
	 * an escape); the payload's own line ends show as \n, so a wrap cannot pass for one.
	 * Hex rows fit already (payload_render chose the bytes a row for the width). */
	int text = payload_is_text(p, show < 4096 ? show : 4096);
	const char *s = t.s;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t k = nl ? (size_t)(nl - s) : strlen(s);
		sb_puts(b, "  ");
		if (text) {
			width_wrap(b, s, k, width > 8 ? (size_t)width : 8, 2, "  ");
		} else {
			sb_add(b, s, k);
			sb_putc(b, '\n');
		}
		s += k + (nl ? 1 : 0);
	}
	if (show < total)
		sb_printf(b, "  ... %" PRIu64 " more bytes not shown here (of %" PRIu64 ")\n", total - show, total);
	sb_fini(&t);
}

void appmsg_lines(struct strbuf *b, const struct appmsg *m, int detail, int width)
{
	const char *sum = m->summary ? m->summary : m->kind;
	sb_printf(b, "%s %s: ", m->proto, m->kind);
	cut_line(b, "", sum, strlen(sum), width - (int)strlen(m->proto) - (int)strlen(m->kind) - 3);
	if (m->flags & AM_INCOMPLETE)
		sb_puts(b, "  (incomplete)\n");
	if (detail) {
		for (size_t i = 0; i < m->n_kv; i++) {
			const struct appkv *kv = &m->kv[i];
			if (strcmp(kv->name, "payload") == 0 || strcmp(kv->name, "bytes") == 0 || strcmp(kv->name, "data") == 0) {
				sb_puts(b, "  ");
				term_text_str(b, kv->name);
				sb_printf(b, " (%zu bytes):\n", kv->value_len);
				preview(b, (const uint8_t *)kv->value, kv->value_len, kv->value_len, width);
				continue;
			}
			struct strbuf l;
			sb_init(&l);
			sb_puts(&l, "  ");
			term_text_str(&l, kv->name);
			sb_puts(&l, ": ");
			cut_line(b, l.s, kv->value, kv->value_len, width);
			sb_fini(&l);
		}
		if (m->http && m->body && m->body->out) {
			struct strbuf l;
			sb_init(&l);
			sb_printf(&l, "  body (%" PRIu64 " bytes", m->body->out);
			if (m->http->content_encoding) {
				sb_puts(&l, ", decoded from ");
				term_text_str(&l, m->http->content_encoding);
			}
			sb_puts(&l, "):");
			width_wrap(b, l.s, l.len, width > 20 ? (size_t)width : 20, 0, "    ");
			sb_fini(&l);
			preview(b, m->body->p, m->body->len, m->body->out, width);
		}
	}
	size_t room = width > 24 ? (size_t)width - 2 : 60;
	for (size_t i = 0; i < m->n_notes; i++)
		wrap_note(b, m->notes[i].text ? m->notes[i].text : "", room);
}

void appmsg_simple(struct strbuf *b, const struct appmsg *m, int width)
{
	if (m->http) {
		if (m->body && m->body->out)
			preview(b, m->body->p, m->body->len, m->body->out, width);
		else
			cut_line(b, "", m->summary ? m->summary : "", m->summary ? strlen(m->summary) : 0, width);
		return;
	}
	for (size_t i = 0; i < m->n_kv; i++) {
		const struct appkv *kv = &m->kv[i];
		if (strcmp(kv->name, "payload") == 0 || strcmp(kv->name, "data") == 0 || strcmp(kv->name, "message") == 0) {
			preview(b, (const uint8_t *)kv->value, kv->value_len, kv->value_len, width);
			return;
		}
	}
	cut_line(b, "", m->summary ? m->summary : m->kind, strlen(m->summary ? m->summary : m->kind), width);
}

void appmsg_json(struct strbuf *b, const struct appmsg *m, const struct conn *c)
{
	json_appmsg(b, m, c);
	sb_putc(b, '\n');
}

void stream_term_msg(struct strbuf *b, const struct appmsg *m, const struct conn *c, int width, int time,
		     int64_t base)
{
	char ep[80];
	fmt_endpoint(&c->ep[m->dir], ep, sizeof ep);
	struct strbuf t;
	sb_init(&t);
	size_t start = b->len;
	sb_printf(b, "%s %s  #%" PRIu32, m->dir ? "<<" : ">>", ep, m->first_frame);
	if (m->last_frame != m->first_frame)
		sb_printf(b, "-#%" PRIu32, m->last_frame);
	size_t head_cols = width_cols(b->s + start, b->len - start);
	fmt_time_marked(&t, time, m->first_ts, base, 6);
	sb_printf(&t, "  bytes %" PRIu64 "-%" PRIu64 " (%" PRIu64 ")\n", m->off, m->end, m->end - m->off);
	/* An IPv6 sender leaves no room for the rest: it goes under, indented. */
	sb_puts(b, head_cols + 2 + width_cols(t.s, t.len - 1) <= (size_t)(width > 0 ? width : 0) ? "  " : "\n   ");
	sb_add(b, t.s, t.len);
	sb_reset(&t);
	appmsg_lines(&t, m, 1, width - 4);
	const char *s = t.s;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t k = nl ? (size_t)(nl - s) : strlen(s);
		sb_puts(b, "   ");
		sb_add(b, s, k);
		sb_putc(b, '\n');
		s += k + (nl ? 1 : 0);
	}
	sb_putc(b, '\n');
	sb_fini(&t);
}
