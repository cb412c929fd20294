/* xalloc.h: allocation that cannot return NULL and size math that cannot overflow.
 * Running out of memory is not something chattcp can explain or recover from,
 * so these print one line and exit with EXIT_SYSTEM. */
#ifndef CHATTCP_XALLOC_H
#define CHATTCP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of `size` bytes) to hold at least `need`. */
void xgrow(void *pp, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);

#endif
