/* export_http.c: see export_http.h. Names: the last path segment of the request
 * target, percent-decoded, without query or fragment; every byte outside
 * [A-Za-z0-9._-] becomes '_', "." and ".." and empty names become object<N>, so a
 * name can never leave the directory or be absolute. A name already used (in this
 * export, or on disk without --force) gets "(1)", "(2)"... before the extension.
 *
 * Names in capture order, written as they finish: a file's name depends on the files
 * before it in capture order (object<N>, "name(k).ext"), and capture order (the last
 * frame of the message, as tshark numbers objects) is not always the order messages
 * finish in: a body cut by the end of the capture finishes last. So a file is created
 * (O_CREAT|O_EXCL: that one call also says whether the name is taken on disk) under
 * the name it would get if nothing earlier in capture order were still to come, and
 * export_finish works the names out again in capture order and renames only the
 * files whose name changed (through a temporary name ".chattcp-<pid>-<n>", one that
 * safe_name never gives: no leading dot, so a swap cannot clash). In the usual case
 * no file is renamed. Nothing on disk is overwritten before export_finish, which
 * overwrites only with --force.
 *
 * 206 pieces: each piece is written into its resource's file at its offset
 * (pwrite) as soon as its message is over, so no piece waits in memory for the others
 * (a resource may never be complete, so "hold the pieces until it is" could mean
 * holding them to the end). The file ends at the last byte received, never at the
 * total the server claims, and its holes (zeros) are bounded by the bytes received
 * (add_piece says how). Where pieces overlap, the one later in capture order wins, as if they
 * were laid down in that order: a piece that finishes out of order writes only where
 * no later piece already did. Its digest is taken at the end by reading back the bytes
 * placed and hashing the holes as zeros (pieces arrive in any order); every other file is hashed as it is written. Digests
 * are only listed by --json: without it none is computed. */
#include "export_http.h"

#include "../base/exitcodes.h"
#include "../base/sha.h"
#include "../base/strmap.h"
#include "../base/xalloc.h"
#include "../session/session.h"
#include "fmt.h"
#include "json.h"
#include "table.h"
#include "term_text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest name written: file systems take 255 bytes; room is left for " (NNN)". */
#define EXPORT_NAME_MAX 200
/* Room for a name with its "(k)". */
#define EXPORT_NAME_BUF (EXPORT_NAME_MAX + 32)
/* Bytes hashed then written (or read back and hashed) at a time: small enough to stay
 * in the CPU cache between the two passes over them. */
#define EXPORT_CHUNK ((size_t)256 << 10)
/* Temporary names tried before giving up: they carry our pid and a counter, so only
 * leftovers of a killed export with the same pid can be in the way. */
#define EXPORT_TMP_TRIES 1000
/* Highest "(k)" tried for one name before giving up. */
#define EXPORT_K_MAX 10000000u
/* Pieces merged into one 206 resource. A piece that finishes out of capture order is
 * compared with every piece later than it (the later one wins where they overlap), so
 * this bounds the work per piece (4096 such pieces took 0.67 s, 1024 take 0.04 s);
 * download managers use a few to a few hundred pieces. Past it a piece is written as a
 * file of its own, listed with its range. */
#define EXPORT_PIECES_MAX 1024u

#define NO_RANGE UINT32_MAX

struct piece {
	uint64_t first, len; /* bytes [first, first+len) of the resource */
	uint64_t key;        /* capture order of its message (see order_key) */
};

/* The 206 pieces of one resource (one Content-Range total, one host and path). */
struct range {
	struct piece *pieces;
	size_t n, cap;
	uint64_t total;      /* claimed by Content-Range: only checked and reported */
	uint64_t got;        /* body bytes of the pieces placed (overlaps count twice) */
	uint64_t end;        /* the file's size: the end of the last byte placed */
	uint64_t max_key;    /* the latest piece in capture order so far */
};

/* One file: what the listing says about it, kept after its body is gone. */
struct obj {
	uint64_t key;        /* capture order of its (first) message */
	char *uri;           /* request target ("" when unknown); ctype and enc are in the same block */
	const char *ctype;   /* Content-Type value or "" */
	const char *enc;     /* Content-Encoding as sent, or "" */
	char *name;          /* its file in the directory now, or NULL (none, or removed) */
	char *want;          /* export_finish: the name it must move to, when not name */
	uint64_t size;
	const struct conn *c;/* the connection that carried it (valid while its session is) */
	uint32_t conn_id;    /* c's id and protocol, for a listing read after the session */
	uint8_t conn_proto;
	uint8_t decode_failed; /* a content layer could not undo its encoding: the bytes before */
	uint32_t first_frame;/* first frame of the message */
	uint32_t frame;      /* last frame of the message */
	uint32_t range;      /* index in exporter.ranges, or NO_RANGE */
	uint8_t dir, complete;
	uint8_t lone;        /* a 206 piece written as a file of its own (first, total) */
	uint64_t first, total; /* lone: bytes [first, first+size) of total; merged: total */
	dev_t dev;           /* the file we created, to know it again when reopening it */
	ino_t ino;
	char sha[65];        /* --json: filled when written (ranges: at the end) */
};

/* Names handed out so far, and for each base name the next "(k)" to try: a capture
 * with thousands of objects called "index.html" must not make naming quadratic. */
struct names {
	struct strmap used;
	struct strmap next_k;
};

