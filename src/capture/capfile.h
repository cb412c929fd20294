/* capfile.h: reading captures (pcap and pcapng, gzip'd or not) record by record.
 *
 * Two kinds of source, one reader:
 *   - mapped: a regular file (or standard input that is one) is mapped, an embedded
 *     case is borrowed, a mapped .gz is inflated whole; records are slices into it
 *     (no copy), and pages behind the cursor are given back to the kernel;
 *   - stream: a pipe, FIFO or character device, a file being followed while it is
 *     written (tail -f), or bytes pushed by the caller. A bounded window buffer holds
 *     the record being parsed and is refilled with read(2) (or by inflating) only when
 *     the parser asks for more, so the first packet is handed out as soon as its bytes
 *     arrive. Optionally every byte is kept in an unlinked spool file.
 * Every record carries its offset in the (decompressed) stream, so a view can come back
 * to one packet later (capfile_read_at).
 *
 * The parsers trust no byte: every length is checked against a named limit
 * (capfile_int.h) before it is used, so a window never grows past one record or block. */
#ifndef CHATTCP_CAPFILE_H
#define CHATTCP_CAPFILE_H

#include "../base/err.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum cap_format { CAP_PCAP = 1, CAP_PCAPNG = 2 };

/* capfile_next on a pushed source: the next record needs bytes not pushed yet. */
#define CAP_AGAIN 2

/* Timestamps are clamped to +-2^62 ns (146 years either side of 1970; pcap's 32-bit
 * seconds end in 2106, inside it), so the difference of any two fits in an int64_t. */
#define CAP_TS_MAX_NS ((int64_t)1 << 62)

struct cap_rec {
	const uint8_t *data;
	uint32_t caplen;   /* bytes captured */
	uint32_t wirelen;  /* bytes the packet had on the wire (>= caplen) */
	int64_t ts_ns;     /* nanoseconds since the epoch, within +-CAP_TS_MAX_NS */
	uint64_t off;      /* offset of the record (pcap) or block (pcapng) header */
	uint16_t linktype; /* LINKTYPE_ value of the interface */
	uint8_t ts_digits; /* fractional digits the file's clock really has (6 or 9) */
	uint32_t ifindex;  /* interface number (pcapng), 0 for pcap */
};

struct cap_iface {
	uint16_t linktype;
	uint32_t snaplen;
	uint8_t ts_digits;
	int64_t ts_mul;    /* ticks -> ns: ns = ticks * ts_mul / ts_div + ts_offset_ns */
	int64_t ts_div;
	int ts_pow2;       /* resolution 2^-ts_pow2 s when > 0 */
	int64_t ts_offset_ns;
};

struct cap_section {
	uint64_t off;      /* where the Section Header Block starts */
	int swapped;
	uint32_t first_if; /* number (rec->ifindex) of this section's interface 0 */
	uint32_t n_if;
	int has_pkts;      /* a packet was read in it (an empty section is not kept) */
};

/* How a stream is read (capfile_open_opts, capfile_open_fd, capfile_open_push). A NULL
 * options pointer means { .spool = 1 }: read back and rewind work as on a file. A spool
 * that cannot be made fails the open (EXIT_SYSTEM) rather than read back later. */
struct cap_stream_opts {
	int follow;        /* a regular file: at its end wait for more (look every
			      CAP_FOLLOW_POLL_NS) instead of ending; a partial record at
			      the end is waited for, not an error */
	int64_t idle_ns;   /* follow (or a pipe): end cleanly after this long without a
			      new byte; 0 = never */
	const volatile sig_atomic_t *stop; /* set (by a signal handler): the next wait
			      ends cleanly instead; capfile_next returns 0 and a partial
			      trailing record is left (capfile.partial_tail), not damage */
	int spool;         /* keep every byte read in an unlinked temporary file
			      (O_TMPFILE in $TMPDIR or /tmp) so capfile_read_at and
			      capfile_rewind work on a pipe or pushed bytes; a followed
			      plain file needs none (it is read back with pread) */
};

/* How often a followed file is looked at when it has no new bytes. */
#define CAP_FOLLOW_POLL_NS ((int64_t)50 * 1000 * 1000)

/* Pushed bytes waiting to be read: a caller pushes a piece and drains it with
 * capfile_next before the next, so this only stops one that never reads from making
 * us hold an unbounded queue. */
#define CAP_PUSH_MAX ((size_t)16 << 20)

struct cap_stream; /* capfile_stream.c */

