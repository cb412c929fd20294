/* http_json.c: see http_json.h. */
#include "http_json.h"

#include "../base/sha.h"
#include "../base/ts.h"
#include "fmt.h"
#include "json.h"
#include "term_text.h"

#include <inttypes.h>
#include <string.h>

static const char *transfer_name(const struct app_http *h)
{
	if (h->no_body)
		return "none";
	if (h->chunked)
		return "chunked";
	if (h->until_close)
		return "close";
	return "length";
}

void json_appnotes(struct strbuf *b, int *first, const struct appmsg *m)
{
	for (size_t i = 0; i < m->n_notes; i++) {
		if (!*first)
			sb_putc(b, ',');
		*first = 0;
		int f = 1;
		sb_putc(b, '{');
		json_str_field(b, &f, "dir", m->dir ? "s2c" : "c2s");
		json_str_field(b, &f, "event", m->notes[i].ev->name);
		json_u64_field(b, &f, "offset", m->notes[i].off);
		json_str_field(b, &f, "text", m->notes[i].text);
		json_str_field(b, &f, "severity", severity_name(m->notes[i].ev->severity));
		sb_putc(b, '}');
	}
}

static void headers_json(struct strbuf *b, int *f, const struct appmsg *m)
{
	json_key(b, f, "headers");
	sb_putc(b, '[');
	for (size_t i = 0; i < m->n_kv; i++) {
		if (i)
			sb_putc(b, ',');
		sb_putc(b, '[');
		sb_json_str(b, m->kv[i].name, strlen(m->kv[i].name));
		sb_putc(b, ',');
		sb_json_str(b, m->kv[i].value, m->kv[i].value_len);
		sb_putc(b, ']');
	}
	sb_putc(b, ']');
}

static void body_json(struct strbuf *b, int *f, const struct appmsg *m)
{
	const struct app_http *h = m->http;
	json_str_field(b, f, "transfer", transfer_name(h));
	if (h->content_encoding)
		json_str_field(b, f, "content_encoding", h->content_encoding);
	json_u64_field(b, f, "body_wire", h->body_wire);
	const struct appbody *bd = m->body;
	uint64_t in = bd ? bd->in : 0, out = bd ? bd->out : 0;
	int failed = bd && bd->failed;
	json_u64_field(b, f, "body_size", in);
	json_u64_field(b, f, "body_decoded", failed ? in : out);
	json_key(b, f, "complete");
	sb_puts(b, h->body_complete || h->no_body || (!h->body_wire && !(m->flags & AM_INCOMPLETE)) ? "true" : "false");
	if (h->lost)
		json_u64_field(b, f, "lost_bytes", h->lost);
	if (failed) {
		json_key(b, f, "decode_failed");
		sb_puts(b, "true");
	}
	/* Decoding stopped at a cap (contenc.capped): the size is a lower bound, and a
	 * digest of a prefix would pass for the body's. */
	int capped = bd && bd->decode_capped;
	if (capped) {
		json_key(b, f, "decode_capped");
		sb_puts(b, "true");
	}
	if (bd && bd->out && bd->sha256[0] && !capped)
		json_str_field(b, f, "sha256", bd->sha256);
}

/* "frame" (the last) for compatibility, then the message fields every JSON output
 * writes for a decoded message (json_appmsg_pos, as in stream and chat --json). */
static void frames_json(struct strbuf *b, int *f, const struct appmsg *m)
{
	json_u64_field(b, f, "frame", m->last_frame);
	json_appmsg_pos(b, f, m);
}

