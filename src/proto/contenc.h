/* contenc.h: undoing HTTP Content-Encoding (RFC 9110 §8.4.1): gzip (RFC 1952),
 * deflate (RFC 1950 zlib; raw RFC 1951 too, as many servers send it), br (RFC 7932)
 * and zstd (RFC 8878), incrementally: bytes go in as they arrive, decoded bytes come
 * out through a callback, so a stream (SSE) can be followed event by event.
 * Output is capped (CONTENC_OUT_MAX) against decompression bombs. */
#ifndef CHATTCP_CONTENC_H
#define CHATTCP_CONTENC_H

#include <stddef.h>
#include <stdint.h>

/* Decoded bytes per stream at most when the caller sets no out_max: a 1 kB gzip bomb
 * expanding to gigabytes stops here. The content layer sets out_max lower (proto.h
 * APP_DECODE_MAX and the capture's allowance). */
#define CONTENC_OUT_MAX ((uint64_t)1 << 30)

enum contenc_kind { CE_NONE, CE_GZIP, CE_DEFLATE, CE_BR, CE_ZSTD, CE_UNKNOWN };

struct contenc {
	int kind;
	int started, failed, done, capped, raw_deflate;
	uint64_t in_total, out_total;
	uint64_t out_max;  /* stop (capped) once out_total would pass it; 0: CONTENC_OUT_MAX */
	uint64_t fail_off; /* input offset where decoding failed */
	const char *why;   /* failure reason (static) */
	void *z;           /* the library's stream */
};

/* Kind of a Content-Encoding value ("gzip", "x-gzip", "deflate", "br", "zstd",
 * "identity" -> CE_NONE); a list ("gzip, br") gives CE_UNKNOWN. */
int contenc_kind(const char *value);
void contenc_init(struct contenc *ce, int kind);
/* Feeds n encoded bytes; decoded output goes to out(ctx, p, len). Returns 0, or -1
 * once decoding failed (ce->why, ce->fail_off say why and where). */
int contenc_feed(struct contenc *ce, const uint8_t *p, size_t n,
		 void (*out)(void *ctx, const uint8_t *p, size_t n), void *ctx);
/* 1 when the encoded stream reached its proper end. */
int contenc_done(const struct contenc *ce);
void contenc_fini(struct contenc *ce);
const char *contenc_name(int kind);

#endif
