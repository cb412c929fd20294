/* capfile_stream.c: the stream source under capfile_next: a bounded window buffer
 * filled from a pipe (read(2)), a file being followed while it is written (pread at
 * its end, waiting when there is nothing new), or bytes the caller pushes; through
 * zlib when the bytes are gzip'd; and into an unlinked spool file when asked, so
 * records can be read back and the stream rewound.
 *
 * The window holds the logical (decompressed) bytes [off, off + hi - lo): at most the
 * record or block being parsed plus what one read brought. It is refilled only when a
 * parser says it needs more (capstream_fill), grows only to hold one record or block
 * (the parsers never ask past their named limits), and shrinks back after a big one.
 * The input is untrusted: a gzip bomb costs one window, not its inflated size. */
#include "capfile_int.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* The window's usual size: a few hundred packets per read(2) keeps the syscall cost
 * small, and it is what the window goes back to after a big block. */
#define CAP_WIN_INIT ((size_t)256 << 10)
/* Below this much free room after the data, the window is compacted before a read, so
 * a read never brings a few bytes only. */
#define CAP_READ_MIN ((size_t)4 << 10)
/* One read or inflate call at most (read(2) returns ssize_t; zlib counts in uInt). */
#define CAP_READ_MAX ((size_t)1 << 30)
/* Compressed bytes read at once from a gzip'd source. */
#define CAP_ZIN_SIZE ((size_t)64 << 10)
/* The spool is disk (or tmpfs, which is memory): past this much a stream still reads,
 * but stops keeping, and read back and rewind say why. 8 GiB is what standard input
 * could hold in memory before streams. */
#define CAP_SPOOL_MAX ((uint64_t)8 << 30)

/* What raw_read and the readers above it return besides a byte count (> 0) and 0 (the
 * source ended). */
enum { RAW_ERR = -1, RAW_AGAIN = -2, RAW_STOP = -3 };

struct cap_stream {
	/* the window: logical bytes [off, off + hi - lo) are buf[lo, hi) */
	uint8_t *buf;
	size_t cap, lo, hi;
	uint64_t off;
	int final;          /* the source ended: the window is all there is */
	uint64_t src_pos;   /* logical offset of the next byte to come in (off + hi - lo) */
	uint64_t seen;      /* the most logical bytes ever come in */
	/* where the bytes come from */
	int fd, own_fd;
	int is_file;        /* a regular file read from its start: pread at raw_pos */
	int regular;        /* a regular file: follow waits at its end */
	int push;
	struct cap_stream_opts o;
	uint64_t raw_pos;   /* bytes taken from the source (compressed, when gzip'd) */
	int64_t last_byte_ns; /* when the source last gave a byte (idle_ns) */
	/* pushed bytes not read yet: pq[pq_lo, pq_hi) */
	uint8_t *pq;
	size_t pq_cap, pq_lo, pq_hi;
	int pushed_end;
	/* gzip */
	int gz;             /* -1 not known yet, 0 plain, 1 gzip'd */
	int z_live, z_done;
	z_stream z;
	uint8_t *zin;       /* compressed bytes, or the first bytes while telling */
	size_t zin_lo, zin_hi;
	uint64_t z_in;      /* compressed bytes inflate has consumed */
	uint64_t skip;      /* logical bytes to drop (a gzip'd file read again from 0) */
	/* spool */
	int spool_fd;
	uint64_t spool_len;
	int spool_broken;
	char spool_why[160];
	/* a failure of the source, said again to every later read that needs it */
	struct err src_err;
	/* read back (capfile_read_at) */
	uint8_t *rbuf;
	size_t rcap;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_add(ts_from_sec(ts.tv_sec), ts.tv_nsec);
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	size_t n;
	if (__builtin_mul_overflow((size_t)items, (size_t)size, &n))
		return Z_NULL;
	return xmem_lib_alloc(n);
}

static void z_free(voidpf opaque, voidpf p)
{
	xmem_lib_free(p);
}

