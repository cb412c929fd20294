/* harness.h: what the decoder unit tests share: ok/FAIL lines, inputs placed at the end
 * of a page followed by an unreadable page (an over-read faults at once, sanitizers or
 * not), and the "whole vs split at every byte" comparison: where TCP cut a stream must
 * not change what is decoded. Included by tests/unit/test_*.c. */
#ifndef CHATTCP_TEST_HARNESS_H
#define CHATTCP_TEST_HARNESS_H

#include "base/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fails;

static inline void check(int cond, const char *name, const char *why)
{
	if (cond)
		printf("ok %s\n", name);
	else {
		printf("FAIL %s: %s\n", name, why);
		fails++;
	}
}

/* Copies p[0..n) to the end of a readable page followed by an unreadable one. */
static inline uint8_t *guarded(const void *p, size_t n, void **map, size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (n + pg - 1) / pg + 1;
	uint8_t *m = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	mprotect(m + (pages - 1) * pg, pg, PROT_NONE);
	uint8_t *q = m + (pages - 1) * pg - n;
	if (n)
		memcpy(q, p, n);
	*map = m;
	*maplen = pages * pg;
	return q;
}

/* Appends side dir's bytes p[0..n) to the chunk lists as one segment, or as two when
 * 0 < cut < n; returns the new count (the lists need room for two more). */
static inline size_t harness_cut(const uint8_t *p, size_t n, size_t cut, int dir, const uint8_t **ch, size_t *len,
				 int *dirs, size_t k)
{
	if (!n)
		return k;
	size_t first = cut && cut < n ? cut : n;
	ch[k] = p, len[k] = first, dirs[k++] = dir;
	if (first < n)
		ch[k] = p + first, len[k] = n - first, dirs[k++] = dir;
	return k;
}

static inline void has(const struct strbuf *b, const char *needle, const char *name)
{
	char why[6000];
	snprintf(why, sizeof why, "expected '%s' in:\n%s", needle, b->s ? b->s : "");
	check(b->s && strstr(b->s, needle) != NULL, name, why);
}

static inline void lacks(const struct strbuf *b, const char *needle, const char *name)
{
	char why[6000];
	snprintf(why, sizeof why, "did not expect '%s' in:\n%s", needle, b->s ? b->s : "");
	check(!b->s || strstr(b->s, needle) == NULL, name, why);
}

/* Decodes client bytes c and server bytes s, each cut in two at cut_c / cut_s (0 =
 * whole), and appends a text digest of the messages to out. */
typedef void (*harness_run_fn)(const char *proto, const uint8_t *c, size_t nc, size_t cut_c, const uint8_t *s,
			       size_t ns, size_t cut_s, struct strbuf *out);

/* Whole vs every split of each side must give the same digest; the whole one is left
 * in *whole for further checks. */
static inline void harness_splits(const char *name, harness_run_fn run, const char *proto, const void *cs, size_t nc,
				  const void *ss, size_t ns, struct strbuf *whole)
{
	void *m1, *m2;
	size_t l1, l2;
	const uint8_t *c = guarded(cs, nc, &m1, &l1);
	const uint8_t *s = guarded(ss, ns, &m2, &l2);
	sb_reset(whole);
	run(proto, c, nc, 0, s, ns, 0, whole);
	struct strbuf t;
	sb_init(&t);
	int good = 1;
	char why[6000] = "";
	for (int side = 0; side < 2 && good; side++) {
		size_t n = side ? ns : nc;
		for (size_t cut = 1; cut < n && good; cut++) {
			sb_reset(&t);
			run(proto, c, nc, side ? 0 : cut, s, ns, side ? cut : 0, &t);
			if (t.len != whole->len || memcmp(t.s, whole->s, t.len)) {
				good = 0;
				snprintf(why, sizeof why, "%s split at byte %zu decodes differently:\n%s\nvs whole:\n%s",
					 side ? "server" : "client", cut, t.s ? t.s : "", whole->s ? whole->s : "");
			}
		}
	}
	check(good, name, why);
	sb_fini(&t);
	munmap(m1, l1);
	munmap(m2, l2);
}

#endif
