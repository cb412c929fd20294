/* fuzz_capture.c: fuzz target for the capture reader (src/capture/): the input is a
 * whole pcap or pcapng file (or a gzip'd one). Every record is walked with
 * capfile_next, every byte it hands out is touched (so ASan sees an over-read), and
 * each record is read again by offset with capfile_read_at, which must give the same
 * record. Seeds: fuzz/corpus/fuzz_capture/. */
#include "base/err.h"
#include "capture/capfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Records re-read by offset per input: enough to cover any input the fuzzer makes. */
#define FUZZ_MAX_OFFS 4096

static volatile uint8_t sink;

static void touch(const struct cap_rec *r)
{
	uint8_t x = 0;
	for (uint32_t i = 0; i < r->caplen; i++)
		x ^= r->data[i];
	sink = x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capfile cf;
	struct err e;
	err_clear(&e);
	if (capfile_open_mem(&cf, "fuzz.pcap", data, size, &e) < 0)
		return 0;
	static uint64_t offs[FUZZ_MAX_OFFS];
	static uint32_t caplens[FUZZ_MAX_OFFS];
	size_t n = 0;
	struct cap_rec rec;
	int rc;
	while ((rc = capfile_next(&cf, &rec, &e)) == 1) {
		touch(&rec);
		if (rec.caplen > rec.wirelen)
			abort(); /* the reader promises wirelen >= caplen */
		if (n < FUZZ_MAX_OFFS) {
			offs[n] = rec.off;
			caplens[n] = rec.caplen;
			n++;
		}
	}
	/* A damaged file stops with an error; a clean end must not leave one behind. */
	if (rc == 0 && e.set)
		abort();
	if (rc < 0 && !e.set)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct err e2;
		err_clear(&e2);
		if (capfile_read_at(&cf, offs[i], &rec, &e2) != 1)
			abort(); /* a record read once must read again */
		if (rec.caplen != caplens[i])
			abort();
		touch(&rec);
	}
	/* Offsets that are not record starts must fail cleanly, never crash. */
	for (size_t k = 0; k < 8 && size; k++) {
		struct err e3;
		err_clear(&e3);
		uint64_t off = (size_t)data[k % size] * 131 + k * 7;
		capfile_read_at(&cf, off % (size + 64), &rec, &e3);
	}
	capfile_close(&cf);
	return 0;
}
