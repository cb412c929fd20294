/* template.c: the skeleton of a protocol decoder; copy it to proto/<name>.c, rename
 * `template` everywhere, and add one line to PROTOCOLS in proto/registry.c. It is
 * compiled (so it stays true to proto.h) but not registered; tests/suite/add-decoder
 * registers it with that one line and checks that its messages appear in chat, stream
 * and JSON output with no other change.
 *
 * Cite the spec here (RFC/section) and say what the decoder does with malformed
 * input: it diagnoses (a note with a byte offset) and resynchronises; it never reads
 * past n and never waits forever. Messages here are "TMPL" + a 2-byte big-endian length
 * + that many bytes of body. */
#include "proto.h"

#include "../base/rd.h"

#include <string.h>

/* Every length read from the wire gets a cap like this one, with the reason. */
#define TEMPLATE_MAX_MSG 65535

/* Its events: names start with the protocol's name; severities as in model/events.h. */
enum { TE_CUT, TE_COUNT };
static const struct app_event template_events[TE_COUNT + 1] = {
	[TE_CUT] = { "template.cut", SEV_NOTE, "the stream ends inside a message" },
	[TE_COUNT] = { NULL, 0, NULL },
};

struct template_state {
	uint64_t n_msgs[2];
};

static int template_probe(const uint8_t *p, size_t n, int dir)
{
	(void)dir;
	if (n < 4)
		return memcmp(p, "TMPL", n) == 0 ? PROBE_MAYBE : PROBE_NO; /* too few bytes to tell */
	return memcmp(p, "TMPL", 4) == 0 ? PROBE_YES : PROBE_NO;
}

/* Returns what it consumed, and when a message is not all here, how many bytes it
 * needs (the driver does not call again before they are there). */
static struct feed_res template_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n,
				     uint64_t off, int flags)
{
	struct template_state *st = vst;
	struct rd r = rd_make(p, n);
	rd_skip(&r, 4);
	size_t len = rd_be16(&r);
	if (!rd_ok(&r) || len > rd_left(&r)) {
		if (n && (flags & (FEED_EOF | FEED_GAP | FEED_DGRAM))) {
			struct appmsg *m = app_msg_begin(L, dir, "partial", off);
			m->flags |= AM_INCOMPLETE;
			appmsg_note(m, &template_events[TE_CUT], app_conn_off(L, dir, off + n),
				    "the stream ends inside a message (%zu bytes of it seen)", n);
			app_msg_end(L, m, off + n);
			app_msg_done(L, m);
			return feed_took(n);
		}
		return feed_need(0, rd_ok(&r) ? 6 + len : 6); /* wait for more */
	}
	struct appmsg *m = app_msg_begin(L, dir, "message", off);
	const uint8_t *body = rd_bytes(&r, len);
	appmsg_kv(m, "body", (const char *)body, len);
	appmsg_set_summary(m, "message", 7);
	app_msg_end(L, m, off + 6 + len);
	app_msg_done(L, m);
	st->n_msgs[dir]++;
	return feed_took(6 + len);
}

const struct proto_desc proto_template = {
	.name = "template",
	.what = "skeleton for new decoders",
	.role = PROTO_STREAM,
	.transport = 6,
	.ports = { 0 },
	.events = template_events,
	.probe = template_probe,
	.state_size = sizeof(struct template_state),
	.feed = template_feed,
};