void http_exchange_json(struct strbuf *b, const struct sess_http *x)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "conn", x->c->id);
	json_str_field(b, &f, "proto", x->c->proto == 17 ? "udp" : "tcp"); /* HTTP over UDP: SSDP */
	const struct appmsg *rq = x->req, *rs = x->resp;
	size_t n_interim = x->n_interim;
	if (rq) {
		const struct app_http *h = rq->http;
		json_key(b, &f, "request");
		int g = 1;
		sb_putc(b, '{');
		json_str_field(b, &g, "method", h->method ? h->method : "");
		json_str_field(b, &g, "uri", h->uri ? h->uri : "");
		json_str_field(b, &g, "version", h->version ? h->version : "");
		if (h->stream_id)
			json_u64_field(b, &g, "stream", h->stream_id);
		headers_json(b, &g, rq);
		frames_json(b, &g, rq);
		body_json(b, &g, rq);
		sb_putc(b, '}');
	}
	if (rs) {
		const struct app_http *h = rs->http;
		json_key(b, &f, "response");
		int g = 1;
		sb_putc(b, '{');
		json_u64_field(b, &g, "status", (uint64_t)h->status);
		json_str_field(b, &g, "reason", h->reason ? h->reason : "");
		json_str_field(b, &g, "version", h->version ? h->version : "");
		if (h->stream_id)
			json_u64_field(b, &g, "stream", h->stream_id);
		headers_json(b, &g, rs);
		frames_json(b, &g, rs);
		const struct appkv *ct = appmsg_find(rs, "Content-Type");
		if (ct)
			json_str_field(b, &g, "content_type", ct->value);
		body_json(b, &g, rs);
		sb_putc(b, '}');
	}
	if (n_interim) {
		json_key(b, &f, "interim");
		sb_putc(b, '[');
		for (size_t i = 0; i < n_interim; i++) {
			const struct appmsg *m = x->interim[i];
			if (i)
				sb_putc(b, ',');
			int g = 1;
			sb_putc(b, '{');
			json_u64_field(b, &g, "status", (uint64_t)m->http->status);
			json_str_field(b, &g, "reason", m->http->reason ? m->http->reason : "");
			headers_json(b, &g, m);
			frames_json(b, &g, m);
			sb_putc(b, '}');
		}
		sb_putc(b, ']');
	}
	if (rq && !rs && rq->http->response_lost)
		json_key(b, &f, "response_lost"), sb_puts(b, "true");
	if (rq && rs) {
		json_key(b, &f, "timing");
		int g = 1;
		sb_putc(b, '{');
		json_key(b, &g, "request_ts");
		fmt_epoch(b, rq->first_ts);
		json_key(b, &g, "first_byte_ts");
		fmt_epoch(b, rs->first_ts);
		json_key(b, &g, "last_byte_ts");
		fmt_epoch(b, rs->last_ts);
		json_key(b, &g, "wait_s");
		sb_printf(b, "%.6f", ts_to_sec(ts_sub(rs->first_ts, rq->first_ts)));
		json_key(b, &g, "transfer_s");
		sb_printf(b, "%.6f", ts_to_sec(ts_sub(rs->last_ts, rs->first_ts)));
		sb_putc(b, '}');
	}
	json_key(b, &f, "notes");
	sb_putc(b, '[');
	int nf = 1;
	if (rq)
		json_appnotes(b, &nf, rq);
	for (size_t i = 0; i < n_interim; i++)
		json_appnotes(b, &nf, x->interim[i]);
	if (rs)
		json_appnotes(b, &nf, rs);
	sb_puts(b, "]}\n");
}

static void body_term(struct strbuf *b, const struct appmsg *m)
{
	const struct app_http *h = m->http;
	if (h->no_body) {
		sb_puts(b, "no body");
		return;
	}
	const struct appbody *bd = m->body;
	uint64_t in = bd ? bd->in : 0, out = bd ? bd->out : 0;
	uint64_t decoded = bd && bd->failed ? in : out;
	fmt_bytes(b, decoded);
	if (h->body_wire != decoded || h->chunked || h->content_encoding) {
		sb_puts(b, " (wire ");
		fmt_bytes(b, h->body_wire);
		if (h->chunked)
			sb_puts(b, ", chunked");
		if (h->content_encoding) {
			sb_puts(b, ", ");
			term_text_str(b, h->content_encoding);
		}
		sb_putc(b, ')');
	}
	if (h->until_close)
		sb_puts(b, " until close");
	if (!h->body_complete && h->body_wire)
		sb_puts(b, " INCOMPLETE");
}

