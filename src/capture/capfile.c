/* capfile.c: opening a capture, telling pcap from pcapng, and the one reading loop that
 * drives the format parsers over a mapped capture or a stream's window.
 * Formats: pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html)
 * and pcapng (draft-ietf-opsawg-pcapng); their parsers are capfile_pcap.c and
 * capfile_pcapng.c, the stream source capfile_stream.c. We read the files ourselves
 * rather than through libpcap because libpcap refuses pcapng files whose interfaces
 * have different link types, cannot say at which byte offset a file is damaged, and
 * cannot hand a record back by offset; see docs/deps.md. */
#include "capfile.h"
#include "capfile_int.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* A mapped gzip'd capture is inflated whole in memory; past this the file is refused
 * rather than exhausting memory on a decompression bomb. (A gzip'd stream is inflated
 * a window at a time and needs no such cap.) */
#define CAP_GZIP_MAX ((size_t)8 << 30)
/* Bytes of a pcapng or pcap file header that tell the format. */
#define CAP_MAGIC_LEN 4

int cap_bad(const struct capfile *cf, struct err *e, uint64_t off, const char *msg)
{
	err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %llu: %s", cf->name, (unsigned long long)off, msg);
	return CAP_STEP_BAD;
}

int cap_short(const struct capfile *cf, const struct cap_win *w, const struct rd *r, size_t *n, struct err *e,
	      uint64_t err_off, const char *msg)
{
	if (!w->final) {
		*n = r->needed;
		return CAP_STEP_NEED;
	}
	return cap_bad(cf, e, err_off, msg);
}

/* Inflates a mapped gzip'd capture (many captures are kept as .pcap.gz). */
static int gunzip_all(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen, struct err *e, const char *name)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		err_set(e, EXIT_SYSTEM, 0, "%s: cannot start gzip decoder", name);
		return -1;
	}
	size_t cap = inlen * 4 + 4096, len = 0;
	uint8_t *buf = xmalloc(cap);
	int rc = Z_OK;
	size_t consumed = 0;
	while (rc != Z_STREAM_END) {
		if (len == cap) {
			if (cap >= CAP_GZIP_MAX) {
				err_set(e, EXIT_BADINPUT, (int64_t)consumed, "%s: gzip content larger than %zu bytes, refused", name, CAP_GZIP_MAX);
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t in_left = inlen - consumed;
		z.next_in = (Bytef *)(uintptr_t)(in + consumed);
		z.avail_in = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
		z.next_out = buf + len;
		size_t out_room = cap - len;
		z.avail_out = out_room > (1u << 30) ? (1u << 30) : (uInt)out_room;
		uInt ai = z.avail_in, ao = z.avail_out;
		rc = inflate(&z, Z_NO_FLUSH);
		consumed += ai - z.avail_in;
		len += ao - z.avail_out;
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			err_set(e, EXIT_BADINPUT, (int64_t)consumed, "%s: damaged gzip data at compressed offset %zu", name, consumed);
			break;
		}
		if (rc == Z_BUF_ERROR && consumed == inlen) {
			err_set(e, EXIT_BADINPUT, (int64_t)consumed, "%s: gzip data ends early at compressed offset %zu", name, consumed);
			break;
		}
	}
	inflateEnd(&z);
	*out = buf;
	*outlen = len;
	/* A damaged gzip still yields what was inflated; the caller reads it and reports e. */
	return 0;
}

/* Stage DETECT: the first four bytes say pcap or pcapng. */
static int detect(struct capfile *cf, const struct cap_win *w, size_t *n, struct err *e)
{
	struct rd r = rd_make(w->p, w->avail);
	if (!rd_need(&r, CAP_MAGIC_LEN)) {
		if (!w->final) {
			*n = r.needed;
			return CAP_STEP_NEED;
		}
		err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: %s, not a pcap or pcapng capture", cf->name,
			w->avail ? "file too short" : "empty file");
		return CAP_STEP_BAD;
	}
	uint32_t be = rd_be32(&r);
	switch (be) {
	case 0x0a0d0d0a:
	case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1:
	case 0xa1b2cd34: case 0x34cdb2a1:
		cf->format = be == 0x0a0d0d0a ? CAP_PCAPNG : CAP_PCAP;
		cf->stage = CAP_STAGE_HDR;
		*n = 0;
		return CAP_STEP_META;
	default:
		break;
	}
	err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: magic 0x%08x is neither pcap nor pcapng, not a capture file",
		cf->name, be);
	return CAP_STEP_BAD;
}