struct exporter {
	const struct export_opts *o;
	int dirfd;           /* -1 until the directory is open */
	long pid;
	uint32_t next_tmp;
	int no_renameat2;    /* the file system refused RENAME_NOREPLACE: link + unlink */
	struct obj *objs;    /* in the order they finished */
	size_t n_objs, cap_objs;
	struct range *ranges;
	size_t n_ranges, cap_ranges;
	struct strmap range_of; /* "total|len(host)|host|path" -> index in objs */
	struct names ours;   /* names of the files created (used: -> 1) */
	struct sha256_ctx *sha; /* NULL without --json */
	uint32_t *order;     /* after export_finish: the files listed, in capture order */
	size_t n_listed;
	struct strbuf *gaps; /* after export_finish: a merged resource's missing ranges */
	uint8_t *buf;        /* EXPORT_CHUNK bytes, to read a merged file back */
	struct err e;        /* the first failure */
};

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Code points kept in a name: letters of a few left-to-right scripts (Latin, Greek,
 * Cyrillic, CJK, kana, Hangul) and the emoticons, ranges in which every code point is
 * assigned and none is a control, a format mark or a combining mark. Everything else
 * becomes '_': C1 controls, zero-width and bidirectional marks, line separators,
 * right-to-left letters (they reorder how a name reads: "gpj.exe" shown as
 * "exe.jpg"), unassigned code points (a later Unicode may make them any of these). */
