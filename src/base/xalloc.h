/* xalloc.h: allocation that never hands NULL to its caller, size math that cannot
 * overflow, and the memory domain a session's allocations are counted in.
 *
 * Out of memory is not something a decoder can explain, so the x* functions do not
 * return NULL. What happens instead depends on who is running:
 *   - inside a session call (a struct xmem is current, see xmem_enter), a failed
 *     allocation, or one that would take the domain past its limit, jumps back to
 *     the session's entry point: the session call returns an error and the session
 *     is marked failed. The process goes on (a server must survive one bad capture).
 *   - outside any domain (option parsing, rendering in cli/), it prints one line and
 *     exits with EXIT_SYSTEM, as a command-line tool should.
 *
 * Everything allocated with x* must be freed with xfree (never free), so a domain's
 * count of live bytes stays true; source-rules checks it. */
#ifndef CHATTCP_XALLOC_H
#define CHATTCP_XALLOC_H

#include <setjmp.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* NULL is a no-op. */
void xfree(void *p);
/* Grows *p (an array of *cap elements of `size` bytes) to hold at least `need`, doubling;
 * *cap stays a power of two when it starts at 0 or at one. */
void xgrow(void *pp, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
/* A NUL-terminated copy of s[0..n) (s may hold NUL bytes; the copy is cut there by
 * readers that treat it as a C string). */
char *xstrndup(const char *s, size_t n);

/* An allocation domain: the bytes live in it and the most it may hold. */
struct xmem {
	size_t used, peak;
	size_t limit;         /* 0: no limit but the system's */
	int failed;           /* an allocation failed (or passed limit): see failed_size */
	size_t failed_size;
	int over_limit;       /* 1 when it was the limit, 0 when the system refused */
	jmp_buf *on_fail;     /* where a failure jumps (set by xmem_enter's caller) */
	struct xmem *prev;    /* the domain that was current before xmem_enter */
};

/* Makes m the current domain of this thread until xmem_leave(m). Calls nest (a
 * session called from inside another's callback): leave restores the previous one.
 * Use through a setjmp at the entry point of every session call:
 *
 *	jmp_buf jb;
 *	if (setjmp(jb)) { xmem_leave(&s->mem); return fail(s); }
 *	xmem_enter(&s->mem, &jb);
 *	... work ...
 *	xmem_leave(&s->mem);
 */
void xmem_enter(struct xmem *m, jmp_buf *on_fail);
void xmem_leave(struct xmem *m);
/* The current domain of this thread, or NULL. */
struct xmem *xmem_current(void);

/* For the compression libraries' allocator hooks (zlib zalloc, brotli, zstd
 * customMem): counted in the current domain like x*, but a failure returns NULL
 * (the library reports its own out-of-memory error) instead of jumping. */
void *xmem_lib_alloc(size_t n);
void xmem_lib_free(void *p);

#endif
