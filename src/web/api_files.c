/* api_files.c: see api_files.h. The list and the bytes are export's (out/export_http.h);
 * this file only serves them: it picks the route, checks image signatures, cuts the
 * preview and writes the zip with libzip. */
#include "api_files.h"

#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../model/conn.h"
#include "../out/export_http.h"
#include "../out/json.h"
#include "../session/session.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

struct web_files {
	int have;              /* an export is kept: of capture cap, in dir */
	size_t cap;
	char dir[PATH_MAX];
	struct export_opts eo;
	struct exporter *x;
	unsigned next_zip;     /* for the zips' temporary names */
};

enum { FR_LIST, FR_FILE, FR_PREVIEW, FR_ZIP, FR_N };
static const char *const routes[FR_N] = { "/files", "/file", "/file/preview", "/files.zip" };

int api_files_route(const char *p)
{
	for (int i = 0; i < FR_N; i++)
		if (strcmp(p, routes[i]) == 0)
			return i;
	return -1;
}

struct web_files *web_files_new(void) { return xcalloc(1, sizeof(struct web_files)); }

/* Forgets the kept export and removes its directory: only the names export listed are
 * in it (a zip's temporary file is unlinked once opened), so nothing else is touched. */
static void drop(struct web_files *f)
{
	if (!f->have)
		return;
	if (f->x) {
		for (size_t i = 0; i < export_listed(f->x); i++) {
			struct export_file ef;
			export_file(f->x, i, &ef);
			char path[PATH_MAX];
			if (ef.name && snprintf(path, sizeof path, "%s/%s", f->dir, ef.name) < (int)sizeof path)
				unlink(path);
		}
		export_free(f->x);
		f->x = NULL;
	}
	rmdir(f->dir);
	f->have = 0;
}

void web_files_free(struct web_files *f)
{
	if (!f)
		return;
	drop(f);
	xfree(f);
}

/* Exports src's files into a fresh temporary directory, as `chattcp export src --files
 * DIR --json` would, unless that capture's export is kept. 0, or -1 with r set (a
 * failed export is not kept: the next request tries again, the disk may have room). */
static int ensure(struct web_files *f, const struct web_files_src *src, struct web_reply *r)
{
	if (f->have && f->cap == src->cap)
		return 0;
	drop(f);
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(f->dir, sizeof f->dir, "%s/chattcp-files-XXXXXX", tmp) >= (int)sizeof f->dir || !mkdtemp(f->dir)) {
		char why[PATH_MAX + 64];
		snprintf(why, sizeof why, "cannot make a directory for the files in %s: %s", tmp, strerror(errno));
		web_reply_error(r, 500, why);
		return -1;
	}
	f->have = 1;
	f->cap = src->cap;
	memset(&f->eo, 0, sizeof f->eo);
	f->eo.dir = f->dir;
	f->eo.json = 1; /* the digests */
	f->x = export_new(&f->eo);
	struct export_feed feed = { f->x, NULL, NULL };
	struct session_opts so;
	memset(&so, 0, sizeof so);
	export_session(&so, &feed);
	so.keylog = src->keylog;
	so.mem_limit = UI_SESSION_MEM_MAX;
	struct session *s = session_new(&so);
	int rc = src->mem ? session_open_mem(s, src->name, src->mem, src->mem_len) : session_open(s, src->name);
	if (rc == 0)
		session_run(s); /* damage was told when the capture was opened; what was read is exported */
	struct strbuf listing;
	sb_init(&listing);
	struct err e;
	err_clear(&e);
	long n = -1;
	if (rc == 0 && !session_failed(s))
		n = export_finish(f->x, &listing, &e);
	else if (snprintf(e.msg, sizeof e.msg, "the capture could not be read again for its files: %s",
			  session_error(s)->msg) >= (int)sizeof e.msg)
		e.msg[sizeof e.msg - 2] = '.'; /* cut: the session's message is one line already */
	sb_fini(&listing);
	session_free(s);
	if (n < 0) {
		web_reply_error(r, 500, e.msg);
		drop(f);
		return -1;
	}
	return 0;
}

static int file_in(const struct export_file *ef, const struct conn *cn)
{
	return !cn || (ef->proto == cn->proto && ef->conn == cn->id);
}

/* id= as a file of the kept export: 0, or -1 with r set. */
static int id_arg(const struct web_files *f, const struct web_req *q, struct web_reply *r, size_t *id,
		  struct export_file *ef)
{
	long n = web_num(q->arg(q->ctx, "id"), LONG_MAX);
	if (n < 0 || (size_t)n >= export_listed(f->x)) {
		web_reply_error(r, 404, "no such file (id= takes an id from /api/files)");
		return -1;
	}
	*id = (size_t)n;
	export_file(f->x, *id, ef);
	return 0;
}

/* Opens the file of ef for reading: never through a symlink, only a regular file.
 * The descriptor, its size in *len, or -1 with r set. */