static int spool_usable(const struct cap_stream *st)
{
	return st->spool_fd >= 0 && !st->spool_broken;
}

/* An unlinked file in $TMPDIR (or /tmp): gone with the process, whatever happens. */
static int spool_open(const char *name, struct err *e)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* A file system without O_TMPFILE: make a file and unlink it at once. */
		char path[4096];
		if (snprintf(path, sizeof path, "%s/chattcp-spool-XXXXXX", dir) < (int)sizeof path) {
			fd = mkostemp(path, O_CLOEXEC);
			if (fd >= 0)
				unlink(path);
		}
	}
	if (fd < 0)
		err_set(e, EXIT_SYSTEM, -1, "%s: cannot make a spool file in %s: %s", name, dir, strerror(errno));
	return fd;
}

static void spool_stop(struct cap_stream *st, const char *why)
{
	st->spool_broken = 1;
	snprintf(st->spool_why, sizeof st->spool_why, "the spool stopped at %llu bytes: %s",
		 (unsigned long long)st->spool_len, why);
}

static void spool_append(struct cap_stream *st, const uint8_t *p, size_t n)
{
	if (!spool_usable(st))
		return;
	if (n > CAP_SPOOL_MAX - st->spool_len) {
		spool_stop(st, "it is full (8 GiB)");
		return;
	}
	while (n) {
		ssize_t w = write(st->spool_fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			spool_stop(st, strerror(errno));
			return;
		}
		p += w;
		n -= (size_t)w;
		st->spool_len += (uint64_t)w;
	}
}

int capstream_new(struct capfile *cf, int fd, int flags, const struct cap_stream_opts *o, struct err *e)
{
	struct cap_stream *st = xcalloc(1, sizeof *st);
	cf->st = st;
	st->fd = fd;
	st->own_fd = (flags & CAP_SRC_OWN_FD) != 0;
	st->is_file = (flags & CAP_SRC_FILE) != 0;
	st->regular = (flags & (CAP_SRC_FILE | CAP_SRC_REGULAR)) != 0;
	st->push = (flags & CAP_SRC_PUSH) != 0;
	st->o = *o;
	st->gz = -1;
	st->spool_fd = -1;
	st->cap = CAP_WIN_INIT;
	st->buf = xmalloc(st->cap);
	st->last_byte_ns = now_ns();
	err_clear(&st->src_err);
	/* A followed plain file is read back from itself; we only learn it is plain after
	 * its first bytes, so the spool is made now (an error is said at open) and closed
	 * then. */
	if (o->spool) {
		/* Without it read back would fail later, quietly for a chat's bodies: say so now. */
		st->spool_fd = spool_open(cf->name, e);
		if (st->spool_fd < 0) {
			st->own_fd = 0; /* the caller closes it on this error path */
			return -1;
		}
	}
	return 0;
}

void capstream_free(struct capfile *cf)
{
	struct cap_stream *st = cf->st;
	if (!st)
		return;
	if (st->z_live)
		inflateEnd(&st->z);
	if (st->spool_fd >= 0)
		close(st->spool_fd);
	if (st->own_fd && st->fd >= 0)
		close(st->fd);
	xfree(st->buf);
	xfree(st->pq);
	xfree(st->zin);
	xfree(st->rbuf);
	xfree(st);
	cf->st = NULL;
}

/* 1 when the caller asked to stop, or the source has been quiet for idle_ns. */
static int should_stop(const struct cap_stream *st)
{
	if (st->o.stop && *st->o.stop)
		return 1;
	return st->o.idle_ns > 0 && ts_sub(now_ns(), st->last_byte_ns) >= st->o.idle_ns;
}

/* How long one wait lasts: the poll interval, or less when the idle time ends sooner. */
static int64_t slice_ns(const struct cap_stream *st)
{
	int64_t s = CAP_FOLLOW_POLL_NS;
	if (st->o.idle_ns > 0) {
		int64_t left = ts_sub(st->o.idle_ns, ts_sub(now_ns(), st->last_byte_ns));
		if (left < s)
			s = left;
	}
	return s < 1000000 ? 1000000 : s;
}

