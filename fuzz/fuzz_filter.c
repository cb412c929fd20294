/* fuzz_filter.c: the display-filter compiler (filter/parse.c) on arbitrary expressions,
 * and every filter that compiles evaluated (filter/eval.c, filter/fields.c) on frames
 * made of the input's bytes: a TCP segment with the rest of the input as payload, with
 * and without a connection, an HTTP request and a DNS message completed by it.
 * Input: the expression, then optionally a NUL and the payload. */
#include "../src/filter/filter.h"
#include "../src/model/appmsg.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t elen = nul ? (size_t)(nul - data) : size;
	char *expr = malloc(elen + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, elen);
	expr[elen] = 0;
	const uint8_t *pay = nul ? nul + 1 : data;
	size_t plen = nul ? size - elen - 1 : 0;
	struct filter_err e;
	struct filter *f = filter_compile(expr, &e);
	if (!f) {
		/* an error always says something, and points inside the expression or at its end */
		if (!e.msg[0] || e.col < 0 || (size_t)e.col > elen + 1)
			abort();
		free(expr);
		return 0;
	}
	static struct pkt pk; /* large: not on the stack */
	memset(&pk, 0, offsetof(struct pkt, why_buf));
	uint8_t frame[64] = { 0 };
	pk.rec.data = plen ? pay : frame;
	pk.rec.caplen = plen ? (uint32_t)plen : sizeof frame;
	pk.rec.wirelen = pk.rec.caplen + 10;
	pk.frame = 7;
	pk.kind = PK_TCP;
	pk.ipver = 4;
	pk.src.family = pk.dst.family = 4;
	pk.src.a[0] = 10;
	pk.dst.a[0] = 192;
	pk.sport = 80;
	pk.dport = 40000;
	pk.flags = plen ? pay[0] : 0x12;
	pk.win = 1000;
	pk.payload = pay;
	pk.len = pk.caplen = (uint32_t)plen;
	pk.l4 = pk.rec.data;
	pk.l4_caplen = pk.rec.caplen;
	pk.opt.wscale = -1;
	struct conn c;
	memset(&c, 0, sizeof c);
	c.proto = 6;
	c.id = 3;
	struct pktrec r;
	memset(&r, 0, sizeof r);
	r.frame = 7;
	r.labels = plen > 1 ? pay[1] : 0;
	r.pflags = (uint8_t)(3 << PR_WSCALE_SHIFT);
	struct app_http h;
	memset(&h, 0, sizeof h);
	h.is_request = plen & 1;
	h.method = "GET";
	h.uri = "/x?y";
	h.status = 503;
	char name[] = "Host", value[] = "example.com";
	struct appkv kv = { name, value, sizeof value - 1 };
	struct appmsg m;
	memset(&m, 0, sizeof m);
	m.proto = "http";
	m.kind = "request";
	m.http = &h;
	m.kv = &kv;
	m.n_kv = 1;
	char qname[] = "question", qv[] = "example.com A";
	struct appkv qkv = { qname, qv, sizeof qv - 1 };
	struct appmsg d;
	memset(&d, 0, sizeof d);
	d.proto = "dns";
	d.kind = "answer";
	d.kv = &qkv;
	d.n_kv = 1;
	const struct appmsg *msgs[2] = { &m, &d };
	static const char *const begun[] = { "tls" };
	struct sess_frame_view v = { .rec = &pk.rec, .pk = &pk, .c = &c, .r = &r, .msgs = msgs, .n_msgs = 2,
				     .begun = begun, .n_begun = 1, .quoted = &c };
	(void)filter_match(f, &v);
	v.c = NULL;
	v.r = NULL;
	v.n_msgs = 0;
	pk.kind = PK_OTHER;
	(void)filter_match(f, &v);
	filter_free(f);
	free(expr);
	return 0;
}
