/* pcapng_write.h: writing pcapng (draft-ietf-opsawg-pcapng): the blocks a live capture
 * is made of, and the file (or ring of files) they go to.
 *
 * A live capture is turned into pcapng blocks once: the same bytes are pushed into the
 * session (what is shown live) and written with --write (what `chat FILE` shows later),
 * so the two cannot disagree. Blocks are little-endian whatever the host, with one
 * interface whose if_tsresol is 9 (nanoseconds), as `tcpdump --time-stamp-precision nano`
 * writes them and every pcapng reader takes.
 *
 * Errors fill a struct err (EXIT_SYSTEM with the file name and strerror) and never
 * print. */
#ifndef CHATTCP_PCAPNG_WRITE_H
#define CHATTCP_PCAPNG_WRITE_H

#include "../base/err.h"
#include "../base/strbuf.h"

#include <stdint.h>
#include <stdio.h>

/* Appends a Section Header Block (version 1.0, section length unknown) whose
 * shb_userappl option names the writer (app may be NULL). */
void pcapng_put_shb(struct strbuf *b, const char *app);
/* Appends an Interface Description Block: link type, snaplen, if_name (may be NULL),
 * if_tsresol 9. */
void pcapng_put_idb(struct strbuf *b, uint16_t linktype, uint32_t snaplen, const char *if_name);
/* Appends an Enhanced Packet Block of interface ifid: ts_ns since the epoch (a
 * negative one is written as 0), caplen captured bytes of a wirelen-byte packet. */
void pcapng_put_epb(struct strbuf *b, uint32_t ifid, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
		    uint32_t wirelen);

/* What an Interface Statistics Block (section 4.6) says: the capture agent sends one
 * a second so its client knows the drops (and a dead client is noticed). */
struct pcapng_isb {
	uint64_t ifrecv;   /* isb_ifrecv: packets the filter passed (pcap_stats ps_recv) */
	uint64_t ifdrop;   /* isb_ifdrop: dropped by the interface or its driver (ps_ifdrop) */
	uint64_t osdrop;   /* isb_osdrop: dropped by the kernel, its buffer full (ps_drop) */
	uint64_t usrdeliv; /* isb_usrdeliv: packets handed to the client so far */
};
/* Appends an Interface Statistics Block of interface ifid at ts_ns with the four
 * counters as options. */
void pcapng_put_isb(struct strbuf *b, uint32_t ifid, int64_t ts_ns, const struct pcapng_isb *st);

/* Files in a ring: at most this many (5-digit names, FILE_00001.pcapng ...), so a
 * typo cannot fill a directory with millions of files. */
#define PCAPNG_RING_FILES_MAX 100000
/* The largest file of a ring, in MiB (--ring-size): 1 TiB, past any file system's
 * sensible single capture; a ring of N files holds at most N times this. */
#define PCAPNG_RING_MB_MAX ((uint64_t)1 << 20)

/* Where the blocks go: one file, or a ring of files each starting with the same
 * section and interface blocks. */
struct pcapng_out {
	char *path;            /* as given (one file), or the ring's FILE of FILE_00001.pcapng */
	char *cur_name;        /* the file being written */
	FILE *f;
	unsigned ring_files;   /* 0: one file */
	uint64_t ring_bytes;   /* a ring's file size limit */
	uint64_t seq;          /* number of the file being written (1, 2, ...) */
	uint64_t file_bytes;   /* bytes in the current file */
	uint64_t file_packets; /* packet blocks in it */
	uint64_t total_bytes;  /* every file */
	struct strbuf head;    /* SHB and IDB, written at the start of every file */
};

/* Opens path for writing (created, or truncated and replaced as a shell's > does; a
 * symlink is followed: the name is the user's), with head (SHB and IDB) written at its
 * start. ring_files > 0 writes a ring instead: path "x.pcapng" or "x" makes
 * x_00001.pcapng, x_00002.pcapng ...; a file is closed before a packet block would
 * take it past ring_bytes (a file holds one packet at least), and once there are
 * ring_files files the oldest this run made is removed. Returns 0, or -1 with e set. */
int pcapng_out_open(struct pcapng_out *o, const char *path, unsigned ring_files, uint64_t ring_bytes,
		    const void *head, size_t n, struct err *e);
/* Writes one packet block (a ring moves to its next file first when it must).
 * Returns 0, or -1 with e set. */
int pcapng_out_packet(struct pcapng_out *o, const void *p, size_t n, struct err *e);
/* Hands what was written to the kernel (fflush), so a reader following the file sees
 * whole blocks. Returns 0 or -1 with e set. */
int pcapng_out_flush(struct pcapng_out *o, struct err *e);
/* Flushes and closes; returns 0, or -1 with e set (a write that failed at the end). */
int pcapng_out_close(struct pcapng_out *o, struct err *e);

#endif