/* Waits until fd (a pipe) has something to read (0), or stops (RAW_STOP). Only used
 * when a stop flag or an idle time is set; otherwise read(2) simply blocks. */
static int pipe_wait(struct capfile *cf, struct err *e)
{
	struct cap_stream *st = cf->st;
	for (;;) {
		int quit = should_stop(st);
		struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
		int r = poll(&pfd, 1, quit ? 0 : (int)(slice_ns(st) / 1000000));
		if (r > 0)
			return 0; /* readable, or hung up: read(2) says which */
		if (r < 0 && errno != EINTR) {
			err_set(e, EXIT_SYSTEM, (int64_t)st->src_pos, "%s: poll: %s", cf->name, strerror(errno));
			return RAW_ERR;
		}
		if (quit)
			return RAW_STOP;
	}
}

/* A followed file has no new byte: checks it was not cut, then sleeps one poll interval
 * (0) or stops (RAW_STOP). */
static int file_wait(struct capfile *cf, struct err *e)
{
	struct cap_stream *st = cf->st;
	struct stat sb;
	if (st->is_file && fstat(st->fd, &sb) == 0 && (uint64_t)sb.st_size < st->raw_pos) {
		err_set(e, EXIT_BADINPUT, (int64_t)st->src_pos,
			"%s: offset %llu: the file shrank to %lld bytes while it was followed", cf->name,
			(unsigned long long)st->src_pos, (long long)sb.st_size);
		return RAW_ERR;
	}
	if (should_stop(st))
		return RAW_STOP;
	int64_t s = slice_ns(st);
	struct timespec ts = { (time_t)(s / 1000000000), (long)(s % 1000000000) };
	nanosleep(&ts, NULL); /* a signal cuts it short: the stop flag is looked at next */
	return 0;
}

/* Up to room raw bytes from the source: > 0, 0 at its end, or RAW_*. */
static long raw_read(struct capfile *cf, uint8_t *dst, size_t room, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (room > CAP_READ_MAX)
		room = CAP_READ_MAX;
	if (st->push) {
		size_t have = st->pq_hi - st->pq_lo;
		if (!have)
			return st->pushed_end ? 0 : RAW_AGAIN;
		size_t n = have < room ? have : room;
		memcpy(dst, st->pq + st->pq_lo, n);
		st->pq_lo += n;
		if (st->pq_lo == st->pq_hi)
			st->pq_lo = st->pq_hi = 0;
		st->raw_pos += n;
		return (long)n;
	}
	int bounded = st->o.stop || st->o.idle_ns > 0;
	for (;;) {
		ssize_t n;
		if (st->is_file) {
			n = pread(st->fd, dst, room, (off_t)st->raw_pos);
		} else {
			if (bounded) {
				int w = pipe_wait(cf, e);
				if (w < 0)
					return w;
			}
			n = read(st->fd, dst, room);
		}
		if (n > 0) {
			st->raw_pos += (uint64_t)n;
			st->last_byte_ns = now_ns();
			return (long)n;
		}
		if (n == 0) {
			if (!st->regular || !st->o.follow)
				return 0;
			int w = file_wait(cf, e);
			if (w < 0)
				return w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) { /* a non-blocking descriptor */
			if (bounded)
				continue; /* pipe_wait polls */
			struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
			poll(&pfd, 1, -1);
			continue;
		}
		err_set(e, EXIT_BADINPUT, (int64_t)st->src_pos, "%s: read error: %s", cf->name, strerror(errno));
		return RAW_ERR;
	}
}

