/* fuzz_chunked.c: the chunked transfer-coding decoder (proto/chunked.c), fed in two
 * pieces split where the first byte says. */
#include "proto/chunked.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
	(void)off;
	size_t *sum = ctx;
	for (size_t i = 0; i < n; i++)
		*sum += p[i]; /* touch every byte handed out */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t cut = data[0] % size;
	size_t sum = 0;
	struct chunked_cb cb = { &sum, sink, NULL, NULL };
	struct chunked ch; /* its trailer line buffer is allocated on first use */
	chunked_init(&ch, cb);
	size_t used = chunked_feed(&ch, data + 1, cut ? cut - 1 : 0, 0);
	if (used == (cut ? cut - 1 : 0))
		chunked_feed(&ch, data + cut, size - cut, cut);
	chunked_fini(&ch);
	return 0;
}
