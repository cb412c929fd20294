/* capwrite.c: see capwrite.h. Little-endian headers whatever the host; pcap with the
 * nanosecond magic when the input's clock has 9 digits, so no time is rounded. */
#include "capwrite.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../capture/pcapng_write.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The snap length written in a pcap header: libpcap's largest (MAXIMUM_SNAPLEN); the
 * readers cap a record's captured length there too. */
#define CAPWRITE_PCAP_SNAPLEN 262144
/* Bytes held before they are written. */
#define CAPWRITE_FLUSH (1 << 16)

struct capwrite {
	FILE *f;            /* NULL: written into mem */
	struct strbuf *mem;
	char *path;
	int pcapng, head_done, nsec, failed;
	uint16_t linktype;
	uint32_t *if_map;   /* pcapng: input interface -> output id + 1 */
	size_t cap_if;
	uint32_t n_if;
	uint64_t records, bytes;
	struct strbuf b;
};

static void put32(struct strbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_add(b, (const char *)x, 4);
}

static void put16(struct strbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	sb_add(b, (const char *)x, 2);
}

static void pcap_head(struct capwrite *w, uint16_t linktype, int nsec)
{
	w->linktype = linktype;
	w->nsec = nsec;
	put32(&w->b, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(&w->b, 2);
	put16(&w->b, 4);
	put32(&w->b, 0);
	put32(&w->b, 0);
	put32(&w->b, CAPWRITE_PCAP_SNAPLEN);
	put32(&w->b, linktype);
	w->head_done = 1;
}

static int sys_err(struct capwrite *w, struct err *e)
{
	err_set(e, EXIT_SYSTEM, 0, "cannot write %s: %s", w->path, strerror(errno));
	w->failed = 1;
	return -1;
}

static int flush(struct capwrite *w, struct err *e)
{
	if (w->mem) {
		sb_add(w->mem, w->b.s, w->b.len);
		sb_reset(&w->b);
		return 0;
	}
	if (w->b.len && fwrite(w->b.s, 1, w->b.len, w->f) != w->b.len)
		return sys_err(w, e);
	sb_reset(&w->b);
	return 0;
}

struct capwrite *capwrite_open(const char *path, int pcapng, struct err *e)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!f) {
		err_set(e, EXIT_SYSTEM, 0, "cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	struct capwrite *w = xcalloc(1, sizeof *w);
	w->f = f;
	w->path = xstrdup(path);
	w->pcapng = pcapng;
	sb_init(&w->b);
	return w;
}

struct capwrite *capwrite_open_mem(struct strbuf *to, int pcapng)
{
	struct capwrite *w = xcalloc(1, sizeof *w);
	w->mem = to;
	w->path = xstrdup("(memory)");
	w->pcapng = pcapng;
	sb_init(&w->b);
	return w;
}

int capwrite_rec(struct capwrite *w, const struct cap_rec *r, struct err *e)
{
	if (w->failed) {
		err_set(e, EXIT_SYSTEM, 0, "cannot write %s", w->path);
		return -1;
	}
	if (w->pcapng) {
		if (!w->head_done) {
			pcapng_put_shb(&w->b, "chattcp extract");
			w->head_done = 1;
		}
		if (r->ifindex >= w->cap_if) {
			size_t old = w->cap_if;
			xgrow(&w->if_map, &w->cap_if, (size_t)r->ifindex + 1, sizeof *w->if_map);
			memset(w->if_map + old, 0, (w->cap_if - old) * sizeof *w->if_map);
		}
		if (!w->if_map[r->ifindex]) {
			/* snap length 0: no limit, so every record's captured length is valid */
			pcapng_put_idb(&w->b, r->linktype, 0, NULL);
			w->if_map[r->ifindex] = ++w->n_if;
		}
		pcapng_put_epb(&w->b, w->if_map[r->ifindex] - 1, r->ts_ns, r->data, r->caplen, r->wirelen);
	} else {
		if (!w->head_done)
			pcap_head(w, r->linktype, r->ts_digits > 6);
		if (r->linktype != w->linktype) {
			err_set(e, EXIT_USAGE, 0, "a frame has link type %u after frames of link type %u: a pcap file holds one "
				"(write .pcapng)", r->linktype, w->linktype);
			w->failed = 1;
			return -1;
		}
		int64_t ts = r->ts_ns < 0 ? 0 : r->ts_ns;
		uint64_t sec = (uint64_t)ts / 1000000000u, frac = (uint64_t)ts % 1000000000u;
		put32(&w->b, (uint32_t)sec);
		put32(&w->b, (uint32_t)(w->nsec ? frac : frac / 1000));
		put32(&w->b, r->caplen);
		put32(&w->b, r->wirelen);
		sb_add(&w->b, (const char *)r->data, r->caplen);
	}
	w->records++;
	w->bytes += r->caplen;
	return w->b.len >= CAPWRITE_FLUSH ? flush(w, e) : 0;
}

uint64_t capwrite_records(const struct capwrite *w) { return w->records; }
uint64_t capwrite_bytes(const struct capwrite *w) { return w->bytes; }

int capwrite_close(struct capwrite *w, struct err *e)
{
	int rc = w->failed ? -1 : 0;
	if (!rc && !w->head_done) {
		/* nothing chosen: still a valid, empty capture */
		if (w->pcapng)
			pcapng_put_shb(&w->b, "chattcp extract");
		else
			pcap_head(w, LT_ETHERNET, 0);
	}
	if (!rc)
		rc = flush(w, e);
	if (!w->f) {
		/* memory: nothing to close */
	} else if (w->f == stdout) {
		if (fflush(w->f) != 0 && !rc)
			rc = sys_err(w, e);
	} else if (fclose(w->f) != 0 && !rc) {
		rc = sys_err(w, e);
	}
	sb_fini(&w->b);
	xfree(w->if_map);
	xfree(w->path);
	xfree(w);
	return rc;
}