static int open_file(const struct web_files *f, const struct export_file *ef, uint64_t *len, struct web_reply *r)
{
	char path[PATH_MAX];
	int fd = -1;
	struct stat sb;
	if (snprintf(path, sizeof path, "%s/%s", f->dir, ef->name) < (int)sizeof path)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		web_reply_error(r, 500, "the exported file is gone from the server's temporary directory");
		return -1;
	}
	*len = (uint64_t)sb.st_size;
	return fd;
}

/* Reads up to n bytes from the start of fd. The count, or -1. */
static ssize_t read_head(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, p + got, n - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* The image type whose signature p[0..n) starts with, or NULL: only formats a browser
 * draws without running anything (no SVG). */
static const char *image_type(const uint8_t *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

/* Is p[0..n) text to show as it is: well-formed UTF-8 (a sequence cut by the end of the
 * preview counts as whole), no control bytes but tab, line feed, carriage return and
 * form feed, no DEL? */
static int is_text(const uint8_t *p, size_t n, int cut)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len)
			return 0;
		if (i + len > n)
			return cut; /* the preview ends inside it */
		uint32_t cp = c & (0x7f >> len);
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += len;
	}
	return 1;
}

/* The bytes of p[0..n) that make whole UTF-8 characters (is_text said yes). */
static size_t whole_chars(const uint8_t *p, size_t n)
{
	size_t i = n;
	while (i > 0 && i > n - 4 && (p[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && p[i - 1] >= 0xc0) {
		uint8_t c = p[i - 1];
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i - 1 + len > n)
			return i - 1;
	}
	return n;
}

/* Content-Disposition for ef's name: the name export gave it holds only [A-Za-z0-9._-()]
 * and UTF-8 letters, never a quote, a backslash or a control byte; the plain filename
 * is its ASCII part ('_' for the rest), filename* (RFC 5987) the whole name. */
static void disposition(struct web_reply *r, const char *name)
{
	char plain[240], ext[720]; /* export's names are at most 232 bytes: both fit the header */
	size_t o = 0, e = 0;
	static const char hexd[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)name; *p && o + 1 < sizeof plain && e + 4 < sizeof ext; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
			 *p == '-' || *p == '_';
		plain[o++] = ok || *p == '(' || *p == ')' ? (char)*p : '_';
		if (ok) {
			ext[e++] = (char)*p;
		} else {
			ext[e++] = '%';
			ext[e++] = hexd[*p >> 4];
			ext[e++] = hexd[*p & 15];
		}
	}
	plain[o] = '\0';
	ext[e] = '\0';
	if (snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s\"; filename*=UTF-8''%s",
		     o ? plain : "file", e ? ext : "file") >= (int)sizeof r->disposition)
		snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"file\"");
}

static void send_fd(struct web_reply *r, int fd, uint64_t len, const char *type)
{
	r->status = 200;
	r->type = type;
	r->has_fd = 1;
	r->fd = fd;
	r->fd_len = len;
}

static void get_list(const struct web_files *f, const struct conn *cn, struct web_reply *r)
{
	r->status = 200;
	r->type = "application/x-ndjson; charset=utf-8";
	for (size_t i = 0; i < export_listed(f->x); i++) {
		struct export_file ef;
		export_file(f->x, i, &ef);
		if (file_in(&ef, cn))
			export_file_json(&r->body, &ef, (int64_t)i);
	}
}

static void get_file(const struct web_files *f, const struct web_req *q, struct web_reply *r)
{
	size_t id;
	struct export_file ef;
	if (id_arg(f, q, r, &id, &ef) < 0)
		return;
	const char *view = q->arg(q->ctx, "view");
	if (view && strcmp(view, "image") != 0)
		return web_reply_error(r, 400, "view= takes image (or nothing: the download)");
	uint64_t len;
	int fd = open_file(f, &ef, &len, r);
	if (fd < 0)
		return;
	if (!view) {
		disposition(r, ef.name);
		return send_fd(r, fd, len, "application/octet-stream");
	}
	uint8_t head[16];
	ssize_t n = read_head(fd, head, sizeof head);
	const char *type = n > 0 ? image_type(head, (size_t)n) : NULL;
	if (!type) {
		close(fd);
		return web_reply_error(r, 415, "not shown as an image: its first bytes are not PNG, JPEG, GIF or WebP");
	}
	if (len > UI_FILES_IMAGE_MAX) {
		close(fd);
		return web_reply_error(r, 413, "the image is too large to preview (more than 32 MiB): download it");
	}
	send_fd(r, fd, len, type);
}