struct capfile {
	char *name;        /* as given by the user, for messages */
	const uint8_t *base;
	size_t size;
	int owner;         /* 1: base is mmap'd, 2: base is malloc'd, 0: borrowed */
	int format;
	/* pcap */
	int swapped;
	int modified;      /* Kuznetsov's patched pcap: 24-byte record headers */
	int lengths_swapped; /* enum cap_len_swap: files before pcap 2.3 wrote the captured
			      * and original lengths the other way round */
	uint16_t linktype;
	uint32_t snaplen;
	uint8_t ts_digits;
	/* pcapng */
	struct cap_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	struct cap_section *sections;
	size_t n_sections, cap_sections;
	struct cap_section cur;  /* the section being read; cur.n_if = interfaces so far */
	size_t if_base;    /* ifaces[0] is interface number if_base (not 0 on a stream
			      that keeps only its current section) */
	uint64_t parsed_end; /* blocks before this were parsed once: the tables hold them */
	/* reading position */
	size_t pos;        /* stream offset of the next byte to parse */
	size_t released;   /* mapped bytes before this were handed back to the kernel */
	uint32_t n_records;
	int stage;         /* enum cap_stage (capfile_int.h) */
	struct cap_stream *st; /* NULL when mapped */
	uint64_t partial_tail; /* bytes of an unfinished record left when a stream was
				  stopped or went idle */
	/* pcapng Decryption Secrets Blocks, as they are read (once each, in file order):
	 * type (0x544c534b "TLSK": a TLS key log) and its bytes, valid during the call. */
	void (*on_secrets)(void *ctx, uint32_t type, const uint8_t *p, size_t n);
	void *secrets_ctx;
};

/* Opens path ("-" reads standard input). A regular file is mapped; a pipe, FIFO or
 * character device is read as a stream with a spool (so read back works as on a file).
 * Returns 0 once the file header has been read (cf->format, cf->linktype are set; on a
 * pipe this waits for the header). On failure returns -1 with e set (exit code,
 * message) and leaves cf closed. */
int capfile_open(struct capfile *cf, const char *path, struct err *e);
/* The same with stream options (o may be NULL, see struct cap_stream_opts). With
 * o->follow a regular file is read as a stream that waits at its end. */
int capfile_open_opts(struct capfile *cf, const char *path, const struct cap_stream_opts *o, struct err *e);
/* Reads an open descriptor; name is for messages. fd is borrowed: capfile_close does
 * not close it. A regular file at offset 0 and not followed is mapped. */
int capfile_open_fd(struct capfile *cf, int fd, const char *name, const struct cap_stream_opts *o,
		    struct err *e);
/* Opens a capture held in memory (a built-in case); the bytes are borrowed. */
int capfile_open_mem(struct capfile *cf, const char *name, const uint8_t *p, size_t n, struct err *e);
/* A source the caller feeds with capfile_push (bytes from a remote agent, tests).
 * Nothing is read at open: cf->format is 0 until capfile_next has seen the header.
 * Only o->spool is used. Cannot fail but for allocation (which does not return). */
int capfile_open_push(struct capfile *cf, const char *name, const struct cap_stream_opts *o, struct err *e);
/* Appends n bytes (copied). At most CAP_PUSH_MAX bytes may wait unread: push, then
 * call capfile_next until it returns CAP_AGAIN. Returns 0, or -1 with e set (too many
 * bytes waiting, pushed after capfile_push_end, not a push source): nothing appended. */
int capfile_push(struct capfile *cf, const void *p, size_t n, struct err *e);
/* No more bytes will be pushed: capfile_next then ends (or reports a cut record). */
void capfile_push_end(struct capfile *cf);
/* Next packet record. Returns 1 with *rec filled, 0 at a clean end (or when a stream
 * was stopped or went idle: a later call, once the stop flag is cleared, goes on
 * waiting), -1 when the capture is damaged at e->off (e set; everything before was
 * good; later calls return 0), CAP_AGAIN when a pushed source needs more bytes.
 * rec->data is valid until the next capfile_next, capfile_read_at, capfile_rewind or
 * capfile_close on a stream; on a mapped capture until capfile_close. */
int capfile_next(struct capfile *cf, struct cap_rec *rec, struct err *e);
/* Reads the packet record that starts at off, as returned earlier by capfile_next.
 * Works on mapped captures, followed files and spooled streams; on a stream without a
 * spool it fails ("not kept"). rec->data is valid as for capfile_next. Returns 1, or
 * -1 with e set. */
int capfile_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e);
/* Starts reading records again from the beginning (mapped captures, followed files,
 * spooled streams). Returns 0, or -1 when the source cannot go back (nothing changed). */
int capfile_rewind(struct capfile *cf);
void capfile_close(struct capfile *cf);

/* Link types (LINKTYPE_ values from the tcpdump.org registry). */
enum {
	LT_NULL = 0, LT_ETHERNET = 1, LT_RAW = 101, LT_LOOP = 108, LT_LINUX_SLL = 113,
	LT_IPV4 = 228, LT_IPV6 = 229, LT_LINUX_SLL2 = 276,
	LT_PPP = 9, LT_PPP_HDLC = 50, LT_IEEE802_11 = 105, LT_IEEE802_11_RADIOTAP = 127,
};

#endif
