/* test_pcapng_write.c: the pcapng writer (src/capture/pcapng_write.c) that `live`
 * writes with: blocks made here must read back through our own reader (capfile) and,
 * when tshark is installed, through Wireshark's, with the same times (nanoseconds),
 * lengths, link type, interface name and bytes; and a ring of files must keep exactly
 * its N newest files, each within its size but for a single packet larger than it,
 * holding together the newest packets in order. Packets are made from a fixed seed.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "base/err.h"
#include "capture/capfile.h"
#include "capture/pcapng_write.h"
#include "harness.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pkt_in {
	int64_t ts;
	uint32_t caplen, wirelen;
	uint8_t *data;
};

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(seed >> 33);
}

static struct pkt_in make_pkt(int64_t ts, uint32_t caplen, uint32_t wirelen)
{
	struct pkt_in p = { ts, caplen, wirelen, malloc(caplen ? caplen : 1) };
	for (uint32_t i = 0; i < caplen; i++)
		p.data[i] = (uint8_t)rnd();
	return p;
}

/* Reads every record of a capture held in memory into got; returns the count or -1. */
static long read_back(const uint8_t *buf, size_t n, const struct pkt_in *want, size_t n_want, char *why, size_t wl)
{
	void *map;
	size_t maplen;
	uint8_t *g = guarded(buf, n, &map, &maplen);
	struct capfile cf;
	struct err e;
	err_clear(&e);
	long k = 0;
	if (capfile_open_mem(&cf, "mem.pcapng", g, n, &e) < 0) {
		snprintf(why, wl, "open: %s", e.msg);
		munmap(map, maplen);
		return -1;
	}
	struct cap_rec r;
	int rc;
	while ((rc = capfile_next(&cf, &r, &e)) == 1) {
		if ((size_t)k >= n_want) {
			snprintf(why, wl, "more records than written");
			k = -1;
			break;
		}
		const struct pkt_in *w = &want[k];
		int64_t wts = w->ts < 0 ? 0 : w->ts;
		uint32_t wwire = w->wirelen < w->caplen ? w->caplen : w->wirelen;
		if (r.ts_ns != wts || r.caplen != w->caplen || r.wirelen != wwire || r.linktype != LT_ETHERNET ||
		    r.ts_digits != 9 || memcmp(r.data, w->data, w->caplen) != 0) {
			snprintf(why, wl, "record %ld: ts %lld caplen %u wire %u lt %u digits %u (wrote ts %lld caplen %u wire %u)",
				 k, (long long)r.ts_ns, r.caplen, r.wirelen, r.linktype, r.ts_digits, (long long)wts, w->caplen,
				 wwire);
			k = -1;
			break;
		}
		k++;
	}
	if (rc < 0 && k >= 0) {
		snprintf(why, wl, "damaged at %lld: %s", (long long)e.off, e.msg);
		k = -1;
	}
	capfile_close(&cf);
	munmap(map, maplen);
	return k;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
	*n = fread(b, 1, (size_t)len, f);
	fclose(f);
	return b;
}

/* Blocks in memory, then the same through a file, read back by us and by tshark. */
static void test_roundtrip(const char *dir)
{
	uint32_t sizes[] = { 0, 1, 2, 3, 4, 5, 54, 60, 1514, 9000, 65535, 262144 };
	size_t n = sizeof sizes / sizeof sizes[0];
	struct pkt_in *v = calloc(n, sizeof *v);
	/* times: 2023, a nanosecond apart, one negative (written as 0), one in 2100 */
	int64_t base = 1700000000123456789LL;
	for (size_t i = 0; i < n; i++) {
		int64_t ts = i == 3 ? -5 : i == 4 ? 4102444800999999999LL : base + (int64_t)i;
		v[i] = make_pkt(ts, sizes[i], i % 2 ? sizes[i] + 100 : 0);
	}
	struct strbuf b;
	sb_init(&b);
	pcapng_put_shb(&b, "chattcp test");
	pcapng_put_idb(&b, LT_ETHERNET, 262144, "veth-test0");
	size_t head = b.len;
	for (size_t i = 0; i < n; i++)
		pcapng_put_epb(&b, 0, v[i].ts, v[i].data, v[i].caplen, v[i].wirelen);
	char why[512] = "";
	long k = read_back((const uint8_t *)b.s, b.len, v, n, why, sizeof why);
	check(k == (long)n && b.len % 4 == 0, "pcapng-write-read-back", why[0] ? why : "count or alignment");

	/* cut anywhere inside a block: our reader must say it was cut, never crash */
	int cuts_ok = 1;
	for (size_t cut = head + 1; cut < b.len; cut += 997) {
		long kk = read_back((const uint8_t *)b.s, cut, v, n, why, sizeof why);
		if (kk >= 0)
			cuts_ok = 0;
	}
	check(cuts_ok, "pcapng-write-cut-is-damage", "a cut file read back without an error");

	char path[600];
	snprintf(path, sizeof path, "%s/one.pcapng", dir);
	struct pcapng_out o;
	struct err e;
	err_clear(&e);
	int rc = pcapng_out_open(&o, path, 0, 0, b.s, head, &e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct strbuf blk;
		sb_init(&blk);
		pcapng_put_epb(&blk, 0, v[i].ts, v[i].data, v[i].caplen, v[i].wirelen);
		rc = pcapng_out_packet(&o, blk.s, blk.len, &e);
		sb_fini(&blk);
	}
	if (pcapng_out_close(&o, &e) < 0)
		rc = -1;
	size_t fn = 0;
	uint8_t *fb = slurp(path, &fn);
	check(rc == 0 && fb && fn == b.len && memcmp(fb, b.s, fn) == 0, "pcapng-out-file-is-the-blocks",
	      rc ? e.msg : "the file differs from the blocks");
	free(fb);

	if (system("command -v tshark > /dev/null 2>&1") == 0) {
		char cmd[800];
		snprintf(cmd, sizeof cmd,
			 "tshark -r '%s' -T fields -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_name"
			 " 2> /dev/null",
			 path);
		FILE *p = popen(cmd, "r");
		char line[256];
		size_t i = 0;
		int same = p != NULL;
		while (p && fgets(line, sizeof line, p)) {
			char want[256];
			int64_t ts = v[i].ts < 0 ? 0 : v[i].ts;
			uint32_t wire = v[i].wirelen < v[i].caplen ? v[i].caplen : v[i].wirelen;
			snprintf(want, sizeof want, "%lld.%09lld\t%u\t%u\tveth-test0\n", (long long)(ts / 1000000000),
				 (long long)(ts % 1000000000), wire, v[i].caplen);
			if (i >= n || strcmp(line, want) != 0) {
				if (same)
					snprintf(why, sizeof why, "frame %zu: tshark says %.100s, wrote %.100s", i + 1, line, want);
				same = 0;
			}
			i++;
		}
		if (p && pclose(p) != 0 && same) {
			snprintf(why, sizeof why, "tshark failed");
			same = 0;
		}
		if (same && i != n) {
			snprintf(why, sizeof why, "tshark read %zu frames, wrote %zu", i, n);
			same = 0;
		}
		check(same, "pcapng-write-tshark-reads-it", why);
	} else {
		printf("ok pcapng-write-tshark-reads-it (skipped: no tshark)\n");
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].data);
	free(v);
	sb_fini(&b);
}