static void get_preview(const struct web_files *f, const struct web_req *q, struct web_reply *r)
{
	size_t id;
	struct export_file ef;
	if (id_arg(f, q, r, &id, &ef) < 0)
		return;
	uint64_t len;
	int fd = open_file(f, &ef, &len, r);
	if (fd < 0)
		return;
	uint8_t *p = xmalloc(UI_FILES_PREVIEW);
	ssize_t n = read_head(fd, p, UI_FILES_PREVIEW);
	close(fd);
	if (n < 0) {
		xfree(p);
		return web_reply_error(r, 500, "the exported file could not be read");
	}
	size_t got = (size_t)n;
	const char *img = image_type(p, got);
	int cut = len > got;
	r->status = 200;
	r->type = "application/json";
	int fl = 1;
	struct strbuf *b = &r->body;
	sb_putc(b, '{');
	json_u64_field(b, &fl, "id", id);
	json_u64_field(b, &fl, "size", len);
	if (img && len <= UI_FILES_IMAGE_MAX) {
		json_str_field(b, &fl, "kind", "image");
		json_str_field(b, &fl, "image_type", img);
		json_u64_field(b, &fl, "shown", len);
	} else if (got && is_text(p, got, cut)) {
		size_t k = cut ? whole_chars(p, got) : got;
		json_str_field(b, &fl, "kind", "text");
		json_u64_field(b, &fl, "shown", k);
		json_key(b, &fl, "text");
		sb_json_str(b, (const char *)p, k);
	} else {
		static const char hexd[] = "0123456789abcdef";
		size_t k = got > UI_FILES_PREVIEW / 4 ? UI_FILES_PREVIEW / 4 : got; /* 16 kB as hex: 32 kB of JSON */
		json_str_field(b, &fl, "kind", "hex");
		if (img)
			json_str_field(b, &fl, "image_type", img); /* an image too large to draw */
		json_u64_field(b, &fl, "shown", k);
		json_key(b, &fl, "hex");
		sb_putc(b, '"');
		for (size_t i = 0; i < k; i++) {
			sb_putc(b, hexd[p[i] >> 4]);
			sb_putc(b, hexd[p[i] & 15]);
		}
		sb_putc(b, '"');
	}
	sb_puts(b, "}\n");
	xfree(p);
}

/* Every file of cn (or all) in one zip, written next to the files by libzip (which
 * reads each in pieces: memory stays small whatever the files' size), then opened,
 * unlinked and sent from its descriptor. */
static void get_zip(struct web_files *f, const struct conn *cn, struct web_reply *r)
{
	uint64_t sum = 0;
	size_t count = 0;
	for (size_t i = 0; i < export_listed(f->x); i++) {
		struct export_file ef;
		export_file(f->x, i, &ef);
		if (file_in(&ef, cn)) {
			sum += ef.size;
			count++;
		}
	}
	if (sum > UI_FILES_ZIP_MAX) {
		char why[200];
		snprintf(why, sizeof why,
			 "the files add up to %" PRIu64 " bytes, more than the 2 GiB one zip holds: download them one by one, or use chattcp export",
			 sum);
		return web_reply_error(r, 413, why);
	}
	/* ".zip-N": export never names a file with a leading dot */
	char path[PATH_MAX];
	int zerr = 0;
	zip_t *za = NULL;
	if (snprintf(path, sizeof path, "%s/.zip-%u", f->dir, f->next_zip++) < (int)sizeof path)
		za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr);
	if (!za)
		return web_reply_error(r, 500, "cannot make the zip in the server's temporary directory");
	int bad = 0;
	for (size_t i = 0; i < export_listed(f->x) && !bad; i++) {
		struct export_file ef;
		export_file(f->x, i, &ef);
		if (!file_in(&ef, cn))
			continue;
		char fp[PATH_MAX];
		zip_source_t *zs = NULL;
		if (snprintf(fp, sizeof fp, "%s/%s", f->dir, ef.name) < (int)sizeof fp)
			zs = zip_source_file(za, fp, 0, -1);
		zip_int64_t ix = zs ? zip_file_add(za, ef.name, zs, ZIP_FL_ENC_UTF_8) : -1;
		if (ix < 0) {
			if (zs)
				zip_source_free(zs);
			bad = 1;
			break;
		}
		/* already compressed: stored, not deflated again */
		if (strncmp(ef.content_type, "image/", 6) == 0 || strncmp(ef.content_type, "video/", 6) == 0)
			zip_set_file_compression(za, (zip_uint64_t)ix, ZIP_CM_STORE, 0);
	}
	if (bad || zip_close(za) < 0) {
		zip_discard(za);
		unlink(path);
		return web_reply_error(r, 500, "the zip could not be written in the server's temporary directory");
	}
	int fd = -1;
	struct stat sb;
	if (count) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		unlink(path);
	}
	if (!count || fd < 0 || fstat(fd, &sb) < 0) {
		/* libzip writes no file for an archive without entries: an empty zip is its end record */
		if (fd >= 0)
			close(fd);
		r->status = 200;
		r->type = "application/zip";
		sb_add(&r->body, "PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
	} else {
		send_fd(r, fd, (uint64_t)sb.st_size, "application/zip");
	}
	char name[48];
	if (cn)
		snprintf(name, sizeof name, "%s%" PRIu32 "-files.zip", cn->proto == 6 ? "tcp" : "udp", cn->id);
	else
		snprintf(name, sizeof name, "files.zip");
	snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s\"", name);
}

void api_files(struct web_files *f, const struct web_files_src *src, const struct conn *cn, int k,
	       const struct web_req *q, struct web_reply *r)
{
	if (ensure(f, src, r) < 0)
		return;
	if (k == FR_LIST)
		get_list(f, cn, r);
	else if (k == FR_FILE)
		get_file(f, q, r);
	else if (k == FR_PREVIEW)
		get_preview(f, q, r);
	else
		get_zip(f, cn, r);
}
