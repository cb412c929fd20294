/* test_capture.c: unit tests for the capture reader (src/capture/). The same capture
 * must give the same records (offset, time, lengths, link type, interface, bytes) and
 * the same end (clean, or the same error message at the same offset) however its bytes
 * arrive:
 *   mapped (capfile_open of the file), pushed in two pieces split at every byte (small
 *   files) or at a few hundred random offsets (larger ones), pushed in random pieces,
 *   pushed one byte at a time, and read from a pipe(2) that a child writes in small
 *   pieces; gzip'd copies (made here with zlib) the same ways; damaged captures
 *   (tests/captures/bad/ and good ones cut at many places) the same ways.
 * Then what only streams do: read back by offset and rewind on a spooled pipe, the
 * "not kept" error without a spool, a record handed out before the writer has written
 * the next one, bounded pcapng tables under repeated section headers, big-endian pcapng
 * made here, and the push queue's limit. Inputs read mapped from memory sit at the end
 * of a page followed by an unreadable page (harness.h), so an over-read faults.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "base/err.h"
#include "capture/capfile.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------ results */

struct one {
	uint64_t off;
	int64_t ts;
	uint32_t caplen, wirelen, ifindex;
	uint16_t linktype;
	uint8_t digits;
	uint8_t *bytes;
};

struct result {
	struct one *v;
	size_t n, cap;
	int rc;         /* how it ended: 0 clean, -1 damaged */
	int64_t eoff;
	char emsg[256];
};

static void res_init(struct result *r)
{
	memset(r, 0, sizeof *r);
}

static void res_fini(struct result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].bytes);
	free(r->v);
	memset(r, 0, sizeof *r);
}

static void add(struct result *r, const struct cap_rec *rec)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof *r->v);
	}
	struct one *o = &r->v[r->n++];
	o->off = rec->off;
	o->ts = rec->ts_ns;
	o->caplen = rec->caplen;
	o->wirelen = rec->wirelen;
	o->ifindex = rec->ifindex;
	o->linktype = rec->linktype;
	o->digits = rec->ts_digits;
	o->bytes = malloc(rec->caplen ? rec->caplen : 1);
	memcpy(o->bytes, rec->data, rec->caplen);
}

static void finish(struct result *r, int rc, const struct err *e)
{
	r->rc = rc;
	r->eoff = e->set ? e->off : -1;
	snprintf(r->emsg, sizeof r->emsg, "%s", e->set ? e->msg : "");
}

static int same_rec(const struct one *a, const struct cap_rec *b)
{
	return a->off == b->off && a->ts == b->ts_ns && a->caplen == b->caplen && a->wirelen == b->wirelen &&
	       a->ifindex == b->ifindex && a->linktype == b->linktype && a->digits == b->ts_digits &&
	       memcmp(a->bytes, b->data, a->caplen) == 0;
}

/* 1 when b is a; else why says the first difference. */
static int same(const struct result *a, const struct result *b, char *why, size_t wn)
{
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		const struct one *x = &a->v[i], *y = &b->v[i];
		if (x->off != y->off || x->ts != y->ts || x->caplen != y->caplen || x->wirelen != y->wirelen ||
		    x->ifindex != y->ifindex || x->linktype != y->linktype || x->digits != y->digits ||
		    memcmp(x->bytes, y->bytes, x->caplen)) {
			snprintf(why, wn, "record %zu differs: off %llu/%llu ts %lld/%lld caplen %u/%u wirelen %u/%u lt %u/%u if %u/%u",
				 i, (unsigned long long)x->off, (unsigned long long)y->off, (long long)x->ts, (long long)y->ts,
				 x->caplen, y->caplen, x->wirelen, y->wirelen, x->linktype, y->linktype, x->ifindex, y->ifindex);
			return 0;
		}
	}
	if (a->n != b->n) {
		snprintf(why, wn, "%zu records vs %zu (ended %d '%s' vs %d '%s')", a->n, b->n, a->rc, a->emsg, b->rc, b->emsg);
		return 0;
	}
	if (a->rc != b->rc || a->eoff != b->eoff || strcmp(a->emsg, b->emsg)) {
		snprintf(why, wn, "ends differ: %d at %lld '%s' vs %d at %lld '%s'", a->rc, (long long)a->eoff, a->emsg, b->rc,
			 (long long)b->eoff, b->emsg);
		return 0;
	}
	return 1;
}

static void drain(struct capfile *cf, struct result *r, struct err *e)
{
	struct cap_rec rec;
	int rc;
	while ((rc = capfile_next(cf, &rec, e)) == 1)
		add(r, &rec);
	finish(r, rc, e);
}

