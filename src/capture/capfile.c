/* capfile.c: opening a capture, telling pcap from pcapng, and the shared reading loop.
 * Formats: pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html)
 * and pcapng (draft-ietf-opsawg-pcapng); their parsers are capfile_pcap.c and
 * capfile_pcapng.c. We read the files ourselves rather than through libpcap
 * because libpcap refuses pcapng files whose interfaces have different link
 * types, cannot say at which byte offset a file is damaged, and cannot hand a
 * record back by offset; see docs/deps.md. */
#include "capfile.h"
#include "capfile_int.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* A gzip'd capture is inflated in memory; past this the file is refused rather than
 * exhausting memory on a decompression bomb. */
#define CAP_GZIP_MAX ((size_t)8 << 30)
/* Standard input is read whole; same cap. */
#define CAP_STDIN_MAX ((size_t)8 << 30)

static int read_all(int fd, uint8_t **out, size_t *outlen, struct err *e, const char *name)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap >= CAP_STDIN_MAX) {
				xfree(buf);
				err_set(e, EXIT_BADINPUT, (int64_t)len, "%s: larger than %zu bytes, refused", name, CAP_STDIN_MAX);
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EXIT_BADINPUT, (int64_t)len, "%s: read error: %s", name, strerror(errno));
			xfree(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* Inflates a gzip'd capture (many captures are kept as .pcap.gz). */
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
	z.next_in = (Bytef *)(uintptr_t)in;
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

static int detect(struct capfile *cf, struct err *e)
{
	if (cf->size < 4) {
		err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: %s, not a pcap or pcapng capture",
			cf->name, cf->size ? "file too short" : "empty file");
		return -1;
	}
	const uint8_t *p = cf->base;
	uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (be == 0x0a0d0d0a)
		return capfile_pcapng_open(cf, e);
	switch (be) {
	case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1:
	case 0xa1b2cd34: case 0x34cdb2a1:
		return capfile_pcap_open(cf, e);
	default:
		break;
	}
	err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: magic 0x%08x is neither pcap nor pcapng, not a capture file",
		cf->name, be);
	return -1;
}

static void init(struct capfile *cf, const char *name)
{
	memset(cf, 0, sizeof *cf);
	cf->name = xstrdup(name);
}

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
	if (detect(cf, e) < 0) {
		capfile_close(cf);
		return -1;
	}
	return 0;
}

int capfile_open(struct capfile *cf, const char *path, struct err *e)
{
	int from_stdin = strcmp(path, "-") == 0;
	/* Messages name the file; "-" would read as a typo. */
	init(cf, from_stdin ? "(standard input)" : path);
	if (from_stdin) {
		uint8_t *buf;
		size_t len;
		if (read_all(0, &buf, &len, e, cf->name) < 0) {
			capfile_close(cf);
			return -1;
		}
		cf->base = buf;
		cf->size = len;
		cf->owner = 2;
		return finish_open(cf, e);
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot open: %s", path, strerror(errno));
		capfile_close(cf);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		err_set(e, EXIT_BADINPUT, -1, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		capfile_close(cf);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(e, EXIT_BADINPUT, -1, "%s: is a directory, not a capture file", path);
		close(fd);
		capfile_close(cf);
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			cf->base = m;
			cf->size = (size_t)st.st_size;
			cf->owner = 1;
			close(fd);
			return finish_open(cf, e);
		}
	}
	uint8_t *buf;
	size_t len;
	int rc = read_all(fd, &buf, &len, e, path);
	close(fd);
	if (rc < 0) {
		capfile_close(cf);
		return -1;
	}
	cf->base = buf;
	cf->size = len;
	cf->owner = 2;
	return finish_open(cf, e);
}

int capfile_open_mem(struct capfile *cf, const char *name, const uint8_t *p, size_t n, struct err *e)
{
	init(cf, name);
	cf->base = p;
	cf->size = n;
	cf->owner = 0;
	return finish_open(cf, e);
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

int capfile_next(struct capfile *cf, struct cap_rec *rec, struct err *e)
{
	release_behind(cf);
	int rc = cf->format == CAP_PCAP ? capfile_pcap_next(cf, rec, e) : capfile_pcapng_next(cf, rec, e);
	if (rc == 1)
		cf->n_records++;
	return rc;
}

int capfile_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e)
{
	if (off >= cf->size) {
		err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %llu: past the end of the file", cf->name,
			(unsigned long long)off);
		return -1;
	}
	if (cf->format == CAP_PCAP)
		return capfile_pcap_read_at(cf, off, rec, e);
	return capfile_pcapng_read_at(cf, off, rec, e);
}

void capfile_close(struct capfile *cf)
{
	if (cf->owner == 1 && cf->base)
		munmap((void *)(uintptr_t)cf->base, cf->size);
	else if (cf->owner == 2)
		xfree((void *)(uintptr_t)cf->base);
	xfree(cf->ifaces);
	xfree(cf->sections);
	xfree(cf->name);
	memset(cf, 0, sizeof *cf);
}
