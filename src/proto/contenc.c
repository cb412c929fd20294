/* contenc.c: see contenc.h. zlib, libbrotlidec and libzstd do the decoding; this
 * file only drives them in pieces and keeps the output bounded, and makes that a
 * content layer (proto.h): HTTP stacks one per Content-Encoding it has to undo. */
#include "contenc.h"

#include "../base/xalloc.h"
#include "proto.h"

#include <inttypes.h>

#include <brotli/decode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

/* Output is produced through a stack buffer of this size per library call. */
#define CONTENC_CHUNK 16384

int contenc_kind(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0 || (n == 8 && strncasecmp(v, "identity", 8) == 0))
		return CE_NONE;
	if ((n == 4 && strncasecmp(v, "gzip", 4) == 0) || (n == 6 && strncasecmp(v, "x-gzip", 6) == 0))
		return CE_GZIP;
	if (n == 7 && strncasecmp(v, "deflate", 7) == 0)
		return CE_DEFLATE;
	if (n == 2 && strncasecmp(v, "br", 2) == 0)
		return CE_BR;
	if (n == 4 && strncasecmp(v, "zstd", 4) == 0)
		return CE_ZSTD;
	return CE_UNKNOWN;
}

const char *contenc_name(int kind)
{
	static const char *const names[] = { "identity", "gzip", "deflate", "br", "zstd", "unknown" };
	return kind >= 0 && kind <= CE_UNKNOWN ? names[kind] : "unknown";
}

void contenc_init(struct contenc *ce, int kind)
{
	memset(ce, 0, sizeof *ce);
	ce->kind = kind;
}

static void fail(struct contenc *ce, const char *why)
{
	if (!ce->failed) {
		ce->failed = 1;
		ce->why = why;
		ce->fail_off = ce->in_total;
	}
}

/* Passes decoded bytes on, up to the cap. */
static void emit(struct contenc *ce, const uint8_t *p, size_t n, void (*out)(void *, const uint8_t *, size_t),
		 void *ctx)
{
	uint64_t max = ce->out_max ? ce->out_max : CONTENC_OUT_MAX;
	if (ce->out_total + n > max) {
		n = ce->out_total < max ? (size_t)(max - ce->out_total) : 0;
		ce->capped = 1;
	}
	if (n && out)
		out(ctx, p, n);
	ce->out_total += n;
}

static int start(struct contenc *ce, const uint8_t *p, size_t n)
{
	ce->started = 1;
	if (ce->kind == CE_GZIP || ce->kind == CE_DEFLATE) {
		z_stream *z = xcalloc(1, sizeof *z);
		int wbits = 15 + 32; /* gzip or zlib header, detected by zlib */
		if (ce->kind == CE_DEFLATE) {
			/* RFC 9110 §8.4.1.2 says zlib, but servers have long sent raw deflate;
			 * a zlib header has CM 8 and (CMF*256+FLG) % 31 == 0 (RFC 1950 §2.2). */
			if (n >= 2 && (p[0] & 0x0f) == 8 && ((p[0] << 8) | p[1]) % 31 == 0)
				wbits = 15;
			else {
				wbits = -15;
				ce->raw_deflate = 1;
			}
		}
		if (inflateInit2(z, wbits) != Z_OK) {
			xfree(z);
			fail(ce, "zlib could not start");
			return -1;
		}
		ce->z = z;
	} else if (ce->kind == CE_BR) {
		ce->z = BrotliDecoderCreateInstance(NULL, NULL, NULL);
		if (!ce->z) {
			fail(ce, "brotli could not start");
			return -1;
		}
	} else if (ce->kind == CE_ZSTD) {
		ce->z = ZSTD_createDStream();
		if (!ce->z) {
			fail(ce, "zstd could not start");
			return -1;
		}
		ZSTD_initDStream(ce->z);
	}
	return 0;
}