/* Looks at the first two bytes: 1f 8b is gzip. Returns 0 once it knows, or RAW_*. */
static int tell_gzip(struct capfile *cf, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (!st->zin)
		st->zin = xmalloc(CAP_ZIN_SIZE);
	while (st->zin_hi < 2) {
		long n = raw_read(cf, st->zin + st->zin_hi, CAP_ZIN_SIZE - st->zin_hi, e);
		if (n == 0)
			break; /* fewer than two bytes: the parsers will say so */
		if (n < 0)
			return (int)n;
		st->zin_hi += (size_t)n;
	}
	st->gz = st->zin_hi >= 2 && st->zin[0] == 0x1f && st->zin[1] == 0x8b;
	if (st->gz) {
		memset(&st->z, 0, sizeof st->z);
		st->z.zalloc = z_alloc;
		st->z.zfree = z_free;
		if (inflateInit2(&st->z, 16 + MAX_WBITS) != Z_OK) {
			err_set(e, EXIT_SYSTEM, 0, "%s: cannot start gzip decoder", cf->name);
			return RAW_ERR;
		}
		st->z_live = 1;
	} else if (st->is_file && st->spool_fd >= 0) {
		close(st->spool_fd); /* a plain file is read back from itself */
		st->spool_fd = -1;
	}
	return 0;
}

/* Up to room inflated bytes: > 0, 0 at the end of the gzip stream, or RAW_*. */
static long inflate_some(struct capfile *cf, uint8_t *dst, size_t room, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (room > CAP_READ_MAX)
		room = CAP_READ_MAX;
	for (;;) {
		if (st->z_done)
			return 0; /* what follows the gzip stream is not read, as for a mapped .gz */
		if (st->zin_lo == st->zin_hi) {
			long n = raw_read(cf, st->zin, CAP_ZIN_SIZE, e);
			if (n == 0) {
				err_set(e, EXIT_BADINPUT, (int64_t)st->z_in, "%s: gzip data ends early at compressed offset %llu",
					cf->name, (unsigned long long)st->z_in);
				return RAW_ERR;
			}
			if (n < 0)
				return n;
			st->zin_lo = 0;
			st->zin_hi = (size_t)n;
		}
		st->z.next_in = st->zin + st->zin_lo;
		st->z.avail_in = (uInt)(st->zin_hi - st->zin_lo);
		st->z.next_out = dst;
		st->z.avail_out = (uInt)room;
		int rc = inflate(&st->z, Z_NO_FLUSH);
		size_t used = (st->zin_hi - st->zin_lo) - st->z.avail_in;
		size_t made = room - st->z.avail_out;
		st->zin_lo += used;
		st->z_in += used;
		if (rc == Z_STREAM_END) {
			st->z_done = 1;
			return (long)made;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			/* What was inflated before the damage is good: hand it out first (a
			 * mapped .gz keeps it too) and say why it ends on the next read. */
			struct err *dst_err = made ? &st->src_err : e;
			err_set(dst_err, EXIT_BADINPUT, (int64_t)st->z_in, "%s: damaged gzip data at compressed offset %llu",
				cf->name, (unsigned long long)st->z_in);
			return made ? (long)made : RAW_ERR;
		}
		if (made)
			return (long)made;
	}
}

/* Up to room logical bytes from the live source (not the spool). */
static long live_read(struct capfile *cf, uint8_t *dst, size_t room, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (st->gz < 0) {
		int rc = tell_gzip(cf, e);
		if (rc < 0)
			return rc;
	}
	if (!st->gz) {
		if (st->zin_lo < st->zin_hi) { /* the bytes looked at first */
			size_t n = st->zin_hi - st->zin_lo;
			if (n > room)
				n = room;
			memcpy(dst, st->zin + st->zin_lo, n);
			st->zin_lo += n;
			if (st->zin_lo == st->zin_hi) {
				xfree(st->zin);
				st->zin = NULL;
				st->zin_lo = st->zin_hi = 0;
			}
			return (long)n;
		}
		return raw_read(cf, dst, room, e);
	}
	while (st->skip) {
		long n = inflate_some(cf, dst, st->skip < room ? (size_t)st->skip : room, e);
		if (n <= 0)
			return n;
		st->skip -= (uint64_t)n;
	}
	return inflate_some(cf, dst, room, e);
}

