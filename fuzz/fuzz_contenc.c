/* fuzz_contenc.c: Content-Encoding decoding (proto/contenc.c): the first byte picks
 * gzip, deflate (zlib or raw), br or zstd; the rest is fed in two pieces. */
#include "proto/contenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void out(void *ctx, const uint8_t *p, size_t n)
{
	size_t *sum = ctx;
	for (size_t i = 0; i < n; i++)
		*sum += p[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	static const int kinds[4] = { CE_GZIP, CE_DEFLATE, CE_BR, CE_ZSTD };
	struct contenc ce;
	contenc_init(&ce, kinds[data[0] & 3]);
	size_t cut = 1 + data[1] % (size - 1);
	size_t sum = 0;
	contenc_feed(&ce, data + 2 > data + cut ? data + cut : data + 2, cut > 2 ? cut - 2 : 0, out, &sum);
	contenc_feed(&ce, data + (cut > 2 ? cut : 2), size - (cut > 2 ? cut : 2), out, &sum);
	contenc_fini(&ce);
	return 0;
}