int contenc_feed(struct contenc *ce, const uint8_t *p, size_t n, void (*out)(void *, const uint8_t *, size_t),
		 void *ctx)
{
	uint8_t buf[CONTENC_CHUNK];
	if (ce->failed)
		return -1;
	if (ce->kind == CE_NONE) {
		emit(ce, p, n, out, ctx);
		ce->in_total += n;
		return 0;
	}
	if (ce->kind == CE_UNKNOWN) {
		fail(ce, "unknown content coding");
		return -1;
	}
	if (!n)
		return 0;
	if (!ce->started && start(ce, p, n) < 0)
		return -1;
	if (ce->done) {
		/* Bytes after the end of the compressed stream: not part of the content. */
		fail(ce, "bytes after the end of the compressed stream");
		return -1;
	}
	if (ce->kind == CE_GZIP || ce->kind == CE_DEFLATE) {
		z_stream *z = ce->z;
		z->next_in = (Bytef *)(uintptr_t)p;
		z->avail_in = (uInt)n;
		while (!ce->capped) {
			z->next_out = buf;
			z->avail_out = sizeof buf;
			uInt before = z->avail_in;
			int rc = inflate(z, Z_NO_FLUSH);
			emit(ce, buf, sizeof buf - z->avail_out, out, ctx);
			ce->in_total += before - z->avail_in;
			if (rc == Z_STREAM_END) {
				ce->done = 1;
				if (z->avail_in) {
					/* gzip allows several members back to back (RFC 1952 §2.2). */
					if (ce->kind == CE_GZIP && z->next_in[0] == 0x1f) {
						inflateReset(z);
						ce->done = 0;
						continue;
					}
					ce->in_total += z->avail_in;
				}
				break;
			}
			if (rc == Z_BUF_ERROR)
				break; /* no progress possible: needs more input */
			if (rc != Z_OK) {
				fail(ce, "corrupt compressed data");
				return -1;
			}
			if (z->avail_out != 0 && z->avail_in == 0)
				break; /* all input taken, all output out */
		}
	} else if (ce->kind == CE_BR) {
		size_t avail_in = n;
		const uint8_t *next_in = p;
		for (;;) {
			size_t avail_out = sizeof buf;
			uint8_t *next_out = buf;
			BrotliDecoderResult rc =
				BrotliDecoderDecompressStream(ce->z, &avail_in, &next_in, &avail_out, &next_out, NULL);
			emit(ce, buf, sizeof buf - avail_out, out, ctx);
			if (rc == BROTLI_DECODER_RESULT_ERROR) {
				ce->in_total += n - avail_in;
				fail(ce, "corrupt brotli data");
				return -1;
			}
			if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
				ce->done = 1;
				break;
			}
			if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT || ce->capped)
				break;
		}
		ce->in_total += n;
	} else if (ce->kind == CE_ZSTD) {
		ZSTD_inBuffer in = { p, n, 0 };
		while (in.pos < in.size && !ce->capped) {
			ZSTD_outBuffer o = { buf, sizeof buf, 0 };
			size_t rc = ZSTD_decompressStream(ce->z, &o, &in);
			emit(ce, buf, o.pos, out, ctx);
			if (ZSTD_isError(rc)) {
				ce->in_total += in.pos;
				fail(ce, "corrupt zstd data");
				return -1;
			}
			if (rc == 0 && in.pos == in.size)
				ce->done = 1;
			if (o.pos == 0 && in.pos == in.size)
				break;
		}
		/* Drain output still held when the input is all taken. */
		for (int k = 0; k < 1024 && !ce->capped; k++) {
			ZSTD_outBuffer o = { buf, sizeof buf, 0 };
			size_t rc = ZSTD_decompressStream(ce->z, &o, &in);
			emit(ce, buf, o.pos, out, ctx);
			if (ZSTD_isError(rc) || o.pos < sizeof buf) {
				if (!ZSTD_isError(rc) && rc == 0)
					ce->done = 1;
				break;
			}
		}
		ce->in_total += n;
	}
	return ce->failed ? -1 : 0;
}

int contenc_done(const struct contenc *ce) { return ce->kind == CE_NONE || ce->done; }

void contenc_fini(struct contenc *ce)
{
	if (ce->z) {
		if (ce->kind == CE_GZIP || ce->kind == CE_DEFLATE) {
			inflateEnd(ce->z);
			xfree(ce->z);
		} else if (ce->kind == CE_BR) {
			BrotliDecoderDestroyInstance(ce->z);
		} else if (ce->kind == CE_ZSTD) {
			ZSTD_freeDStream(ce->z);
		}
	}
	ce->z = NULL;
}

/* ---- the content layer ---- */

enum { CE_EV_FAILED, CE_EV_INCOMPLETE, CE_EV_CAPPED, CE_EV_COUNT };

static const struct app_event contenc_events[CE_EV_COUNT + 1] = {
	[CE_EV_FAILED] = { "contenc.failed", SEV_ERROR, "a content coding could not be undone: the data is corrupt" },
	[CE_EV_INCOMPLETE] = { "contenc.incomplete", SEV_WARN, "the compressed data stopped before its end" },
	[CE_EV_CAPPED] = { "contenc.capped", SEV_NOTE, "the decoded content passed what chattcp decodes (64 MiB a body, and an allowance per capture); the rest is not decoded" },
	[CE_EV_COUNT] = { NULL, 0, NULL },
};

struct contenc_layer {
	struct contenc ce;
	int cut;      /* bytes below were lost: decoding cannot go on, and that is not news */
	int noted;    /* the failure was said */
	int cap_noted;/* the decode cap was said */
	struct layer *L;
	int dir;
	uint64_t lo, hi;
};

