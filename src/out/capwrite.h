/* capwrite.h: writing records, as read, to a new capture (chattcp extract): pcap or
 * pcapng, to a file or standard output. Each record keeps its bytes, captured and wire
 * lengths and time; pcapng gets one interface block per input interface a record came
 * from (numbered in order of first use), pcap one link type (a second one is an error
 * that says to write pcapng), to a file, standard output or memory. Errors fill a struct err and never print. */
#ifndef CHATTCP_CAPWRITE_H
#define CHATTCP_CAPWRITE_H

#include "../base/err.h"
#include "../base/strbuf.h"
#include "../capture/capfile.h"

#include <stdint.h>

struct capwrite;

/* path "-": standard output (not closed). NULL with e set when it cannot be opened. */
struct capwrite *capwrite_open(const char *path, int pcapng, struct err *e);
/* The same bytes appended to to (the web UI's "download as pcap"; to stays the
 * caller's). Never fails to open. */
struct capwrite *capwrite_open_mem(struct strbuf *to, int pcapng);
/* Appends record r. 0, or -1 with e set (later calls fail too). */
int capwrite_rec(struct capwrite *w, const struct cap_rec *r, struct err *e);
/* Records and captured bytes written so far. */
uint64_t capwrite_records(const struct capwrite *w);
uint64_t capwrite_bytes(const struct capwrite *w);
/* Writes what is held (a valid empty capture when nothing was), closes, frees. 0, or -1
 * with e set. */
int capwrite_close(struct capwrite *w, struct err *e);

#endif