/* A ring of 3 files of at most 4 KiB: after 60 packets, the 3 newest files remain,
 * named by number, each within the limit, together the newest packets in order. */
static void test_ring(const char *dir)
{
	enum { N = 60, FILES = 3, LIMIT = 4096 };
	struct pkt_in v[N];
	for (int i = 0; i < N; i++)
		v[i] = make_pkt(1700000000000000000LL + i * 1000LL, i == 40 ? 6000 : 100 + rnd() % 700, 0);
	struct strbuf head;
	sb_init(&head);
	pcapng_put_shb(&head, "chattcp test");
	pcapng_put_idb(&head, LT_ETHERNET, 262144, "veth-test0");
	char base[600];
	snprintf(base, sizeof base, "%s/ring.pcapng", dir);
	struct pcapng_out o;
	struct err e;
	err_clear(&e);
	int rc = pcapng_out_open(&o, base, FILES, LIMIT, head.s, head.len, &e);
	for (int i = 0; rc == 0 && i < N; i++) {
		struct strbuf blk;
		sb_init(&blk);
		pcapng_put_epb(&blk, 0, v[i].ts, v[i].data, v[i].caplen, 0);
		rc = pcapng_out_packet(&o, blk.s, blk.len, &e);
		sb_fini(&blk);
	}
	uint64_t last = o.seq;
	if (pcapng_out_close(&o, &e) < 0)
		rc = -1;
	check(rc == 0, "pcapng-ring-writes", e.msg);

	int files = 0, names_ok = 1;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "ring", 4) != 0)
			continue;
		files++;
		unsigned long long k;
		char tail[16];
		if (sscanf(de->d_name, "ring_%5llu%15s", &k, tail) != 2 || strcmp(tail, ".pcapng") != 0 ||
		    k + FILES <= last || k > last)
			names_ok = 0;
	}
	if (d)
		closedir(d);
	check(files == FILES && names_ok && last > FILES, "pcapng-ring-keeps-the-newest",
	      "not exactly the 3 newest ring_NNNNN.pcapng files");

	/* read the kept files in order: the packets they hold are the last ones written */
	size_t n_got = 0;
	int sizes_ok = 1, read_ok = 1;
	char why[512] = "";
	for (uint64_t k = last - FILES + 1; k <= last; k++) {
		char path[700];
		snprintf(path, sizeof path, "%s/ring_%05llu.pcapng", dir, (unsigned long long)k);
		size_t fn = 0;
		uint8_t *fb = slurp(path, &fn);
		if (!fb) {
			read_ok = 0;
			continue;
		}
		/* which written packets does this file hold? the ones after those already seen */
		size_t first = 0;
		if (k == last - FILES + 1) {
			/* the oldest kept file: find where it starts by its first packet's time */
			struct capfile cf;
			err_clear(&e);
			struct cap_rec r;
			if (capfile_open_mem(&cf, path, fb, fn, &e) == 0 && capfile_next(&cf, &r, &e) == 1)
				first = (size_t)((r.ts_ns - 1700000000000000000LL) / 1000);
			capfile_close(&cf);
			if (first >= N) {
				snprintf(why, sizeof why, "the oldest kept file starts with a time no packet had");
				read_ok = 0;
				free(fb);
				break;
			}
			n_got = first;
		}
		long c = read_back(fb, fn, v + n_got, N - n_got, why, sizeof why);
		if (c <= 0)
			read_ok = 0;
		else
			n_got += (size_t)c;
		if (fn > LIMIT && c != 1)
			sizes_ok = 0;
		free(fb);
	}
	check(read_ok && n_got == N, "pcapng-ring-holds-the-newest-packets", why[0] ? why : "the last packet is not in the last file");
	check(sizes_ok, "pcapng-ring-file-size", "a file past the limit holds more than one packet");
	for (int i = 0; i < N; i++)
		free(v[i].data);
	sb_fini(&head);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* every line out even if a later check crashes */
	char dir[] = "/tmp/chattcp-pcapng-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip(dir);
	test_ring(dir);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("FAIL cleanup: %s\n", dir);
	return fails ? 1 : 0;
}