static void cl_init(void *vst, struct layer *L, const struct layer_open *how)
{
	struct contenc_layer *st = vst;
	contenc_init(&st->ce, contenc_kind(how && how->param ? how->param : ""));
	st->L = L;
}

static void cl_out(void *ctx, const uint8_t *p, size_t n)
{
	struct contenc_layer *st = ctx;
	app_emit(st->L, st->dir, p, n, st->lo, st->hi);
}

static void cl_failed(struct contenc_layer *st, int dir)
{
	struct appmsg *m = app_owner(st->L);
	if (st->noted || !m)
		return;
	st->noted = 1;
	struct appbody *b = app_body(st->L, m);
	b->failed = 1;
	appmsg_note(m, &contenc_events[CE_EV_FAILED], app_conn_off(st->L, dir, 0),
		    "Content-Encoding %s could not be undone: %s (at byte %" PRIu64 " of the content)",
		    contenc_name(st->ce.kind), st->ce.why ? st->ce.why : "error", st->ce.fail_off);
}

/* The decode cap tripped (why: 1 per body, 2 the capture's allowance): said once, at
 * the byte where it happened; the body is marked so that the layers after this one do
 * not call their stream short. */
static void cl_capped(struct contenc_layer *st, int dir, uint64_t at, int why)
{
	struct appmsg *m = app_owner(st->L);
	if (st->cap_noted || !m)
		return;
	st->cap_noted = 1;
	struct appbody *b = app_body(st->L, m);
	b->decode_capped = 1;
	b->capped = 1;
	if (why == 2)
		appmsg_note(m, &contenc_events[CE_EV_CAPPED], app_conn_off(st->L, dir, at),
			    "Content-Encoding %s: decoding stopped after %" PRIu64 " bytes because the capture's decode "
			    "allowance (%" PRIu64 " MiB plus %d times the stream bytes read) is spent; the rest is not "
			    "decoded, so the decoded size is a lower bound",
			    contenc_name(st->ce.kind), st->ce.out_total, APP_DECODE_FREE >> 20, APP_DECODE_RATIO);
	else
		appmsg_note(m, &contenc_events[CE_EV_CAPPED], app_conn_off(st->L, dir, at),
			    "Content-Encoding %s: the decoded content passed %" PRIu64 " MiB, the most chattcp decodes "
			    "per body; the rest is not decoded, so the decoded size is a lower bound",
			    contenc_name(st->ce.kind), APP_DECODE_MAX >> 20);
}

static struct feed_res cl_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
			       int flags)
{
	struct contenc_layer *st = vst;
	st->L = L;
	st->dir = dir;
	st->lo = off;
	st->hi = off + n;
	if (n && !st->cut && !st->ce.failed && !st->ce.capped) {
		int why = 1;
		uint64_t before = st->ce.out_total;
		uint64_t room = app_decode_room(L, before, &why);
		if (!room) {
			/* nothing left to decode into (out_max 0 would mean the default cap):
			 * the decoder is not even started */
			st->ce.capped = 1;
		} else {
			st->ce.out_max = before + room;
			if (contenc_feed(&st->ce, p, n, cl_out, st) < 0)
				cl_failed(st, dir);
			app_decoded(L, st->ce.out_total - before);
		}
		if (st->ce.capped)
			cl_capped(st, dir, off, why);
	}
	if (flags & FEED_EOF) {
		struct appmsg *m = app_owner(L);
		struct appbody *b = m ? app_body(L, m) : NULL;
		/* A layer before this one stopped at its cap: this stream was cut, not short. */
		if (b && !st->ce.capped && !b->decode_capped && !st->cut && !st->ce.failed && !contenc_done(&st->ce) &&
		    st->ce.in_total) {
			b->failed = b->incomplete = 1;
			appmsg_note(m, &contenc_events[CE_EV_INCOMPLETE], app_conn_off(L, dir, off + n),
				    "the %s stream stopped before its end", contenc_name(st->ce.kind));
		}
	}
	return feed_took(n);
}

static void cl_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct contenc_layer *st = vst;
	(void)L, (void)dir, (void)off, (void)len;
	st->cut = 1;
}

static void cl_fini(void *vst)
{
	struct contenc_layer *st = vst;
	contenc_fini(&st->ce);
}

const struct proto_desc proto_contenc = {
	.name = "contenc",
	.what = "HTTP content codings undone: gzip, deflate, br, zstd (RFC 9110 §8.4.1)",
	.role = PROTO_CONTENT,
	.events = contenc_events,
	.state_size = sizeof(struct contenc_layer),
	.init = cl_init,
	.feed = cl_feed,
	.gap = cl_gap,
	.fini = cl_fini,
};