static int name_cp_ok(uint32_t c)
{
	static const uint32_t ok[][2] = {
		{ 0xc0, 0xd6 }, { 0xd8, 0xf6 }, { 0xf8, 0x24f },      /* Latin-1 letters, Latin Extended-A/B */
		{ 0x391, 0x3a1 }, { 0x3a3, 0x3a9 }, { 0x3b1, 0x3c9 }, /* Greek */
		{ 0x400, 0x481 }, { 0x48a, 0x4ff },                   /* Cyrillic, without its combining marks */
		{ 0x3041, 0x3096 }, { 0x30a1, 0x30fa },               /* Hiragana, Katakana */
		{ 0x4e00, 0x9fa5 },                                   /* CJK Unified Ideographs (Unicode 1.1) */
		{ 0xac00, 0xd7a3 },                                   /* Hangul syllables */
		{ 0x1f600, 0x1f64f },                                 /* Emoticons */
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (c >= ok[i][0] && c <= ok[i][1])
			return 1;
	return 0;
}

/* The length (2-4) of the well-formed UTF-8 sequence at p[0..n) (shortest form, no
 * surrogates), its code point in *cp; 0 when it is not one. */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? (p[0] < 0xf0 ? 3 : 0) : p[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n)
		return 0;
	uint32_t c = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Names Windows reserves for devices, whatever the case and the extension ("nul.tar.gz"
 * too): CON PRN AUX NUL, COM0-9, LPT0-9 (also with the superscripts ¹²³ it takes as
 * digits). name[0..stem) is the part before the first dot. */
static int win_reserved(const char *name, size_t stem)
{
	static const char *const dev[] = { "CON", "PRN", "AUX", "NUL" };
	for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
		if (stem == 3 && strncasecmp(name, dev[i], 3) == 0)
			return 1;
	if (stem < 4 || (strncasecmp(name, "COM", 3) != 0 && strncasecmp(name, "LPT", 3) != 0))
		return 0;
	if (stem == 4)
		return name[3] >= '0' && name[3] <= '9';
	return stem == 5 && (unsigned char)name[3] == 0xc2 &&
	       ((unsigned char)name[4] == 0xb9 || (unsigned char)name[4] == 0xb2 || (unsigned char)name[4] == 0xb3);
}

/* The name a file of this URI gets (n_obj: its number, for object<N>), at most
 * EXPORT_NAME_MAX + 1 bytes into out (outn > EXPORT_NAME_MAX + 2). What comes out is safe as
 * a name on Linux, on Windows and macOS shares and on a command line: only
 * [A-Za-z0-9._-] and UTF-8 letters name_cp_ok keeps (cut at a character boundary), never '/'
 * or '\\' or a control byte, never empty, "." or "..", never starting with '.' (hidden,
 * and our temporary names) or '-' (an option to the next command), never ending in '.'
 * (Windows drops it), never a Windows device name: the offending byte becomes '_', or
 * '_' is put in front. */
static void safe_name(const char *uri, uint32_t n_obj, char *out, size_t outn)
{
	const char *s = uri ? uri : "";
	/* absolute-form "http://host/path": skip scheme and authority */
	const char *sch = strstr(s, "://");
	if (sch && sch < s + 10) {
		s = sch + 3;
		const char *sl = strchr(s, '/');
		s = sl ? sl : "";
	}
	size_t end = strcspn(s, "?#");
	size_t start = end;
	while (start > 0 && s[start - 1] != '/')
		start--;
	/* Percent-decoded, as many bytes as can end up in the name (4 per character at most
	 * are looked at past the cut). */
	uint8_t raw[EXPORT_NAME_MAX + 4];
	size_t nr = 0;
	for (size_t i = start; i < end && nr < sizeof raw; i++) {
		int c = (unsigned char)s[i];
		if (c == '%' && i + 2 < end && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
			c = hexv(s[i + 1]) * 16 + hexv(s[i + 2]);
			i += 2;
		}
		raw[nr++] = (uint8_t)c;
	}
	size_t o = 0;
	for (size_t i = 0; i < nr && o < EXPORT_NAME_MAX;) {
		int c = raw[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_') {
			out[o++] = (char)c;
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = c >= 0x80 ? utf8_seq(raw + i, nr - i, &cp) : 0;
		if (len && name_cp_ok(cp)) {
			if (o + len > EXPORT_NAME_MAX)
				break; /* never half a character */
			memcpy(out + o, raw + i, len);
			o += len;
			i += len;
			continue;
		}
		out[o++] = '_';
		i += len ? len : 1;
	}
	out[o] = '\0';
	if (strspn(out, ".") == o) { /* "", ".", "..", "...": nothing that names a file */
		snprintf(out, outn, "object%" PRIu32, n_obj);
		return;
	}
	if (out[0] == '.' || out[0] == '-')
		out[0] = '_';
	for (size_t i = o; i > 0 && out[i - 1] == '.'; i--)
		out[i - 1] = '_';
	if (win_reserved(out, strcspn(out, "."))) { /* one byte over EXPORT_NAME_MAX at most */
		memmove(out + 1, out, o + 1);
		out[0] = '_';
	}
}

static int parse_range(const char *v, uint64_t *a, uint64_t *b, uint64_t *t)
{
	unsigned long long x, y, z;
	char star;
	if (sscanf(v, "bytes %llu-%llu/%llu", &x, &y, &z) == 3 && x <= y && y < z) {
		*a = x, *b = y, *t = z;
		return 0;
	}
	if (sscanf(v, "bytes %llu-%llu/%c", &x, &y, &star) == 3 && star == '*' && x <= y) {
		*a = x, *b = y, *t = 0;
		return 0;
	}
	return -1;
}

/* rq: the request m answers (m itself for a request), or NULL. */
static const char *uri_of(const struct appmsg *m, const struct appmsg *rq)
{
	if (m->http->is_request)
		return m->http->uri;
	return rq && rq->http ? rq->http->uri : NULL;
}

static const char *host_of(const struct appmsg *m, const struct appmsg *rq)
{
	if (m->http->is_request)
		rq = m;
	const struct appkv *h = rq ? appmsg_find(rq, "Host") : NULL;
	return h ? h->value : "";
}

/* Capture order, as tshark numbers objects: by the frame that ends the message, then
 * by the order messages were made (messages ending in one frame). */
static uint64_t order_key(const struct appmsg *m)
{
	return (uint64_t)m->last_frame << 32 | m->id;
}

static void names_init(struct names *nm)
{
	strmap_init(&nm->used);
	strmap_init(&nm->next_k);
}

static void names_fini(struct names *nm)
{
	strmap_fini(&nm->used);
	strmap_fini(&nm->next_k);
}

/* The candidates for base, in order: "base", then "stem(k).ext" from the next k the
 * base is known to need. *k is the state between calls (name_first sets it). */
static void name_first(const struct names *nm, const char *base, char *out, unsigned *k)
{
	const uint32_t *next = strmap_get(&nm->next_k, base);
	*k = next ? *next : 1;
	snprintf(out, EXPORT_NAME_BUF, "%s", base);
}

/* 0, or -1 when the "(k)" are used up. */
static int name_next(const char *base, char *out, unsigned *k)
{
	if (*k >= EXPORT_K_MAX)
		return -1;
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	snprintf(out, EXPORT_NAME_BUF, "%.*s(%u)%s", (int)stem, base, (*k)++, base + stem);
	return 0;
}

static void name_take(struct names *nm, const char *base, const char *name, unsigned k)
{
	strmap_put(&nm->next_k, base, k);
	strmap_put(&nm->used, name, 1);
}

static void tmp_name(const struct exporter *x, uint32_t n, char *out, size_t outn)
{
	snprintf(out, outn, ".chattcp-%ld-%" PRIu32, x->pid, n);
}

static int open_dir(struct exporter *x)
{
	if (x->dirfd >= 0)
		return 0;
	if (x->e.set)
		return -1;
	if (mkdir(x->o->dir, 0755) < 0 && errno != EEXIST) {
		err_set(&x->e, EXIT_SYSTEM, -1, "%s: %s", x->o->dir, strerror(errno));
		return -1;
	}
	x->dirfd = open(x->o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->dirfd < 0) {
		err_set(&x->e, EXIT_SYSTEM, -1, "%s: %s", x->o->dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void file_failed(struct exporter *x, struct obj *ob, int fd);

/* Creates ob's file under the first free name its URI gives (object<N>: N is its
 * place in finishing order) and returns the descriptor, or -1 with x->e set.
 * O_EXCL|O_NOFOLLOW: never an existing file, never through a symlink; a name taken
 * on disk moves on to the next "(k)". */
static int create_file(struct exporter *x, struct obj *ob)
{
	if (open_dir(x) < 0)
		return -1;
	char base[EXPORT_NAME_MAX + 16], name[EXPORT_NAME_BUF];
	unsigned k;
	safe_name(ob->uri, (uint32_t)(ob - x->objs), base, sizeof base);
	name_first(&x->ours, base, name, &k);
	for (;;) {
		if (!strmap_get(&x->ours.used, name)) {
			int fd = openat(x->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0) {
				struct stat sb;
				name_take(&x->ours, base, name, k);
				ob->name = xstrdup(name);
				if (fstat(fd, &sb) < 0) {
					file_failed(x, ob, fd);
					return -1;
				}
				ob->dev = sb.st_dev;
				ob->ino = sb.st_ino;
				return fd;
			}
			if (errno != EEXIST) {
				err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: %s", x->o->dir, name, strerror(errno));
				return -1;
			}
		}
		if (name_next(base, name, &k) < 0) {
			err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: too many files of that name", x->o->dir, base);
			return -1;
		}
	}
}

/* Writes p[0..n) at offset at (at < 0: at the file position). 0, or -1 with errno. */
static int put(int fd, const uint8_t *p, size_t n, int64_t at)
{
	while (n) {
		ssize_t w = at < 0 ? write(fd, p, n) : pwrite(fd, p, n, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		if (at >= 0)
			at += w;
	}
	return 0;
}

/* Records the first failure (errno) on ob's file, closes fd (when >= 0) and removes
 * the file: a file cut short must not stay. */
static void file_failed(struct exporter *x, struct obj *ob, int fd)
{
	err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: %s", x->o->dir, ob->name, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlinkat(x->dirfd, ob->name, 0);
	xfree(ob->name);
	ob->name = NULL;
}

/* Opens ob's file again (flags: O_WRONLY or O_RDWR), refusing anything but the file we
 * created: never through a symlink (O_NOFOLLOW), never another file put under its name
 * since (the device and inode must match: a hard link to a file elsewhere would
 * otherwise be written into). -1 with x->e set; a file that is not ours is left alone. */
static int reopen(struct exporter *x, struct obj *ob, int flags)
{
	int fd = openat(x->dirfd, ob->name, flags | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		file_failed(x, ob, fd);
		return -1;
	}
	if (sb.st_dev != ob->dev || sb.st_ino != ob->ino || !S_ISREG(sb.st_mode)) {
		err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: replaced by another file during the export; not written",
			x->o->dir, ob->name);
		close(fd);
		xfree(ob->name);
		ob->name = NULL;
		return -1;
	}
	return fd;
}

/* (Re)sets what the listing says about ob from message m (index ix) of l. */
static void set_meta(struct obj *ob, const struct conn *c, const struct appmsg *m, const struct appmsg *rq)
{
	const char *uri = uri_of(m, rq);
	const struct appkv *ct = appmsg_find(m, "Content-Type");
	const char *cts = ct ? ct->value : "";
	const char *enc = m->http->content_encoding ? m->http->content_encoding : "";
	if (!uri)
		uri = "";
	size_t ul = strlen(uri), cl = strlen(cts), el = strlen(enc);
	xfree(ob->uri);
	ob->uri = xmalloc(ul + cl + el + 3);
	memcpy(ob->uri, uri, ul + 1);
	memcpy(ob->uri + ul + 1, cts, cl + 1);
	memcpy(ob->uri + ul + cl + 2, enc, el + 1);
	ob->ctype = ob->uri + ul + 1;
	ob->enc = ob->uri + ul + cl + 2;
	ob->decode_failed = m->body && m->body->failed;
	ob->key = order_key(m);
	ob->c = c;
	ob->conn_id = c ? c->id : 0;
	ob->conn_proto = c ? c->proto : 6;
	ob->first_frame = m->first_frame;
	ob->frame = m->last_frame;
	ob->dir = m->dir;
}

/* A new record (the pointer is valid until the next new_obj). */
static struct obj *new_obj(struct exporter *x, const struct conn *c, const struct appmsg *m, const struct appmsg *rq)
{
	xgrow(&x->objs, &x->cap_objs, x->n_objs + 1, sizeof *x->objs);
	struct obj *ob = &x->objs[x->n_objs++];
	memset(ob, 0, sizeof *ob);
	ob->range = NO_RANGE;
	set_meta(ob, c, m, rq);
	return ob;
}

static void write_whole(struct exporter *x, struct obj *ob, const uint8_t *p, size_t n)
{
	int fd = create_file(x, ob);
	if (fd < 0)
		return;
	if (x->sha)
		sha256_start(x->sha);
	for (size_t o = 0; o < n; o += EXPORT_CHUNK) {
		size_t k = n - o < EXPORT_CHUNK ? n - o : EXPORT_CHUNK;
		if (x->sha)
			sha256_add(x->sha, p + o, k);
		if (put(fd, p + o, k, -1) < 0) {
			file_failed(x, ob, fd);
			return;
		}
	}
	if (x->sha)
		sha256_end(x->sha, ob->sha);
	if (close(fd) < 0)
		file_failed(x, ob, -1);
}

struct span {
	uint64_t a, b; /* [a, b) */
};

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* Writes piece pc (bytes body[0..pc->len)) into its resource's file: all of it when it
 * is the latest in capture order, else only where no later piece wrote. */
static void write_piece(struct exporter *x, struct obj *ob, const struct range *r, const struct piece *pc,
			const uint8_t *body)
{
	int fd = reopen(x, ob, O_WRONLY);
	if (fd < 0)
		return;
	uint64_t a = pc->first, b = pc->first + pc->len;
	int rc = 0;
	if (r->n == 0 || pc->key > r->max_key) {
		rc = put(fd, body, (size_t)pc->len, (int64_t)a);
	} else {
		struct span *sp = xmalloc(r->n * sizeof *sp);
		size_t ns = 0;
		for (size_t i = 0; i < r->n; i++) {
			const struct piece *q = &r->pieces[i];
			if (q->key > pc->key && q->first < b && q->first + q->len > a) {
				sp[ns].a = q->first > a ? q->first : a;
				sp[ns].b = q->first + q->len < b ? q->first + q->len : b;
				ns++;
			}
		}
		qsort(sp, ns, sizeof *sp, span_cmp);
		uint64_t pos = a;
		for (size_t i = 0; i <= ns && rc == 0; i++) {
			uint64_t s = i < ns ? sp[i].a : b;
			if (s > pos)
				rc = put(fd, body + (pos - a), (size_t)(s - pos), (int64_t)pos);
			if (i < ns && sp[i].b > pos)
				pos = sp[i].b;
		}
		xfree(sp);
	}
	if (rc < 0) {
		file_failed(x, ob, fd);
		return;
	}
	if (close(fd) < 0)
		file_failed(x, ob, -1);
}

/* Bytes of piece [a, b] (a <= b) a body of n bytes holds: the range, or fewer when the
 * body is shorter (b - a + 1 is never formed: it wraps for [0, 2^64-1]). */
static uint64_t piece_len(uint64_t a, uint64_t b, size_t n)
{
	return b - a >= n ? n : b - a + 1;
}

/* A 206 piece that is not merged (see add_piece): a file of its own, listed with the
 * range it holds. */
static void write_lone(struct exporter *x, const struct conn *c, const struct appmsg *m, const struct appmsg *rq,
		       uint64_t a, uint64_t len, uint64_t t)
{
	struct obj *ob = new_obj(x, c, m, rq);
	ob->lone = 1;
	ob->first = a;
	ob->total = t;
	ob->size = len;
	ob->complete = a == 0 && len == t && m->http->body_complete && !m->body->failed && !m->body->capped;
	if (!x->e.set)
		write_whole(x, ob, m->body->p, (size_t)len);
}

/* Piece [a, b] of total t. Pieces of one resource (the same total, Host and path,
 * compared whole: a key is never cut) go into one file at their offsets. The file is
 * as long as the last byte placed, never the claimed total, and the holes left in it
 * (zeros) are never more than the bytes its pieces carried: a piece that would break
 * that, or come past EXPORT_PIECES_MAX, is a file of its own. So a merged file is at
 * most twice the body bytes that made it, and the claimed total costs nothing. */
static void add_piece(struct exporter *x, const struct conn *c, const struct appmsg *m, const struct appmsg *rq,
		      uint64_t a, uint64_t b, uint64_t t)
{
	const char *u = uri_of(m, rq), *h = host_of(m, rq);
	struct strbuf key;
	sb_init(&key);
	sb_printf(&key, "%" PRIu64 "|%zu|%s|", t, strlen(h), h);
	if (u)
		sb_add(&key, u, strcspn(u, "?#"));
	const uint32_t *slot = strmap_get(&x->range_of, key.s ? key.s : "");
	uint64_t k = order_key(m);
	uint64_t len = piece_len(a, b, m->body->len);
	const struct range *was = slot ? &x->ranges[x->objs[*slot].range] : NULL;
	uint64_t got = (was ? was->got : 0) + len, end = was && was->end > a + len ? was->end : a + len;
	if ((was && was->n >= EXPORT_PIECES_MAX) || end > 2 * got) {
		sb_fini(&key);
		write_lone(x, c, m, rq, a, len, t);
		return;
	}
	struct obj *ob;
	if (!slot) {
		ob = new_obj(x, c, m, rq);
		ob->range = (uint32_t)x->n_ranges;
		ob->total = t;
		xgrow(&x->ranges, &x->cap_ranges, x->n_ranges + 1, sizeof *x->ranges);
		memset(&x->ranges[x->n_ranges], 0, sizeof x->ranges[x->n_ranges]);
		x->ranges[x->n_ranges++].total = t;
		strmap_put(&x->range_of, key.s, (uint32_t)(ob - x->objs));
		int fd = x->e.set ? -1 : create_file(x, ob);
		if (fd >= 0 && close(fd) < 0)
			file_failed(x, ob, -1);
	} else {
		ob = &x->objs[*slot];
		if (k < ob->key)
			set_meta(ob, c, m, rq); /* the first piece in capture order speaks for the file */
	}
	sb_fini(&key);
	struct range *r = &x->ranges[ob->range];
	struct piece pc = { a, len, k };
	if (ob->name && !x->e.set)
		write_piece(x, ob, r, &pc, m->body->p);
	xgrow(&r->pieces, &r->cap, r->n + 1, sizeof *r->pieces);
	r->pieces[r->n++] = pc;
	r->got = got;
	r->end = end;
	ob->size = end;
	if (r->n == 1 || k > r->max_key)
		r->max_key = k;
}

struct exporter *export_new(const struct export_opts *o)
{
	struct exporter *x = xcalloc(1, sizeof *x);
	x->o = o;
	x->dirfd = -1;
	x->pid = (long)getpid();
	strmap_init(&x->range_of);
	names_init(&x->ours);
	x->sha = o->json ? sha256_new() : NULL;
	err_clear(&x->e);
	return x;
}

void export_msg(struct exporter *x, const struct conn *c, const struct appmsg *m, const struct appmsg *rq)
{
	const struct app_http *h = m->http;
	const struct appbody *bd = m->body;
	if (!h || !bd || !bd->len)
		return;
	const struct appkv *cr = !h->is_request && h->status == 206 ? appmsg_find(m, "Content-Range") : NULL;
	const struct appkv *ct = appmsg_find(m, "Content-Type");
	uint64_t a, b, t;
	if (cr && parse_range(cr->value, &a, &b, &t) == 0 && !(ct && strncasecmp(ct->value, "multipart/", 10) == 0)) {
		if (t && t <= EXPORT_MERGE_MAX)
			add_piece(x, c, m, rq, a, b, t);
		else /* an unknown total ('*'), or one too large to take on the server's word */
			write_lone(x, c, m, rq, a, piece_len(a, b, bd->len), t);
		return;
	}
	struct obj *ob = new_obj(x, c, m, rq);
	ob->size = bd->len;
	ob->complete = h->body_complete && !bd->failed && !bd->capped;
	if (!x->e.set)
		write_whole(x, ob, bd->p, bd->len);
}

/* A merged file at the end: the gaps (against the claimed total) go to gaps, the
 * digest (--json) is taken over the file: the bytes placed are read back, the holes
 * between them are hashed as the zeros they read as, never read. The work is the
 * file's size, which add_piece bounds by the bytes received. 0, or -1 with x->e set. */
static int finish_range(struct exporter *x, struct obj *ob, struct strbuf *gaps)
{
	const struct range *r = &x->ranges[ob->range];
	struct span *sp = xmalloc((r->n ? r->n : 1) * sizeof *sp);
	for (size_t i = 0; i < r->n; i++) {
		sp[i].a = r->pieces[i].first;
		sp[i].b = r->pieces[i].first + r->pieces[i].len;
	}
	qsort(sp, r->n, sizeof *sp, span_cmp);
	/* merged into disjoint runs, in place */
	size_t nr = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (nr && sp[i].a <= sp[nr - 1].b) {
			if (sp[i].b > sp[nr - 1].b)
				sp[nr - 1].b = sp[i].b;
		} else {
			sp[nr++] = sp[i];
		}
	}
	uint64_t pos = 0, missing = 0;
	for (size_t i = 0; i <= nr; i++) {
		uint64_t s = i < nr ? sp[i].a : r->total;
		if (s > pos) {
			sb_printf(gaps, "%s%" PRIu64 "-%" PRIu64, gaps->len ? "," : "", pos, s - 1);
			missing += s - pos;
		}
		if (i < nr)
			pos = sp[i].b;
	}
	ob->complete = missing == 0;
	ob->size = r->end;
	int fd = reopen(x, ob, O_RDWR);
	if (fd < 0) {
		xfree(sp);
		return -1;
	}
	if (ftruncate(fd, (off_t)r->end) < 0) {
		xfree(sp);
		file_failed(x, ob, fd);
		return -1;
	}
	if (x->sha) {
		if (!x->buf)
			x->buf = xmalloc(EXPORT_CHUNK);
		sha256_start(x->sha);
		pos = 0;
		for (size_t i = 0; i <= nr; i++) {
			uint64_t s = i < nr ? sp[i].a : r->end;
			static const uint8_t zeros[4096];
			for (; pos < s;) { /* a hole: zeros, not read */
				size_t k = s - pos < sizeof zeros ? (size_t)(s - pos) : sizeof zeros;
				sha256_add(x->sha, zeros, k);
				pos += k;
			}
			if (i == nr)
				break;
			for (; pos < sp[i].b;) {
				size_t want = sp[i].b - pos < EXPORT_CHUNK ? (size_t)(sp[i].b - pos) : EXPORT_CHUNK;
				ssize_t n = pread(fd, x->buf, want, (off_t)pos);
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0) {
					if (n == 0)
						errno = EIO; /* shorter than the pieces written into it */
					xfree(sp);
					file_failed(x, ob, fd);
					return -1;
				}
				sha256_add(x->sha, x->buf, (size_t)n);
				pos += (uint64_t)n;
			}
		}
		sha256_end(x->sha, ob->sha);
	}
	xfree(sp);
	if (close(fd) < 0) {
		file_failed(x, ob, -1);
		return -1;
	}
	return 0;
}

/* Renames ob's file to newname: never over an existing file, except with force.
 * 0, or -1 with errno (EEXIST: taken). */
static int move_to(struct exporter *x, struct obj *ob, const char *newname, int force)
{
	int rc;
	if (force) {
		rc = renameat(x->dirfd, ob->name, x->dirfd, newname);
	} else {
		rc = x->no_renameat2 ? -1 : renameat2(x->dirfd, ob->name, x->dirfd, newname, RENAME_NOREPLACE);
		if (rc < 0 && (x->no_renameat2 || errno == EINVAL || errno == ENOSYS)) {
			/* The file system has no RENAME_NOREPLACE: link() does not replace
			 * either; then the old name goes. */
			x->no_renameat2 = 1;
			rc = linkat(x->dirfd, ob->name, x->dirfd, newname, 0);
			if (rc == 0)
				unlinkat(x->dirfd, ob->name, 0);
		}
	}
	if (rc == 0) {
		xfree(ob->name);
		ob->name = xstrdup(newname);
	}
	return rc;
}

/* Is name taken for the capture-order naming (want)? By an earlier file, or on disk by
 * a file that is not ours (unless --force). */
static int want_taken(struct exporter *x, const struct names *want, const char *name)
{
	if (strmap_get(&want->used, name))
		return 1;
	if (x->o->force || strmap_get(&x->ours.used, name))
		return 0;
	struct stat sb;
	return fstatat(x->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static void file_of(const struct exporter *x, const struct obj *ob, struct export_file *f)
{
	memset(f, 0, sizeof *f);
	f->name = ob->name;
	f->content_type = ob->ctype;
	f->content_encoding = ob->enc;
	f->uri = ob->uri;
	f->sha256 = ob->sha;
	f->size = ob->size;
	f->total = ob->total;
	f->lone = ob->lone;
	f->first = ob->first;
	f->conn = ob->conn_id;
	f->proto = ob->conn_proto;
	f->first_frame = ob->first_frame;
	f->frame = ob->frame;
	f->complete = ob->complete;
	f->response = ob->dir != 0;
	f->decode_failed = ob->decode_failed;
	f->parts = ob->range == NO_RANGE ? 1 : x->ranges[ob->range].n;
	f->gaps = ob->range != NO_RANGE && x->gaps && x->gaps[ob->range].s ? x->gaps[ob->range].s : "";
}

void export_file_json(struct strbuf *out, const struct export_file *fl, int64_t id)
{
	int f = 1;
	sb_putc(out, '{');
	if (id >= 0)
		json_u64_field(out, &f, "id", (uint64_t)id);
	json_str_field(out, &f, "name", fl->name);
	json_str_field(out, &f, "content_type", fl->content_type);
	if (fl->content_encoding[0]) {
		json_str_field(out, &f, "content_encoding", fl->content_encoding);
		json_key(out, &f, "decoded");
		sb_puts(out, fl->decode_failed ? "false" : "true");
	}
	json_u64_field(out, &f, "size", fl->size);
	json_str_field(out, &f, "sha256", fl->sha256);
	json_key(out, &f, "complete");
	sb_puts(out, fl->complete ? "true" : "false");
	json_u64_field(out, &f, "conn", fl->conn);
	json_u64_field(out, &f, "first_frame", fl->first_frame);
	json_u64_field(out, &f, "frame", fl->frame);
	json_str_field(out, &f, "uri", fl->uri);
	json_str_field(out, &f, "dir", fl->response ? "response" : "request");
	if (fl->parts > 1)
		json_u64_field(out, &f, "parts", fl->parts);
	if (fl->gaps[0])
		json_str_field(out, &f, "gaps", fl->gaps);
	if (fl->total)
		json_u64_field(out, &f, "total", fl->total);
	if (fl->lone) {
		char rg[48];
		snprintf(rg, sizeof rg, "%" PRIu64 "-%" PRIu64, fl->first, fl->first + fl->size - 1);
		json_str_field(out, &f, "range", rg);
	}
	sb_puts(out, "}\n");
}

static void report(struct strbuf *out, const struct exporter *x, const struct obj *ob, const char *gaps)
{
	if (x->o->json) {
		struct export_file fl;
		file_of(x, ob, &fl);
		export_file_json(out, &fl, -1);
	} else {
		/* One row of cells, each ended by a tab (terminal form never holds one), laid
		 * out by list_table once every row is known. Name and type come from the
		 * capture (URI, Content-Type). */
		term_text_str(out, ob->name);
		sb_printf(out, "\t%" PRIu64 "\t", ob->size);
		term_text_str(out, ob->ctype);
		sb_printf(out, "\t%s%s%s", ob->complete ? "complete" : "INCOMPLETE", gaps && *gaps ? ", missing " : "",
			  gaps ? gaps : "");
		if (ob->lone && ob->total)
			sb_printf(out, ", bytes %" PRIu64 "-%" PRIu64 " of %" PRIu64 " alone", ob->first,
				  ob->first + ob->size - 1, ob->total);
		else if (ob->lone)
			sb_printf(out, ", bytes %" PRIu64 "-%" PRIu64 " alone", ob->first, ob->first + ob->size - 1);
		sb_puts(out, "\t\n");
	}
}

enum { EC_NAME, EC_SIZE, EC_TYPE, EC_STATUS, EC_N };

/* The file list: a name keeps its extension when cut (in the middle), the type is cut
 * at its end, the status (the missing ranges can be long) wraps under itself. */
static const struct table_col export_cols[EC_N] = {
	[EC_NAME] = { .head = "FILE", .mid = 1, .min = 16 },
	[EC_SIZE] = { .head = "BYTES", .right = 1, .min = 255 },
	[EC_TYPE] = { .head = "TYPE", .min = 10 },
	[EC_STATUS] = { .head = "STATUS", .wrap = 1, .min = 10 },
};

/* Splits the row at *p (cells ended by tabs, the row by a newline) into cells (pointing
 * into the row, tabs replaced by NULs) and moves *p past it. */
static void row_cells(char **p, const char **cells)
{
	for (int i = 0; i < EC_N; i++) {
		char *tab = strchr(*p, '\t');
		cells[i] = *p;
		*tab = '\0';
		*p = tab + 1;
	}
	*p += 1; /* the newline */
}

/* The rows report() wrote into rows, laid out as a table that fits the width into out. */
static void list_table(struct strbuf *out, struct strbuf *rows, const struct layout *ly)
{
	struct layout dflt = { WIDTH_DEFAULT, 0, 0 };
	struct table t;
	table_init(&t, export_cols, EC_N, ly ? ly : &dflt);
	const char *cells[EC_N];
	struct strbuf copy;
	sb_init(&copy);
	sb_add(&copy, rows->s ? rows->s : "", rows->len);
	for (char *p = copy.s; p && *p;) {
		row_cells(&p, cells);
		table_measure(&t, cells);
	}
	table_layout(&t);
	if (rows->len)
		table_head(&t, out);
	for (char *p = rows->s; p && *p;) {
		row_cells(&p, cells);
		table_row(&t, out, cells);
	}
	sb_fini(&copy);
}

static int key_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct obj *objs = ctx;
	uint64_t a = objs[*(const uint32_t *)pa].key, b = objs[*(const uint32_t *)pb].key;
	return a < b ? -1 : a > b;
}

/* Removes the files of order[from..n). */
static void remove_files(struct exporter *x, const uint32_t *order, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++) {
		struct obj *ob = &x->objs[order ? order[i] : i];
		if (ob->name) {
			unlinkat(x->dirfd, ob->name, 0);
			xfree(ob->name);
			ob->name = NULL;
		}
	}
}

/* Works out the names in capture order into ob->want (only where they differ from
 * the file's name now). 0, or -1 with x->e set. */
static int plan_names(struct exporter *x, const uint32_t *order)
{
	struct names want;
	names_init(&want);
	int rc = 0;
	for (size_t i = 0; i < x->n_objs && rc == 0; i++) {
		struct obj *ob = &x->objs[order[i]];
		char base[EXPORT_NAME_MAX + 16], name[EXPORT_NAME_BUF];
		unsigned k;
		safe_name(ob->uri, (uint32_t)i, base, sizeof base);
		name_first(&want, base, name, &k);
		while (want_taken(x, &want, name))
			if (name_next(base, name, &k) < 0) {
				err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: too many files of that name", x->o->dir, base);
				rc = -1;
				break;
			}
		name_take(&want, base, name, k);
		if (strcmp(name, ob->name) != 0)
			ob->want = xstrdup(name);
	}
	names_fini(&want);
	return rc;
}

long export_finish(struct exporter *x, struct strbuf *out, struct err *e)
{
	open_dir(x);
	if (x->e.set) {
		/* A failure while writing: some files are missing, so none is kept. */
		remove_files(x, NULL, 0, x->n_objs);
		*e = x->e;
		return -1;
	}
	uint32_t *order = xmalloc((x->n_objs ? x->n_objs : 1) * sizeof *order);
	for (size_t i = 0; i < x->n_objs; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, x->n_objs, sizeof *order, key_cmp, x->objs);
	struct strbuf *gaps = xcalloc(x->n_ranges ? x->n_ranges : 1, sizeof *gaps);
	for (size_t i = 0; i < x->n_ranges; i++)
		sb_init(&gaps[i]);
	x->gaps = gaps;
	for (size_t i = 0; i < x->n_objs && !x->e.set; i++) {
		struct obj *ob = &x->objs[i];
		if (ob->range != NO_RANGE)
			finish_range(x, ob, &gaps[ob->range]);
	}
	if (!x->e.set)
		plan_names(x, order);
	/* Files whose name changes step aside first, so that names can be swapped. */
	for (size_t i = 0; i < x->n_objs && !x->e.set; i++) {
		struct obj *ob = &x->objs[i];
		for (int tries = 1; ob->want; tries++) {
			char tmp[64];
			tmp_name(x, x->next_tmp++, tmp, sizeof tmp);
			if (move_to(x, ob, tmp, 0) == 0)
				break;
			if (errno != EEXIST || tries >= EXPORT_TMP_TRIES) {
				err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: %s", x->o->dir, ob->name, strerror(errno));
				break;
			}
		}
	}
	size_t i = 0;
	long written = 0;
	struct strbuf rows; /* text: the rows, laid out when all are known */
	sb_init(&rows);
	for (; i < x->n_objs && !x->e.set; i++) {
		struct obj *ob = &x->objs[order[i]];
		if (ob->want && move_to(x, ob, ob->want, x->o->force) < 0) {
			err_set(&x->e, EXIT_SYSTEM, -1, "%s/%s: %s", x->o->dir, ob->want, strerror(errno));
			break;
		}
		report(x->o->json ? out : &rows, x, ob, ob->range == NO_RANGE ? NULL : gaps[ob->range].s);
		written++;
	}
	if (!x->o->json)
		list_table(out, &rows, x->o->ly);
	sb_fini(&rows);
	x->order = order; /* kept for export_file, as the gaps */
	x->n_listed = (size_t)written;
	if (x->e.set) {
		/* The files listed so far stay; the rest go. */
		remove_files(x, order, i, x->n_objs);
		*e = x->e;
		return -1;
	}
	return written;
}

size_t export_listed(const struct exporter *x) { return x->n_listed; }

void export_file(const struct exporter *x, size_t i, struct export_file *f)
{
	file_of(x, &x->objs[x->order[i]], f);
}

void export_free(struct exporter *x)
{
	if (!x)
		return;
	if (x->dirfd >= 0)
		close(x->dirfd);
	for (size_t i = 0; i < x->n_objs; i++) {
		xfree(x->objs[i].uri);
		xfree(x->objs[i].name);
		xfree(x->objs[i].want);
	}
	xfree(x->objs);
	for (size_t i = 0; i < x->n_ranges; i++)
		xfree(x->ranges[i].pieces);
	xfree(x->ranges);
	xfree(x->order);
	if (x->gaps)
		for (size_t r = 0; r < x->n_ranges; r++)
			sb_fini(&x->gaps[r]);
	xfree(x->gaps);
	strmap_fini(&x->range_of);
	names_fini(&x->ours);
	sha256_free(x->sha);
	xfree(x->buf);
	xfree(x);
}

static void feed_http(void *ctx, const struct sess_http *h)
{
	struct export_feed *f = ctx;
	if (f->choose && !f->choose(f->ctx, h))
		return;
	if (h->req)
		export_msg(f->x, h->c, h->req, h->req);
	if (h->resp)
		export_msg(f->x, h->c, h->resp, h->req);
}

void export_session(struct session_opts *so, struct export_feed *f)
{
	so->app = 1;
	so->body = SESS_BODY_WHOLE;
	so->live_release = 1;
	so->on_http = feed_http;
	so->ctx = f;
}