int capfile_step(struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n, struct err *e)
{
	int rc;
	switch (cf->stage) {
	case CAP_STAGE_DETECT:
		return detect(cf, w, n, e);
	case CAP_STAGE_HDR:
		rc = cf->format == CAP_PCAP ? capfile_pcap_header(cf, w, n, e) : capfile_pcapng_header(cf, w, n, e);
		if (rc == CAP_STEP_META)
			cf->stage = CAP_STAGE_BODY;
		return rc;
	default:
		if (cf->format == CAP_PCAP)
			return capfile_pcap_record(cf, w, rec, n, e);
		return capfile_pcapng_block(cf, w, rec, n, e);
	}
}

static void window(const struct capfile *cf, struct cap_win *w)
{
	if (cf->st) {
		capstream_window(cf, w);
		return;
	}
	size_t pos = cf->pos < cf->size ? cf->pos : cf->size;
	w->p = cf->base ? cf->base + pos : NULL;
	w->avail = cf->size - pos;
	w->off = pos;
	w->final = 1;
}

/* Mapped pages already read are given back every CAP_RELEASE_STEP bytes, so memory
 * stays flat however large the file is (the kernel maps them in again if a view reads
 * a packet back later). */
#define CAP_RELEASE_STEP ((size_t)8 << 20)

static void release_behind(struct capfile *cf)
{
	if (cf->owner != 1 || cf->pos < cf->released + 2 * CAP_RELEASE_STEP)
		return;
	size_t page = 4096;
	size_t upto = (cf->pos - CAP_RELEASE_STEP) & ~(page - 1);
	if (upto > cf->released) {
		madvise((void *)(uintptr_t)(cf->base + cf->released), upto - cf->released, MADV_DONTNEED);
		cf->released = upto;
	}
}

/* After damage, later calls of capfile_next return 0 (a rewind starts over). */
static void end_walk(struct capfile *cf)
{
	if (!cf->st) {
		cf->pos = cf->size;
		return;
	}
	capstream_set_final(cf);
	capstream_consume(cf, capstream_left(cf));
	cf->pos = capstream_pos(cf);
}

/* The reading loop: runs the parsers until a record (1), the end (0), damage (-1), a
 * pushed source running dry (CAP_AGAIN) or, with upto_body, the file header read (1). */
static int drive(struct capfile *cf, struct cap_rec *rec, int upto_body, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (st && cf->pos != capstream_pos(cf)) {
		/* Someone moved cf->pos (cli/packet.c walks again this way): go there. */
		if (capstream_seek(cf, cf->pos) < 0) {
			err_set(e, EXIT_BADINPUT, (int64_t)cf->pos, "%s: offset %zu: cannot go back: %s", cf->name, cf->pos,
				capstream_why_not_kept(cf));
			return -1;
		}
	}
	for (;;) {
		if (upto_body && cf->stage == CAP_STAGE_BODY)
			return 1;
		struct cap_win w;
		window(cf, &w);
		size_t n = 0;
		int rc = capfile_step(cf, &w, rec, &n, e);
		switch (rc) {
		case CAP_STEP_REC:
		case CAP_STEP_META:
			cf->pos += n;
			if (st)
				capstream_consume(cf, n);
			if (rc == CAP_STEP_REC) {
				cf->n_records++;
				return 1;
			}
			continue;
		case CAP_STEP_END:
			return 0;
		case CAP_STEP_NEED:
			break;
		default:
			/* A damaged record ends the walk: nothing after it can be trusted. */
			end_walk(cf);
			return -1;
		}
		if (!st) { /* a final window never needs more: the parsers said what was cut */
			err_set(e, EXIT_BADINPUT, (int64_t)w.off, "%s: offset %llu: internal error: parser asked for more",
				cf->name, (unsigned long long)w.off);
			end_walk(cf);
			return -1;
		}
		switch (capstream_fill(cf, n, e)) {
		case CAP_FILL_OK:
			continue;
		case CAP_FILL_EOF:
			capstream_set_final(cf);
			continue;
		case CAP_FILL_AGAIN:
			return CAP_AGAIN;
		case CAP_FILL_STOP:
			if (upto_body) { /* no header yet: say what is missing */
				capstream_set_final(cf);
				continue;
			}
			cf->partial_tail = capstream_left(cf);
			return 0;
		default: /* the source failed (read error, damaged gzip) */
			end_walk(cf);
			return -1;
		}
	}
}

