/* xalloc.c: see xalloc.h. Live bytes are counted with malloc_usable_size (glibc), so
 * no header is added to each block. */
#include "xalloc.h"

#include "exitcodes.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The current allocation domain of this thread. Thread-local by necessity: the
 * allocator is called from deep inside decoders that know nothing of sessions. It is
 * the one piece of mutable state outside a struct (source-rules allows it by name). */
static _Thread_local struct xmem *xmem_cur_domain;

struct xmem *xmem_current(void) { return xmem_cur_domain; }

void xmem_enter(struct xmem *m, jmp_buf *on_fail)
{
	m->prev = xmem_cur_domain;
	m->on_fail = on_fail;
	xmem_cur_domain = m;
}

void xmem_leave(struct xmem *m)
{
	if (xmem_cur_domain == m)
		xmem_cur_domain = m->prev;
	m->on_fail = NULL;
	m->prev = NULL;
}

static void fail(size_t n, int over_limit)
{
	struct xmem *m = xmem_cur_domain;
	if (m && m->on_fail) {
		m->failed = 1;
		m->failed_size = n;
		m->over_limit = over_limit;
		jmp_buf *jb = m->on_fail;
		/* Leave before jumping: the entry point's handler runs outside the domain. */
		xmem_cur_domain = m->prev;
		m->on_fail = NULL;
		longjmp(*jb, 1);
	}
	fprintf(stderr, "chattcp: out of memory (asked for %zu bytes)\n", n);
	exit(EXIT_SYSTEM);
}

/* 1 when n more bytes would take the current domain past its limit. */
static int over(size_t n)
{
	struct xmem *m = xmem_cur_domain;
	return m && m->limit && (n > m->limit || m->used > m->limit - n);
}

static void count_in(void *p)
{
	struct xmem *m = xmem_cur_domain;
	if (!m || !p)
		return;
	m->used += malloc_usable_size(p);
	if (m->used > m->peak)
		m->peak = m->used;
}

static void count_out(void *p)
{
	struct xmem *m = xmem_cur_domain;
	if (!m || !p)
		return;
	size_t k = malloc_usable_size(p);
	/* A block allocated outside this domain and freed inside it must not wrap the count. */
	m->used = m->used > k ? m->used - k : 0;
}

void *xmalloc(size_t n)
{
	if (over(n))
		fail(n, 1);
	void *p = malloc(n ? n : 1);
	if (!p)
		fail(n, 0);
	count_in(p);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	size_t bytes;
	if (__builtin_mul_overflow(n, size, &bytes))
		fail((size_t)-1, 0);
	if (over(bytes))
		fail(bytes, 1);
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fail(bytes, 0);
	count_in(p);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	if (n > old && over(n - old))
		fail(n, 1);
	/* Count the old block out only once realloc succeeded: on failure it is still ours. */
	void *q = realloc(p, n ? n : 1);
	if (!q)
		fail(n, 0);
	struct xmem *m = xmem_cur_domain;
	if (m) {
		m->used = m->used > old ? m->used - old : 0;
		count_in(q);
	}
	return q;
}

void xfree(void *p)
{
	if (!p)
		return;
	count_out(p);
	free(p);
}

void xgrow(void *pp, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	/* The first block holds 16 elements or 64 bytes, whichever is less (at least
	 * one): many arrays stay at one or two entries per connection (reassembly's
	 * frame map of a one-segment stream), and 16 entries of 24 bytes each would be
	 * most of what an idle connection costs. */
	size_t ncap = *cap ? *cap : (size >= 64 ? 1 : size > 4 ? 64 / size : 16);
	while (ncap < need) {
		if (ncap > ((size_t)-1) / 2)
			fail((size_t)-1, 0);
		ncap *= 2;
	}
	size_t bytes;
	if (__builtin_mul_overflow(ncap, size, &bytes))
		fail((size_t)-1, 0);
	void **p = pp;
	*p = xrealloc(*p, bytes);
	*cap = ncap;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

char *xstrndup(const char *s, size_t n)
{
	if (n == (size_t)-1)
		fail(n, 0);
	char *d = xmalloc(n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void *xmem_lib_alloc(size_t n)
{
	if (over(n))
		return NULL;
	void *p = malloc(n ? n : 1);
	count_in(p);
	return p;
}

void xmem_lib_free(void *p)
{
	if (!p)
		return;
	count_out(p);
	free(p);
}
