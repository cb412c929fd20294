/* template.c: the skeleton of a protocol decoder; copy it to proto/<name>.c, rename
 * `template` everywhere, and add one line to proto/registry.c. It is compiled (so it
 * stays true to proto.h) but not registered.
 *
 * Cite the spec here (RFC/section) and say what the decoder does with malformed
 * input: it diagnoses (a note with a byte offset) and resynchronises; it never reads
 * past n and never waits forever. */
#include "proto.h"

#include "../base/rd.h"

#include <string.h>

/* Every length read from the wire gets a cap like this one, with the reason. */
#define TEMPLATE_MAX_MSG 65536

struct template_state {
	uint64_t n_msgs[2];
};

static int template_probe(const uint8_t *p, size_t n, int dir)
{
	(void)dir;
	if (n < 4)
		return PROBE_MAYBE; /* too few bytes to tell */
	return memcmp(p, "TMPL", 4) == 0 ? PROBE_YES : PROBE_NO;
}

static void template_init(void *st) { (void)st; }

/* Messages here are "TMPL" + 2-byte length + body. Returns the bytes consumed. */
static size_t template_feed(void *vst, struct app_out *o, int dir, const uint8_t *p, size_t n, uint64_t off,
			    int flags)
{
	struct template_state *st = vst;
	struct rd r = rd_make(p, n);
	rd_skip(&r, 4);
	size_t len = rd_be16(&r);
	if (!rd_ok(&r) || len > rd_left(&r)) {
		if (flags & (FEED_EOF | FEED_GAP | FEED_DGRAM)) {
			uint32_t ix = app_msg_begin(o, dir, "template", "partial", off);
			app_msg(o, ix)->flags |= AM_INCOMPLETE;
			app_msg_end(o, ix, off + n);
			return n;
		}
		return 0; /* wait for more */
	}
	if (len > TEMPLATE_MAX_MSG)
		len = TEMPLATE_MAX_MSG;
	uint32_t ix = app_msg_begin(o, dir, "template", "message", off);
	appmsg_set_summary(app_msg(o, ix), "message", 7);
	app_msg_end(o, ix, off + 6 + len);
	st->n_msgs[dir]++;
	return 6 + len;
}

static void template_gap(void *st, struct app_out *o, int dir, uint64_t off, uint64_t len)
{
	(void)st, (void)o, (void)dir, (void)off, (void)len;
}

static void template_finish(void *st, struct app_out *o) { (void)st, (void)o; }
static void template_fini(void *st) { (void)st; }

const struct proto_desc proto_template = {
	.name = "template",
	.what = "skeleton for new decoders",
	.transport = 6,
	.ports = { 0 },
	.probe = template_probe,
	.state_size = sizeof(struct template_state),
	.init = template_init,
	.feed = template_feed,
	.gap = template_gap,
	.finish = template_finish,
	.fini = template_fini,
};