int capfile_next(struct capfile *cf, struct cap_rec *rec, struct err *e)
{
	release_behind(cf);
	if (!cf->st && cf->stage == CAP_STAGE_BODY && cf->format == CAP_PCAP && cf->pos < cf->size) {
		/* A mapped pcap's next record, the common case, without the general loop: the
		 * window is the rest of the file. Anything else (the end, damage) goes the
		 * general way, which says the same. */
		struct cap_win w = { cf->base + cf->pos, cf->size - cf->pos, cf->pos, 1 };
		size_t n = 0;
		struct err e2;
		err_clear(&e2);
		if (capfile_pcap_record(cf, &w, rec, &n, &e2) == CAP_STEP_REC) {
			cf->pos += n;
			cf->n_records++;
			return 1;
		}
	}
	return drive(cf, rec, 0, e);
}

static void init(struct capfile *cf, const char *name)
{
	memset(cf, 0, sizeof *cf);
	cf->name = xstrdup(name);
}

/* Reads the file header of a mapped capture (inflating a gzip'd one first). */
static int finish_open(struct capfile *cf, struct err *e)
{
	if (cf->size >= 2 && cf->base[0] == 0x1f && cf->base[1] == 0x8b) {
		uint8_t *buf;
		size_t len;
		if (gunzip_all(cf->base, cf->size, &buf, &len, e, cf->name) < 0) {
			capfile_close(cf);
			return -1;
		}
		if (cf->owner == 1)
			munmap((void *)(uintptr_t)cf->base, cf->size);
		else if (cf->owner == 2)
			xfree((void *)(uintptr_t)cf->base);
		cf->base = buf;
		cf->size = len;
		cf->owner = 2;
	}
	struct cap_rec rec;
	if (drive(cf, &rec, 1, e) < 0) {
		capfile_close(cf);
		return -1;
	}
	return 0;
}

/* Reads the file header of a stream (waiting for it on a pipe or a followed file). */
static int prime_stream(struct capfile *cf, struct err *e)
{
	struct cap_rec rec;
	int rc = drive(cf, &rec, 1, e);
	if (rc != 1) {
		if (rc == 0)
			err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: empty file, not a pcap or pcapng capture", cf->name);
		capfile_close(cf);
		return -1;
	}
	return 0;
}

/* What a NULL options pointer means: a pipe can be read back as a file can. */
static const struct cap_stream_opts default_opts = { .spool = 1 };

static int open_fd(struct capfile *cf, int fd, int own, const char *name, const struct cap_stream_opts *o,
		   struct err *e)
{
	int flags = own ? CAP_SRC_OWN_FD : 0;
	if (!o)
		o = &default_opts;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot stat: %s", name, strerror(errno));
		if (own)
			close(fd);
		capfile_close(cf);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(e, EXIT_BADINPUT, -1, "%s: is a directory, not a capture file", name);
		if (own)
			close(fd);
		capfile_close(cf);
		return -1;
	}
	int follow = o->follow;
	/* A regular file read from its start can be mapped or read back with pread; one
	 * whose offset is elsewhere (a shell gave us the rest of a file) is a stream. */
	int at_start = S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0;
	if (at_start && !follow && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			cf->base = m;
			cf->size = (size_t)st.st_size;
			cf->owner = 1;
			if (own)
				close(fd);
			return finish_open(cf, e);
		}
	}
	/* A pipe, a FIFO, a terminal, a followed file, or a file that says it is empty
	 * (/proc files do): read as it comes. */
	if (at_start)
		flags |= CAP_SRC_FILE;
	if (S_ISREG(st.st_mode))
		flags |= CAP_SRC_REGULAR;
	if (capstream_new(cf, fd, flags, o, e) < 0) {
		if (own)
			close(fd);
		capfile_close(cf);
		return -1;
	}
	return prime_stream(cf, e);
}