/* Up to room logical bytes at src_pos: again from the spool after a rewind, else from
 * the live source (and then into the spool). */
static long src_read(struct capfile *cf, uint8_t *dst, size_t room, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (spool_usable(st) && st->src_pos < st->spool_len) {
		uint64_t left = st->spool_len - st->src_pos;
		size_t n = left < room ? (size_t)left : room;
		ssize_t got = pread(st->spool_fd, dst, n, (off_t)st->src_pos);
		if (got > 0)
			return (long)got;
		err_set(e, EXIT_SYSTEM, (int64_t)st->src_pos, "%s: offset %llu: cannot read the spool back: %s", cf->name,
			(unsigned long long)st->src_pos, got < 0 ? strerror(errno) : "it is shorter than written");
		return RAW_ERR;
	}
	if (st->src_err.set) {
		err_set(e, st->src_err.code, st->src_err.off, "%s", st->src_err.msg);
		return RAW_ERR;
	}
	long n = live_read(cf, dst, room, e);
	if (n > 0 && st->src_pos == st->spool_len)
		spool_append(st, dst, (size_t)n);
	else if (n == RAW_ERR && e->set)
		st->src_err = *e;
	return n;
}

void capstream_window(const struct capfile *cf, struct cap_win *w)
{
	const struct cap_stream *st = cf->st;
	w->p = st->buf + st->lo;
	w->avail = st->hi - st->lo;
	w->off = st->off;
	w->final = st->final;
}

void capstream_consume(struct capfile *cf, size_t n)
{
	struct cap_stream *st = cf->st;
	st->lo += n;
	st->off += n;
	if (st->lo == st->hi)
		st->lo = st->hi = 0;
}

/* Makes buf[lo, lo + need) fit and leaves at least CAP_READ_MIN free after hi. */
static void make_room(struct cap_stream *st, size_t need)
{
	if (st->lo + need <= st->cap && st->cap - st->hi >= CAP_READ_MIN)
		return;
	size_t have = st->hi - st->lo;
	if (have && st->lo)
		memmove(st->buf, st->buf + st->lo, have);
	st->lo = 0;
	st->hi = have;
	size_t want = need > have + CAP_READ_MIN ? need : have + CAP_READ_MIN;
	if (want <= CAP_WIN_INIT)
		want = CAP_WIN_INIT;
	else
		want = (want + 65535) & ~(size_t)65535;
	/* Grow for a big block; go back to the usual size once it has passed. */
	if (want > st->cap || (st->cap > CAP_WIN_INIT && want == CAP_WIN_INIT)) {
		st->buf = xrealloc(st->buf, want);
		st->cap = want;
	}
}

int capstream_fill(struct capfile *cf, size_t need, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (need > (size_t)CAP_MAX_BLOCK + 64) {
		err_set(e, EXIT_BADINPUT, (int64_t)st->off, "%s: offset %llu: internal error: %zu bytes asked for",
			cf->name, (unsigned long long)st->off, need);
		return CAP_FILL_ERR;
	}
	while (st->hi - st->lo < need) {
		make_room(st, need);
		long n = src_read(cf, st->buf + st->hi, st->cap - st->hi, e);
		if (n > 0) {
			st->hi += (size_t)n;
			st->src_pos += (uint64_t)n;
			if (st->src_pos > st->seen)
				st->seen = st->src_pos;
			continue;
		}
		switch (n) {
		case 0: return CAP_FILL_EOF;
		case RAW_AGAIN: return CAP_FILL_AGAIN;
		case RAW_STOP: return CAP_FILL_STOP;
		default: return CAP_FILL_ERR;
		}
	}
	return CAP_FILL_OK;
}