/* ------------------------------------------------------------ the ways of reading */

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("FAIL open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t cap = 1 << 16, len = 0;
	uint8_t *b = malloc(cap);
	size_t got;
	while ((got = fread(b + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*n = len;
	return b;
}

static void read_mapped(const char *path, struct result *r)
{
	struct capfile cf;
	struct err e;
	err_clear(&e);
	res_init(r);
	if (capfile_open(&cf, path, &e) < 0) {
		finish(r, -1, &e);
		return;
	}
	drain(&cf, r, &e);
	capfile_close(&cf);
}

/* capfile_open_mem over a copy at the end of a page (an over-read faults). */
static void read_mem(const char *name, const uint8_t *p, size_t n, struct result *r)
{
	void *map;
	size_t maplen;
	const uint8_t *q = guarded(p, n, &map, &maplen);
	struct capfile cf;
	struct err e;
	err_clear(&e);
	res_init(r);
	if (capfile_open_mem(&cf, name, q, n, &e) < 0)
		finish(r, -1, &e);
	else {
		drain(&cf, r, &e);
		capfile_close(&cf);
	}
	munmap(map, maplen);
}

/* Pushes p[0..n) in pieces ending at cuts[] (ascending, inside (0, n)), reading after
 * each piece until CAP_AGAIN. */
static void read_pushed(const char *name, const uint8_t *p, size_t n, const size_t *cuts, size_t ncuts, int spool,
			struct result *r)
{
	struct capfile cf;
	struct err e;
	err_clear(&e);
	res_init(r);
	struct cap_stream_opts o = { .spool = spool };
	capfile_open_push(&cf, name, &o, &e);
	size_t at = 0;
	int rc = CAP_AGAIN;
	struct cap_rec rec;
	for (size_t i = 0; i <= ncuts && rc == CAP_AGAIN; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		if (capfile_push(&cf, p + at, end - at, &e) < 0)
			break;
		at = end;
		while ((rc = capfile_next(&cf, &rec, &e)) == 1)
			add(r, &rec);
	}
	if (rc == CAP_AGAIN) {
		capfile_push_end(&cf);
		while ((rc = capfile_next(&cf, &rec, &e)) == 1)
			add(r, &rec);
	}
	finish(r, rc, &e);
	capfile_close(&cf);
}

/* A child writes p[0..n) into a pipe in pieces of 1..maxpiece bytes; we read it with
 * capfile_open_fd. With spool, every record is then read back by offset and the whole
 * stream again after a rewind, both compared with what was read. */
static void read_piped(const char *name, const uint8_t *p, size_t n, unsigned seed, size_t maxpiece, int spool,
		       struct result *r, char *why, size_t wn, int *back_ok)
{
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		exit(1);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		signal(SIGPIPE, SIG_DFL);
		unsigned s = seed;
		size_t at = 0;
		while (at < n) {
			s = s * 1103515245u + 12345u;
			size_t k = 1 + (s >> 8) % maxpiece;
			if (k > n - at)
				k = n - at;
			ssize_t w = write(fds[1], p + at, k);
			if (w <= 0)
				_exit(1);
			at += (size_t)w;
			if ((s >> 4) % 64 == 0)
				usleep(200); /* now and then let the reader find the pipe empty */
		}
		_exit(0);
	}
	close(fds[1]);
	struct capfile cf;
	struct err e;
	err_clear(&e);
	res_init(r);
	struct cap_stream_opts o = { .spool = spool };
	*back_ok = 1;
	if (capfile_open_fd(&cf, fds[0], name, &o, &e) < 0) {
		finish(r, -1, &e);
	} else {
		drain(&cf, r, &e);
		struct cap_rec rec;
		if (spool) {
			for (size_t i = 0; i < r->n && *back_ok; i++) {
				struct err e2;
				err_clear(&e2);
				if (capfile_read_at(&cf, r->v[i].off, &rec, &e2) != 1 || !same_rec(&r->v[i], &rec)) {
					snprintf(why, wn, "record %zu at %llu reads back differently: %s", i,
						 (unsigned long long)r->v[i].off, e2.msg);
					*back_ok = 0;
				}
			}
			if (*back_ok && capfile_rewind(&cf) == 0) {
				struct result again;
				struct err e3;
				err_clear(&e3);
				res_init(&again);
				drain(&cf, &again, &e3);
				if (!same(r, &again, why, wn)) {
					*back_ok = 0;
				}
				res_fini(&again);
			} else if (*back_ok) {
				snprintf(why, wn, "a spooled pipe does not rewind");
				*back_ok = 0;
			}
		}
		capfile_close(&cf);
	}
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------ the checks */

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Files up to this size are split at every byte; larger ones at SPLITS_RANDOM places. */
#define SPLIT_EVERY_MAX 20000
#define SPLITS_RANDOM 300

/* Every way of reading the bytes p[0..n) (named name) must give ref. */
static void all_ways(const char *label, const char *name, const uint8_t *p, size_t n, const struct result *ref,
		     int pipes)
{
	char why[1024] = "", tname[256];
	struct result r;
	int good = 1;

	/* two pieces, cut at every byte or at random places; spool on every other one */
	size_t ncut = n <= SPLIT_EVERY_MAX ? (n ? n - 1 : 0) : SPLITS_RANDOM;
	for (size_t i = 0; i < ncut && good; i++) {
		size_t cut = n <= SPLIT_EVERY_MAX ? i + 1 : 1 + rnd() % (n - 1);
		read_pushed(name, p, n, &cut, 1, (int)(i & 1), &r);
		if (!same(ref, &r, why, sizeof why)) {
			good = 0;
			char w2[1100];
			snprintf(w2, sizeof w2, "split at %zu: %s", cut, why);
			snprintf(why, sizeof why, "%s", w2);
		}
		res_fini(&r);
	}
	snprintf(tname, sizeof tname, "capture-split-%s", label);
	check(good, tname, why);

	/* many random pieces */
	good = 1;
	for (int round = 0; round < 20 && good && n > 1; round++) {
		size_t max = round < 10 ? 64 : 8192, k = 0, cap = n / 1 + 1;
		size_t *cuts = malloc(cap * sizeof *cuts);
		for (size_t at = 1 + rnd() % max; at < n; at += 1 + rnd() % max)
			cuts[k++] = at;
		read_pushed(name, p, n, cuts, k, round & 1, &r);
		if (!same(ref, &r, why, sizeof why))
			good = 0;
		res_fini(&r);
		free(cuts);
	}
	snprintf(tname, sizeof tname, "capture-pieces-%s", label);
	check(good, tname, why);

	/* one byte at a time */
	size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
	for (size_t i = 1; i < n; i++)
		cuts[i - 1] = i;
	read_pushed(name, p, n, cuts, n ? n - 1 : 0, 0, &r);
	free(cuts);
	snprintf(tname, sizeof tname, "capture-bytewise-%s", label);
	check(same(ref, &r, why, sizeof why), tname, why);
	res_fini(&r);

	if (!pipes)
		return;
	/* through a pipe, unspooled and spooled (then read back and rewound) */
	for (int spool = 0; spool < 2; spool++) {
		int back_ok;
		read_piped(name, p, n, 7 + (unsigned)spool, spool ? 4096 : 300, spool, &r, why, sizeof why, &back_ok);
		snprintf(tname, sizeof tname, "capture-pipe%s-%s", spool ? "-spool" : "", label);
		int ok1 = back_ok && same(ref, &r, why, sizeof why);
		check(ok1, tname, why);
		res_fini(&r);
	}
}

/* A capture file: mapped is the reference; from memory and every other way must agree. */
static void capture(const char *file, int pipes)
{
	char path[512], why[1024] = "", tname[256];
	snprintf(path, sizeof path, "tests/captures/%s", file);
	size_t n;
	uint8_t *p = slurp(path, &n);
	struct result ref, r;
	read_mapped(path, &ref);
	read_mem(path, p, n, &r);
	snprintf(tname, sizeof tname, "capture-mem-%s", file);
	check(same(&ref, &r, why, sizeof why), tname, why);
	res_fini(&r);
	all_ways(file, path, p, n, &ref, pipes);
	res_fini(&ref);
	free(p);
}

/* A good capture cut at many places: as a cut file (mapped from memory) and pushed,
 * the same records and the same "cut short" error. */
static void cuts(const char *file)
{
	char path[512], why[1024] = "", tname[256];
	snprintf(path, sizeof path, "tests/captures/%s", file);
	size_t n;
	uint8_t *p = slurp(path, &n);
	int good = 1;
	for (int k = 0; k < 40 && good; k++) {
		size_t len = k < 30 ? (size_t)k : rnd() % n;
		struct result ref, r;
		read_mem(path, p, len, &ref);
		size_t *cs = malloc((len ? len : 1) * sizeof *cs), m = 0;
		for (size_t at = 1 + rnd() % 97; at < len; at += 1 + rnd() % 97)
			cs[m++] = at;
		read_pushed(path, p, len, cs, m, k & 1, &r);
		if (!same(&ref, &r, why, sizeof why)) {
			good = 0;
			char w2[1100];
			snprintf(w2, sizeof w2, "cut at %zu: %s", len, why);
			snprintf(why, sizeof why, "%s", w2);
		}
		free(cs);
		res_fini(&ref);
		res_fini(&r);
	}
	snprintf(tname, sizeof tname, "capture-cut-%s", file);
	check(good, tname, why);
	free(p);
}

/* gzip'd with zlib into a temporary file: mapped .gz (inflated whole) must give the
 * records of the plain file, and so must the .gz bytes pushed and piped (inflated as
 * they come). */
static void gzipped(const char *file)
{
	char path[512], gzpath[512], why[1024] = "", tname[256];
	snprintf(path, sizeof path, "tests/captures/%s", file);
	const char *tmp = getenv("TMPDIR");
	snprintf(gzpath, sizeof gzpath, "%s/test-capture-%d-%s.gz", tmp && *tmp ? tmp : "/tmp", (int)getpid(), file);
	size_t n;
	uint8_t *p = slurp(path, &n);
	gzFile g = gzopen(gzpath, "wb9");
	gzwrite(g, p, (unsigned)n);
	gzclose(g);
	size_t gn;
	uint8_t *gp = slurp(gzpath, &gn);
	struct result ref, r;
	read_mapped(path, &ref);
	read_mapped(gzpath, &r);
	unlink(gzpath);
	/* the messages name the file: the .gz one has another name, so compare records */
	snprintf(tname, sizeof tname, "capture-gz-mapped-%s", file);
	int ok1 = r.n == ref.n && r.rc == 0;
	for (size_t i = 0; ok1 && i < r.n; i++)
		ok1 = r.v[i].off == ref.v[i].off && r.v[i].caplen == ref.v[i].caplen &&
		      memcmp(r.v[i].bytes, ref.v[i].bytes, r.v[i].caplen) == 0;
	snprintf(why, sizeof why, "%zu records (rc %d %s) vs %zu", r.n, r.rc, r.emsg, ref.n);
	check(ok1, tname, why);
	res_fini(&r);
	char label[300];
	snprintf(label, sizeof label, "gz-%s", file);
	all_ways(label, path, gp, gn, &ref, 1);
	res_fini(&ref);

	/* Cut .gz: mapped, it is inflated whole at open (which keeps the gzip error aside)
	 * and what was inflated is read; pushed, it stops at the cut. The same records. */
	int good = 1;
	for (size_t len = 11; len < gn && good; len += 1 + gn / 37) {
		struct result m, q;
		read_mem(path, gp, len, &m);
		size_t cs[3] = { len / 4, len / 2, len / 2 + 1 };
		read_pushed(path, gp, len, cs, 3, 0, &q);
		good = m.n == q.n && q.rc == -1;
		for (size_t i = 0; good && i < m.n; i++)
			good = m.v[i].off == q.v[i].off && m.v[i].caplen == q.v[i].caplen &&
			       memcmp(m.v[i].bytes, q.v[i].bytes, m.v[i].caplen) == 0;
		snprintf(why, sizeof why, "gz cut at %zu: %zu records mapped (%s), %zu pushed (rc %d %s)", len, m.n, m.emsg,
			 q.n, q.rc, q.emsg);
		res_fini(&m);
		res_fini(&q);
	}
	snprintf(tname, sizeof tname, "capture-gz-cut-%s", file);
	check(good, tname, why);
	free(p);
	free(gp);
}

/* ------------------------------------------------------------ pcapng made here */

struct nbuf {
	uint8_t *b;
	size_t n, cap;
	int be;
};

static void nput(struct nbuf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 256;
		b->b = realloc(b->b, b->cap);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void n32(struct nbuf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(b->be ? v >> (24 - 8 * i) : v >> (8 * i));
	nput(b, x, 4);
}

static void n16(struct nbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(b->be ? v >> 8 : v), (uint8_t)(b->be ? v : v >> 8) };
	nput(b, x, 2);
}

static void ng_shb(struct nbuf *b)
{
	n32(b, 0x0a0d0d0a), n32(b, 28), n32(b, 0x1a2b3c4d), n16(b, 1), n16(b, 0);
	n32(b, 0xffffffff), n32(b, 0xffffffff), n32(b, 28);
}

/* An IDB with if_tsresol (nanoseconds) when ns. */
static void ng_idb(struct nbuf *b, uint16_t lt, int ns)
{
	uint32_t len = 20 + (ns ? 12 : 0);
	n32(b, 1), n32(b, len), n16(b, lt), n16(b, 0), n32(b, 65535);
	if (ns) {
		uint8_t v[4] = { 9, 0, 0, 0 };
		n16(b, 9), n16(b, 1), nput(b, v, 4), n32(b, 0); /* if_tsresol = 9, opt_endofopt */
	}
	n32(b, len);
}

static void ng_epb(struct nbuf *b, uint32_t ifid, uint64_t ts, const uint8_t *d, uint32_t n)
{
	uint32_t pad = (4 - n % 4) % 4, len = 32 + n + pad;
	n32(b, 6), n32(b, len), n32(b, ifid), n32(b, (uint32_t)(ts >> 32)), n32(b, (uint32_t)ts), n32(b, n), n32(b, n);
	nput(b, d, n);
	uint8_t z[4] = { 0 };
	nput(b, z, pad);
	n32(b, len);
}

static void made_pcapng(void)
{
	uint8_t pkt[60];
	for (int i = 0; i < 60; i++)
		pkt[i] = (uint8_t)(i * 7);
	/* big-endian, two sections, interfaces with different resolutions */
	struct nbuf b = { 0 };
	b.be = 1;
	ng_shb(&b), ng_idb(&b, 1, 0), ng_idb(&b, 101, 1);
	ng_epb(&b, 0, 1700000000000000ull, pkt, 60), ng_epb(&b, 1, 1700000000000000123ull, pkt, 33);
	ng_shb(&b), ng_idb(&b, 113, 1), ng_epb(&b, 0, 1700000001000000000ull, pkt, 17);
	struct result ref;
	read_mem("made-be.pcapng", b.b, b.n, &ref);
	char why[256];
	snprintf(why, sizeof why, "%zu records, rc %d %s", ref.n, ref.rc, ref.emsg);
	check(ref.n == 3 && ref.rc == 0 && ref.v[1].linktype == 101 && ref.v[1].ts == 1700000000000000123ll &&
		      ref.v[2].ifindex == 2 && ref.v[2].linktype == 113 && ref.v[0].ts == 1700000000000000000ll,
	      "capture-pcapng-big-endian-read", why);
	all_ways("made-be.pcapng", "made-be.pcapng", b.b, b.n, &ref, 1);
	res_fini(&ref);
	free(b.b);

	/* Repeated sections: a pipe without a spool keeps one section and its interfaces;
	 * with one, every section that has a packet (and none that is empty). */
	struct nbuf s = { 0 };
	ng_shb(&s), ng_idb(&s, 1, 0), ng_epb(&s, 0, 1, pkt, 20);
	for (int i = 0; i < 3000; i++)
		ng_shb(&s); /* empty sections: never kept */
	for (int i = 0; i < 2000; i++)
		ng_shb(&s), ng_idb(&s, 1, 0), ng_idb(&s, 1, 0), ng_epb(&s, 1, (uint64_t)i, pkt, 20);
	for (int spool = 0; spool < 2; spool++) {
		struct capfile cf;
		struct err e;
		err_clear(&e);
		struct cap_stream_opts o = { .spool = spool };
		capfile_open_push(&cf, "repeated-shb", &o, &e);
		size_t max_sections = 0, max_ifaces = 0, nrec = 0;
		uint32_t last_if = 0;
		struct cap_rec rec;
		int rc = CAP_AGAIN;
		for (size_t at = 0; at < s.n && rc == CAP_AGAIN; at += 1000) {
			size_t k = s.n - at < 1000 ? s.n - at : 1000;
			capfile_push(&cf, s.b + at, k, &e);
			while ((rc = capfile_next(&cf, &rec, &e)) == 1) {
				nrec++;
				last_if = rec.ifindex;
			}
			if (cf.n_sections > max_sections)
				max_sections = cf.n_sections;
			if (cf.n_ifaces - cf.if_base > max_ifaces)
				max_ifaces = cf.n_ifaces - cf.if_base;
		}
		capfile_push_end(&cf);
		rc = capfile_next(&cf, &rec, &e);
		snprintf(why, sizeof why, "rc %d (%s), %zu records, last interface %u, up to %zu sections and %zu interfaces kept",
			 rc, e.msg, nrec, last_if, max_sections, max_ifaces);
		if (spool)
			check(rc == 0 && nrec == 2001 && last_if == 4000 && max_sections == 2001 && max_ifaces == 4001,
			      "capture-pcapng-repeated-shb-spooled-keeps-sections-with-packets", why);
		else
			check(rc == 0 && nrec == 2001 && last_if == 4000 && max_sections == 1 && max_ifaces <= 2,
			      "capture-pcapng-repeated-shb-unspooled-bounded", why);
		capfile_close(&cf);
	}
	free(s.b);
}

/* ------------------------------------------------------------ stream behaviour */

static void on_alarm(int sig)
{
	static const char m[] = "FAIL capture-pipe-first-record-before-the-rest: no record after 20 s: "
				"the reader waits for the end of the pipe\n";
	(void)sig;
	if (write(1, m, sizeof m - 1) < 0)
		_exit(2);
	_exit(1);
}

/* The first record is handed out while the writer is still waiting to write the next:
 * a reader that waited for the end would never get it (alarm ends the test). */
static void incremental_pipe(void)
{
	size_t n;
	uint8_t *p = slurp("tests/captures/tcp-4pkt-close-http-get.pcap", &n);
	size_t first_end = 24 + 16 + (p[32] | p[33] << 8 | (size_t)p[34] << 16 | (size_t)p[35] << 24);
	int data[2], ack[2];
	if (pipe(data) < 0 || pipe(ack) < 0)
		exit(1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(data[0]);
		close(ack[1]);
		if (write(data[1], p, first_end) != (ssize_t)first_end)
			_exit(1);
		char c;
		if (read(ack[0], &c, 1) != 1) /* until the reader has the first record */
			_exit(1);
		if (write(data[1], p + first_end, n - first_end) != (ssize_t)(n - first_end))
			_exit(1);
		_exit(0);
	}
	close(data[1]);
	close(ack[0]);
	fflush(stdout);
	signal(SIGALRM, on_alarm);
	alarm(20);
	struct capfile cf;
	struct err e;
	err_clear(&e);
	struct cap_stream_opts o = { 0 };
	int rc = capfile_open_fd(&cf, data[0], "pipe", &o, &e);
	struct cap_rec rec;
	int got = rc == 0 ? capfile_next(&cf, &rec, &e) : -1;
	check(got == 1 && rec.off == 24, "capture-pipe-first-record-before-the-rest", e.msg);
	if (write(ack[1], "k", 1) != 1)
		exit(1);
	size_t more = 0;
	while (got == 1 && (rc = capfile_next(&cf, &rec, &e)) == 1)
		more++;
	check(more == 15 && rc == 0, "capture-pipe-rest-after-ack", e.msg);
	/* no spool: read back is refused, clearly */
	struct err e2;
	err_clear(&e2);
	rc = capfile_read_at(&cf, 24, &rec, &e2);
	check(rc == -1 && strstr(e2.msg, "not kept: reading from a pipe without a spool") &&
		      capfile_rewind(&cf) == -1,
	      "capture-pipe-unspooled-read-at-not-kept", e2.msg);
	alarm(0);
	capfile_close(&cf);
	close(data[0]);
	close(ack[1]);
	waitpid(pid, NULL, 0);
	free(p);
}

/* Standard input that is a regular file is mapped; a mapped capture and a pushed
 * spooled one rewind; a push queue refuses more than CAP_PUSH_MAX waiting. */
static void misc(void)
{
	const char *path = "tests/captures/pcapng-two-interfaces-udp.pcapng";
	int fd = open(path, O_RDONLY);
	struct capfile cf;
	struct err e;
	err_clear(&e);
	struct result a, b;
	res_init(&a);
	res_init(&b);
	if (capfile_open_fd(&cf, fd, path, NULL, &e) == 0) {
		check(cf.st == NULL && cf.owner == 1, "capture-regular-fd-is-mapped", "a regular file was not mapped");
		drain(&cf, &a, &e);
		check(capfile_rewind(&cf) == 0, "capture-mapped-rewind", "");
		err_clear(&e);
		drain(&cf, &b, &e);
		char why[512] = "";
		check(a.n > 0 && same(&a, &b, why, sizeof why), "capture-mapped-rewind-same", why);
		/* read back after the rewind, of records the second walk has passed or not */
		int good = 1;
		for (size_t i = 0; i < a.n; i++) {
			struct cap_rec rec;
			struct err e2;
			err_clear(&e2);
			good &= capfile_read_at(&cf, a.v[i].off, &rec, &e2) == 1 && same_rec(&a.v[i], &rec);
		}
		check(good, "capture-mapped-read-at", "");
		capfile_close(&cf);
	} else {
		check(0, "capture-regular-fd-is-mapped", e.msg);
	}
	res_fini(&a);
	res_fini(&b);
	close(fd);

	/* pushed with a spool: rewind, read again, and read back in the middle */
	size_t n;
	uint8_t *p = slurp(path, &n);
	struct cap_stream_opts o = { .spool = 1 };
	err_clear(&e);
	capfile_open_push(&cf, path, &o, &e);
	capfile_push(&cf, p, n / 2, &e);
	res_init(&a);
	struct cap_rec rec;
	int rc;
	while ((rc = capfile_next(&cf, &rec, &e)) == 1)
		add(&a, &rec);
	size_t before = a.n;
	int rw = capfile_rewind(&cf);
	res_init(&b);
	while ((rc = capfile_next(&cf, &rec, &e)) == 1)
		add(&b, &rec);
	int again = rc == CAP_AGAIN && b.n == before;
	capfile_push(&cf, p + n / 2, n - n / 2, &e);
	capfile_push_end(&cf);
	while ((rc = capfile_next(&cf, &rec, &e)) == 1)
		add(&b, &rec);
	finish(&b, rc, &e);
	struct result ref;
	read_mapped(path, &ref);
	char why[512] = "";
	check(rw == 0 && again && rc == 0 && same(&ref, &b, why, sizeof why) && before > 0 && before < ref.n,
	      "capture-push-spool-rewind-midway", why);
	int good = 1;
	for (size_t i = 0; i < ref.n; i++) {
		struct err e2;
		err_clear(&e2);
		good &= capfile_read_at(&cf, ref.v[i].off, &rec, &e2) == 1 && same_rec(&ref.v[i], &rec);
	}
	check(good, "capture-push-spool-read-at", "");
	capfile_close(&cf);
	res_fini(&a);
	res_fini(&b);
	res_fini(&ref);
	free(p);

	/* the push queue's limit, and pushing after the end */
	err_clear(&e);
	capfile_open_push(&cf, "big", NULL, &e);
	uint8_t *big = calloc(1, CAP_PUSH_MAX + 1);
	rc = capfile_push(&cf, big, CAP_PUSH_MAX + 1, &e);
	check(rc == -1 && strstr(e.msg, "may wait"), "capture-push-queue-limit", e.msg);
	err_clear(&e);
	capfile_push_end(&cf);
	rc = capfile_push(&cf, big, 1, &e);
	check(rc == -1 && strstr(e.msg, "after the end"), "capture-push-after-end", e.msg);
	free(big);
	capfile_close(&cf);

	/* a spool that cannot be made fails the open, before anything is read */
	{
		int fds[2];
		if (pipe(fds) < 0)
			exit(1);
		const char *old = getenv("TMPDIR");
		char *keep = old ? strdup(old) : NULL;
		setenv("TMPDIR", "/nonexistent-dir-for-test", 1);
		struct cap_stream_opts so = { .spool = 1 };
		err_clear(&e);
		rc = capfile_open_fd(&cf, fds[0], "pipe", &so, &e);
		if (keep)
			setenv("TMPDIR", keep, 1);
		else
			unsetenv("TMPDIR");
		free(keep);
		check(rc == -1 && strstr(e.msg, "cannot make a spool file in /nonexistent-dir-for-test"),
		      "capture-spool-cannot-be-made", e.msg);
		close(fds[0]);
		close(fds[1]);
	}

	/* a push source that has not seen its header yet */
	err_clear(&e);
	capfile_open_push(&cf, "empty", NULL, &e);
	rc = capfile_next(&cf, &rec, &e);
	int fmt = cf.format;
	capfile_push_end(&cf);
	int rc2 = capfile_next(&cf, &rec, &e);
	check(rc == CAP_AGAIN && fmt == 0 && rc2 == -1 && strstr(e.msg, "offset 0: empty file"), "capture-push-empty",
	      e.msg);
	capfile_close(&cf);
}

/* Rewinding a followed file (plain: pread again; gzip'd: inflated again from the start,
 * no spool), and walking again the way cli/packet.c does today: setting cf->pos to the
 * first record (and, for pcapng, emptying the tables). Each walk must equal the mapped. */
static void rewinds(const char *file, int gz)
{
	char path[512], src[512], why[1024] = "", tname[256];
	snprintf(src, sizeof src, "tests/captures/%s", file);
	const char *tmp = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/test-capture-rw-%d-%s%s", tmp && *tmp ? tmp : "/tmp", (int)getpid(), file,
		 gz ? ".gz" : "");
	size_t n;
	uint8_t *p = slurp(src, &n);
	if (gz) {
		gzFile g = gzopen(path, "wb6");
		gzwrite(g, p, (unsigned)n);
		gzclose(g);
	} else {
		FILE *f = fopen(path, "wb");
		fwrite(p, 1, n, f);
		fclose(f);
	}
	struct result ref;
	read_mapped(src, &ref);
	for (int followed = 0; followed < 2; followed++) {
		struct capfile cf;
		struct err e;
		err_clear(&e);
		struct cap_stream_opts o = { .follow = followed, .idle_ns = 20 * 1000000 };
		int good = capfile_open_opts(&cf, path, &o, &e) == 0;
		for (int walk = 0; walk < 3 && good; walk++) {
			if (walk == 1)
				good = capfile_rewind(&cf) == 0;
			if (walk == 2) { /* as cli/packet.c */
				cf.pos = cf.format == CAP_PCAP ? 24 : 0;
				if (cf.format == CAP_PCAPNG) {
					cf.n_ifaces = 0;
					cf.n_sections = 0;
				}
			}
			struct result r;
			res_init(&r);
			err_clear(&e);
			drain(&cf, &r, &e);
			/* the messages name the file: compare records and how it ended */
			good = good && r.n == ref.n && r.rc == 0;
			for (size_t i = 0; good && i < r.n; i++) {
				struct cap_rec rec;
				rec.off = r.v[i].off, rec.ts_ns = r.v[i].ts, rec.caplen = r.v[i].caplen;
				rec.wirelen = r.v[i].wirelen, rec.ifindex = r.v[i].ifindex, rec.linktype = r.v[i].linktype;
				rec.ts_digits = r.v[i].digits, rec.data = r.v[i].bytes;
				good = same_rec(&ref.v[i], &rec);
			}
			snprintf(why, sizeof why, "%s walk %d: %zu records (rc %d %s), mapped %zu",
				 followed ? "followed" : "mapped", walk, r.n, r.rc, r.emsg, ref.n);
			res_fini(&r);
		}
		if (good && !(gz && followed)) { /* read back; a followed .gz has no spool here */
			for (size_t i = 0; i < ref.n && good; i++) {
				struct cap_rec rec;
				struct err e2;
				err_clear(&e2);
				good = capfile_read_at(&cf, ref.v[i].off, &rec, &e2) == 1 && same_rec(&ref.v[i], &rec);
				snprintf(why, sizeof why, "read back of record %zu: %s", i, e2.msg);
			}
		}
		if (good && gz && followed) {
			struct cap_rec rec;
			struct err e2;
			err_clear(&e2);
			good = capfile_read_at(&cf, ref.v[0].off, &rec, &e2) == -1 && strstr(e2.msg, "only with a spool");
			snprintf(why, sizeof why, "read back of a followed .gz without a spool: %s", e2.msg);
		}
		snprintf(tname, sizeof tname, "capture-rewind-%s-%s%s", followed ? "followed" : "mapped", file,
			 gz ? ".gz" : "");
		check(good, tname, why);
		capfile_close(&cf);
	}
	unlink(path);
	res_fini(&ref);
	free(p);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	/* small: split at every byte */
	capture("sll-tcp-handshake-nanosecond.pcap", 1);  /* pcap, nanoseconds */
	capture("tcp-4pkt-close-http-get.pcap", 1);       /* pcap, microseconds */
	capture("bigendian-pcap-pptp.pcap", 1);           /* pcap, big-endian */
	capture("pcapng-two-interfaces-udp.pcapng", 1);   /* pcapng, two interfaces */
	capture("http-png-download.pcapng", 1);
	capture("redis-pipelining-ipv6-null.pcap", 1);
	/* larger: random splits */
	capture("snaplen-cut-bulk-transfer.pcap", 1);
	capture("sll2-http-download.pcap", 1);
	/* damaged */
	capture("bad/bad-pcapng-shb-option-too-long.pcapng", 1);
	capture("bad/bad-pcapng-shb-version.pcapng", 1);
	capture("bad/corrupt-record-after-18-packets.pcap", 1);
	capture("bad/empty-header-only.pcap", 1);
	capture("bad/tcp-zero-window-probes-http-cut-short.pcap", 1);
	cuts("tcp-4pkt-close-http-get.pcap");
	cuts("sll-tcp-handshake-nanosecond.pcap");
	cuts("pcapng-two-interfaces-udp.pcapng");
	cuts("http-png-download.pcapng");
	cuts("bigendian-pcap-pptp.pcap");
	gzipped("tcp-4pkt-close-http-get.pcap");
	gzipped("pcapng-two-interfaces-udp.pcapng");
	made_pcapng();
	incremental_pipe();
	misc();
	rewinds("tcp-4pkt-close-http-get.pcap", 0);
	rewinds("tcp-4pkt-close-http-get.pcap", 1);
	rewinds("pcapng-two-interfaces-udp.pcapng", 0);
	rewinds("pcapng-two-interfaces-udp.pcapng", 1);
	rewinds("http-png-download.pcapng", 0);
	return fails ? 1 : 0;
}
