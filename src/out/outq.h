/* outq.h: the output of a batch command that prints connection by connection, in
 * connection order, while the session streams: each connection's text is added as
 * its records are made (in any order across connections, each record with a key that
 * orders it within its connection), and the connection is said done when nothing
 * more of it follows. A connection is printed as soon as it and every connection
 * before it are done; until then its text is held, in memory up to OUTQ_MEM_MAX and
 * past that in an unlinked temporary file in $TMPDIR (or /tmp), which goes with the
 * process whatever happens (exit, signal, crash). So memory stays bounded whatever
 * the capture, and the output is byte for byte what printing after the end gives.
 *
 * Connections are named by a 64-bit order key (the TCP id; UDP ids after every TCP
 * one: OUTQ_UDP + id). The keys below OUTQ_UDP are dense from 0: the queue prints
 * connection k when 0..k are done; the rest wait for outq_finish.
 *
 * Ownership: the queue copies what it is given. Errors (the temporary file cannot be
 * made or written: a full disk) are sticky: outq_error() says why in one line, the
 * queue stops holding text and prints nothing more. */
#ifndef CHATTCP_OUTQ_H
#define CHATTCP_OUTQ_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of text held in memory (all connections, as allocated) before it is written
 * to the temporary file: most captures' listings never get there, and it is small next
 * to the session's own memory (the commands' target is 150 MB on a 1.8 GB capture).
 * Past it the user sees nothing but a temporary file in TMPDIR, as big as the text
 * held; when that cannot be written, the command stops printing and exits 3 with
 * one line saying so (outq_error). */
#define OUTQ_MEM_MAX ((size_t)16 << 20)

/* Order keys of UDP conversations start here (they print after every TCP connection). */
#define OUTQ_UDP ((uint64_t)1 << 32)

struct outq;

/* A queue that prints through emit(ctx, p, n); mem_max 0 means OUTQ_MEM_MAX, or the
 * environment's CHATTCP_OUTQ_MAX (bytes; for tests: 1 sends every record to the file). */
struct outq *outq_new(size_t mem_max, void (*emit)(void *ctx, const char *p, size_t n), void *ctx);
/* Adds text p[0..n) to connection conn, ordered within it by key (equal keys keep the
 * order they came in). */
void outq_add(struct outq *q, uint64_t conn, uint64_t key, const char *p, size_t n);
/* Connection conn is done: its text is printed between head and tail (either may be
 * NULL) as soon as every connection before it is done. */
void outq_done(struct outq *q, uint64_t conn, const char *head, size_t n_head, const char *tail, size_t n_tail);
/* Prints every connection still held, in order (done or not). Returns 0, or -1 on an
 * error (outq_error). */
int outq_finish(struct outq *q);
/* NULL, or the one line that says why the queue stopped. */
const char *outq_error(const struct outq *q);
/* Bytes written to the temporary file so far, and the most held in memory at once. */
uint64_t outq_spilled(const struct outq *q);
size_t outq_peak(const struct outq *q);
void outq_free(struct outq *q);

#endif
