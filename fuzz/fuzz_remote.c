/* fuzz_remote.c: the capture agent's stream as `live --remote` parses it
 * (capture/remote.c: chunked framing, then pcapng blocks), fed in two pieces split
 * where the first byte says; its low bit says whether the body is chunked. */
#include "capture/remote.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, int64_t ts_ns, const uint8_t *p, uint32_t caplen, uint32_t wirelen)
{
	size_t *sum = ctx;
	for (uint32_t i = 0; i < caplen; i++)
		*sum += p[i]; /* touch every byte handed out */
	*sum += (size_t)ts_ns + wirelen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t cut = 1 + data[0] % size;
	if (cut > size)
		cut = size;
	size_t sum = 0;
	struct err e;
	err_clear(&e);
	struct remote_src *rs = remote_parser_new(data[0] & 1);
	if (remote_feed(rs, data + 1, cut - 1, sink, &sum, &e) >= 0)
		remote_feed(rs, data + cut, size - cut, sink, &sum, &e);
	struct live_stats st;
	remote_get_stats(rs, &st);
	remote_close(rs);
	return 0;
}