static void notes_term(struct strbuf *b, const struct appmsg *m)
{
	for (size_t i = 0; i < m->n_notes; i++) {
		/* a promised request (HTTP/2 server push) is a request the server sent */
		sb_printf(b, "      ! %s: ", m->http && m->http->is_request ? "request" : m->dir ? "response" : "request");
		term_text_str(b, m->notes[i].text);
		sb_putc(b, '\n');
	}
}

static void headers_term(struct strbuf *b, const struct appmsg *m)
{
	for (size_t i = 0; i < m->n_kv; i++) {
		sb_puts(b, m->dir ? "      < " : "      > ");
		term_text_str(b, m->kv[i].name);
		sb_puts(b, ": ");
		term_text(b, m->kv[i].value, m->kv[i].value_len);
		sb_putc(b, '\n');
	}
}

int64_t http_exchange_ts(const struct sess_http *x)
{
	if (x->req)
		return x->req->first_ts;
	if (x->n_interim)
		return x->interim[0]->first_ts;
	return x->resp ? x->resp->first_ts : INT64_MIN;
}

/* Two spaces and the exchange's time, at the end of its first line (nothing when it has
 * none): the request line keeps its place, and a narrow terminal wraps the time, not
 * the URI. */
static void exchange_time(struct strbuf *b, const struct sess_http *x, int time, int64_t base)
{
	int64_t ts = http_exchange_ts(x);
	if (ts == INT64_MIN)
		return;
	sb_puts(b, "  ");
	fmt_time_marked(b, time, ts, base, 6);
}

void http_exchange_term(struct strbuf *b, const struct sess_http *x, int verbose, int time, int64_t base)
{
	const struct appmsg *rq = x->req, *rs = x->resp;
	size_t n_interim = x->n_interim;
	char id[16];
	sb_printf(b, "conn %s  ", fmt_conn_id(x->c, id, sizeof id));
	if (rq) {
		sb_printf(b, "#%" PRIu32 " ", rq->first_frame);
		term_text_str(b, rq->http->method);
		sb_putc(b, ' ');
		term_text_str(b, rq->http->uri);
		sb_putc(b, ' ');
		term_text_str(b, rq->http->version);
		if (rq->http->stream_id)
			sb_printf(b, " stream %" PRIu32, rq->http->stream_id);
	} else if (rs && rs->http->stream_id)
		sb_printf(b, "(request not seen) stream %" PRIu32, rs->http->stream_id);
	else
		sb_puts(b, "(request not seen)");
	exchange_time(b, x, time, base);
	sb_putc(b, '\n');
	if (rq && verbose)
		headers_term(b, rq);
	if (rq && (rq->http->body_wire || rq->http->chunked)) {
		sb_puts(b, "      request body: ");
		body_term(b, rq);
		sb_putc(b, '\n');
	}
	if (rq)
		notes_term(b, rq);
	for (size_t i = 0; i < n_interim; i++) {
		const struct appmsg *m = x->interim[i];
		sb_printf(b, "   <- #%" PRIu32 " %d ", m->first_frame, m->http->status);
		term_text_str(b, m->http->reason);
		sb_puts(b, " (interim)\n");
		notes_term(b, m);
	}
	if (rs) {
		const struct appkv *ct = appmsg_find(rs, "Content-Type");
		sb_printf(b, "   <- #%" PRIu32 "-%" PRIu32 " %d ", rs->first_frame, rs->last_frame, rs->http->status);
		term_text_str(b, rs->http->reason);
		sb_puts(b, "  ");
		if (ct)
			term_text(b, ct->value, ct->value_len);
		else
			sb_putc(b, '-');
		sb_puts(b, "  ");
		body_term(b, rs);
		if (rq) {
			sb_puts(b, "  wait ");
			fmt_duration(b, ts_sub(rs->first_ts, rq->first_ts));
			sb_puts(b, ", transfer ");
			fmt_duration(b, ts_sub(rs->last_ts, rs->first_ts));
		}
		sb_putc(b, '\n');
		if (verbose)
			headers_term(b, rs);
		notes_term(b, rs);
	} else if (rq && rq->http->response_lost) {
		sb_puts(b, "   <- (response not captured)\n");
	} else {
		sb_puts(b, "   <- (no response seen)\n");
	}
}
