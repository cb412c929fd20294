/* fuzz_capture.c: fuzz target for the capture reader (src/capture/): the input is a
 * whole pcap or pcapng file (or a gzip'd one). Every record is walked with
 * capfile_next, every byte it hands out is touched (so ASan sees an over-read), and
 * each record is read again by offset with capfile_read_at, which must give the same
 * record. Then the same bytes are pushed in pieces (capfile_open_push; the piece sizes
 * come from the input's own bytes) and must give exactly the records of the mapped
 * read and the same end: the same error message at the same offset, or a clean end.
 * Seeds: fuzz/corpus/fuzz_capture/. */
#include "base/err.h"
#include "capture/capfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Records remembered per input: more than a 16 KiB input (fuzz_capture.options) can
 * hold, at 16 bytes a record at least. */
#define FUZZ_MAX_RECS 4096

struct fuzz_rec {
	uint64_t off;
	int64_t ts;
	uint32_t caplen, wirelen, ifindex;
	uint16_t linktype;
	uint8_t digits;
	const uint8_t *data; /* into the mapped capture, valid until it is closed */
};

static volatile uint8_t sink;

static void touch(const struct cap_rec *r)
{
	uint8_t x = 0;
	for (uint32_t i = 0; i < r->caplen; i++)
		x ^= r->data[i];
	sink = x;
}

static int same_rec(const struct fuzz_rec *a, const struct cap_rec *b)
{
	return a->off == b->off && a->ts == b->ts_ns && a->caplen == b->caplen && a->wirelen == b->wirelen &&
	       a->ifindex == b->ifindex && a->linktype == b->linktype && a->digits == b->ts_digits &&
	       memcmp(a->data, b->data, a->caplen) == 0;
}

/* Pushes data in pieces of 1..97 bytes chosen by the data, reading after each until
 * CAP_AGAIN; every record must be the next of recs[0..n). Returns how it ended and
 * leaves the error in e. */
static int pushed(const uint8_t *data, size_t size, const struct fuzz_rec *recs, size_t n, int spool, struct err *e)
{
	struct capfile cf;
	struct cap_stream_opts o = { .spool = spool };
	capfile_open_push(&cf, "fuzz.pcap", &o, e);
	size_t at = 0, k = 0, got = 0;
	int rc = CAP_AGAIN, ended = 0;
	struct cap_rec rec;
	while (rc == CAP_AGAIN) {
		if (ended)
			abort(); /* no more bytes will come, yet it asks for more */
		if (at < size) {
			size_t len = 1 + (size_t)(data[(k * 31 + 7) % size] * 37u + k) % 97;
			k++;
			if (len > size - at)
				len = size - at;
			if (capfile_push(&cf, data + at, len, e) < 0)
				abort(); /* pieces this small never fill the queue */
			at += len;
		} else {
			capfile_push_end(&cf);
			ended = 1;
		}
		while ((rc = capfile_next(&cf, &rec, e)) == 1) {
			touch(&rec);
			if (got < n && !same_rec(&recs[got], &rec))
				abort(); /* pushed in pieces, a record differs from the mapped read */
			got++;
		}
	}
	if (got != n && n < FUZZ_MAX_RECS)
		abort(); /* pushed, more or fewer records than mapped */
	if (spool) /* a spooled push reads back like a file */
		for (size_t i = 0; i < n && i < got; i++) {
			struct err e2;
			err_clear(&e2);
			if (capfile_read_at(&cf, recs[i].off, &rec, &e2) != 1 || !same_rec(&recs[i], &rec))
				abort();
		}
	capfile_close(&cf);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capfile cf;
	struct err eo, e;
	err_clear(&eo);
	err_clear(&e);
	static struct fuzz_rec recs[FUZZ_MAX_RECS];
	size_t n = 0;
	int rc;
	int opened = capfile_open_mem(&cf, "fuzz.pcap", data, size, &eo) == 0;
	if (opened) {
		struct cap_rec rec;
		while ((rc = capfile_next(&cf, &rec, &e)) == 1) {
			touch(&rec);
			if (rec.caplen > rec.wirelen)
				abort(); /* the reader promises wirelen >= caplen */
			if (n < FUZZ_MAX_RECS)
				recs[n++] = (struct fuzz_rec){ rec.off, rec.ts_ns, rec.caplen, rec.wirelen, rec.ifindex,
							       rec.linktype, rec.ts_digits, rec.data };
		}
		/* A damaged file stops with an error; a clean end must not leave one behind. */
		if (rc == 0 && e.set)
			abort();
		if (rc < 0 && !e.set)
			abort();
		for (size_t i = 0; i < n; i++) {
			struct err e2;
			err_clear(&e2);
			if (capfile_read_at(&cf, recs[i].off, &rec, &e2) != 1)
				abort(); /* a record read once must read again */
			if (!same_rec(&recs[i], &rec))
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
	} else {
		rc = -1;
		e = eo;
	}

	/* The same bytes pushed in pieces. A mapped .gz is inflated whole at open, where a
	 * damaged one leaves its error (eo) and the walk reads what was inflated; a pushed
	 * one stops at the damage itself. Only the records must then agree. */
	int gz_damaged = size >= 2 && data[0] == 0x1f && data[1] == 0x8b && eo.set && strstr(eo.msg, "gzip");
	struct err ep;
	err_clear(&ep);
	int prc = pushed(data, size, recs, n, (size & 15) == 0, &ep);
	if (!gz_damaged) {
		if (prc != rc || ep.set != e.set || (e.set && (ep.off != e.off || strcmp(ep.msg, e.msg) != 0)))
			abort(); /* pushed, the capture ends differently */
	}
	if (opened)
		capfile_close(&cf);
	return 0;
}