int capfile_open_opts(struct capfile *cf, const char *path, const struct cap_stream_opts *o, struct err *e)
{
	if (strcmp(path, "-") == 0) {
		/* Messages name the file; "-" would read as a typo. */
		init(cf, "(standard input)");
		return open_fd(cf, 0, 0, cf->name, o, e);
	}
	init(cf, path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot open: %s", path, strerror(errno));
		capfile_close(cf);
		return -1;
	}
	return open_fd(cf, fd, 1, path, o, e);
}

int capfile_open(struct capfile *cf, const char *path, struct err *e)
{
	return capfile_open_opts(cf, path, NULL, e);
}

int capfile_open_fd(struct capfile *cf, int fd, const char *name, const struct cap_stream_opts *o, struct err *e)
{
	init(cf, name);
	return open_fd(cf, fd, 0, name, o, e);
}

int capfile_open_mem(struct capfile *cf, const char *name, const uint8_t *p, size_t n, struct err *e)
{
	init(cf, name);
	cf->base = p;
	cf->size = n;
	cf->owner = 0;
	return finish_open(cf, e);
}

int capfile_open_push(struct capfile *cf, const char *name, const struct cap_stream_opts *o, struct err *e)
{
	init(cf, name);
	if (capstream_new(cf, -1, CAP_SRC_PUSH, o ? o : &default_opts, e) < 0) {
		capfile_close(cf);
		return -1;
	}
	return 0;
}

int capfile_push(struct capfile *cf, const void *p, size_t n, struct err *e)
{
	return capstream_push(cf, p, n, e);
}

void capfile_push_end(struct capfile *cf)
{
	capstream_push_end(cf);
}

/* Reads the record at off back from what the stream kept. */
static int stream_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e)
{
	if (!capstream_keeps(cf)) {
		err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %llu: not kept: %s", cf->name,
			(unsigned long long)off, capstream_why_not_kept(cf));
		return -1;
	}
	uint64_t seen = capstream_seen(cf);
	if (!cf->format || off >= seen || (cf->format == CAP_PCAPNG && off >= cf->parsed_end)) {
		err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %llu: past the end of what was read", cf->name,
			(unsigned long long)off);
		return -1;
	}
	/* Most records are short: one read of this much usually holds one whole. */
	size_t want = 2048;
	for (;;) {
		uint64_t left = seen - off;
		if (want > left)
			want = (size_t)left;
		const uint8_t *p;
		long got = capstream_pread(cf, off, want, &p, e);
		if (got < 0)
			return -1;
		struct cap_win w = { p, (size_t)got, off, (size_t)got < want || (uint64_t)got == left };
		size_t n = 0;
		int rc = cf->format == CAP_PCAP ? capfile_pcap_record(cf, &w, rec, &n, e)
						: capfile_pcapng_packet_at(cf, &w, rec, &n, e);
		if (rc == CAP_STEP_REC)
			return 1;
		if (rc != CAP_STEP_NEED) {
			if (!e->set)
				err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %llu: no packet record there", cf->name,
					(unsigned long long)off);
			return -1;
		}
		want = n; /* within the parsers' limits */
	}
}

int capfile_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e)
{
	if (cf->st)
		return stream_read_at(cf, off, rec, e);
	if (off >= cf->size) {
		err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %llu: past the end of the file", cf->name,
			(unsigned long long)off);
		return -1;
	}
	struct cap_win w = { cf->base + off, cf->size - (size_t)off, off, 1 };
	size_t n;
	int rc = cf->format == CAP_PCAP ? capfile_pcap_record(cf, &w, rec, &n, e)
					: capfile_pcapng_packet_at(cf, &w, rec, &n, e);
	return rc == CAP_STEP_REC ? 1 : -1;
}

int capfile_rewind(struct capfile *cf)
{
	if (cf->st && capstream_seek(cf, 0) < 0)
		return -1;
	cf->pos = 0;
	cf->released = 0;
	cf->stage = CAP_STAGE_DETECT;
	cf->n_records = 0;
	cf->partial_tail = 0;
	return 0;
}

void capfile_close(struct capfile *cf)
{
	if (cf->st)
		capstream_free(cf);
	if (cf->owner == 1 && cf->base)
		munmap((void *)(uintptr_t)cf->base, cf->size);
	else if (cf->owner == 2)
		xfree((void *)(uintptr_t)cf->base);
	xfree(cf->ifaces);
	xfree(cf->sections);
	xfree(cf->name);
	memset(cf, 0, sizeof *cf);
}