void capstream_set_final(struct capfile *cf)
{
	cf->st->final = 1;
}

size_t capstream_left(const struct capfile *cf)
{
	return cf->st->hi - cf->st->lo;
}

uint64_t capstream_pos(const struct capfile *cf)
{
	return cf->st->off;
}

uint64_t capstream_seen(const struct capfile *cf)
{
	return cf->st->seen;
}

int capstream_keeps(const struct capfile *cf)
{
	const struct cap_stream *st = cf->st;
	return spool_usable(st) || (st->is_file && st->gz != 1);
}

int capstream_rewinds(const struct capfile *cf)
{
	const struct cap_stream *st = cf->st;
	return spool_usable(st) || st->is_file;
}

const char *capstream_why_not_kept(const struct capfile *cf)
{
	const struct cap_stream *st = cf->st;
	if (st->spool_broken)
		return st->spool_why;
	if (st->is_file)
		return "a followed gzip'd file is read back only with a spool";
	if (st->push)
		return "pushed bytes without a spool";
	return "reading from a pipe without a spool";
}

int capstream_seek(struct capfile *cf, uint64_t pos)
{
	struct cap_stream *st = cf->st;
	if (pos > st->seen)
		return -1;
	if (spool_usable(st)) {
		/* src_read takes [pos, spool_len) from the spool, then goes on live */
	} else if (st->is_file && st->gz != 1) {
		st->raw_pos = pos;
		st->zin_lo = st->zin_hi = 0;
		st->gz = pos ? 0 : -1;
		err_clear(&st->src_err);
	} else if (st->is_file) {
		/* Inflate again from the start and drop what comes before pos. */
		inflateReset(&st->z);
		st->z_done = 0;
		st->zin_lo = st->zin_hi = 0;
		st->z_in = 0;
		st->raw_pos = 0;
		st->skip = pos;
		err_clear(&st->src_err);
	} else {
		return -1;
	}
	st->lo = st->hi = 0;
	st->off = pos;
	st->src_pos = pos;
	st->final = 0;
	return 0;
}

long capstream_pread(struct capfile *cf, uint64_t off, size_t n, const uint8_t **p, struct err *e)
{
	struct cap_stream *st = cf->st;
	int fd = spool_usable(st) ? st->spool_fd : st->fd;
	if (n > st->rcap) {
		st->rbuf = xrealloc(st->rbuf, n);
		st->rcap = n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, st->rbuf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(e, EXIT_SYSTEM, (int64_t)off, "%s: offset %llu: cannot read back: %s", cf->name,
				(unsigned long long)off, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*p = st->rbuf;
	return (long)got;
}

int capstream_push(struct capfile *cf, const void *p, size_t n, struct err *e)
{
	struct cap_stream *st = cf->st;
	if (!st || !st->push) {
		err_set(e, EXIT_SYSTEM, -1, "%s: not a pushed capture", cf->name);
		return -1;
	}
	if (st->pushed_end) {
		err_set(e, EXIT_SYSTEM, -1, "%s: bytes pushed after the end", cf->name);
		return -1;
	}
	size_t waiting = st->pq_hi - st->pq_lo;
	if (n > CAP_PUSH_MAX - waiting) {
		err_set(e, EXIT_SYSTEM, -1, "%s: %zu bytes pushed and not read (at most %zu may wait)", cf->name,
			waiting + n, CAP_PUSH_MAX);
		return -1;
	}
	if (!n)
		return 0;
	if (st->pq_lo) {
		memmove(st->pq, st->pq + st->pq_lo, waiting);
		st->pq_lo = 0;
		st->pq_hi = waiting;
	}
	xgrow(&st->pq, &st->pq_cap, st->pq_hi + n, 1);
	memcpy(st->pq + st->pq_hi, p, n);
	st->pq_hi += n;
	return 0;
}

void capstream_push_end(struct capfile *cf)
{
	if (cf->st && cf->st->push)
		cf->st->pushed_end = 1;
}
