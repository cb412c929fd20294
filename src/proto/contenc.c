/* contenc.c: see contenc.h. zlib, libbrotlidec and libzstd do the decoding; this
 * file only drives them in pieces and keeps the output bounded. */
#include "contenc.h"

#include "../base/xalloc.h"

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
	if (ce->out_total + n > CONTENC_OUT_MAX) {
		n = (size_t)(CONTENC_OUT_MAX - ce->out_total);
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
