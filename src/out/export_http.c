/* export_http.c: see export_http.h. Names: the last path segment of the request
 * target, percent-decoded, without query or fragment; every byte outside
 * [A-Za-z0-9._-] becomes '_', "." and ".." and empty names become object<N>, so a
 * name can never leave the directory or be absolute. A name already used (in this
 * export, or on disk without --force) gets " (1)", " (2)"... before the extension. */
#include "export_http.h"

#include "../base/exitcodes.h"
#include "../base/sha.h"
#include "../base/strmap.h"
#include "../base/xalloc.h"
#include "fmt.h"
#include "json.h"

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

struct piece {
	uint32_t msg;
	uint64_t first, last, total; /* Content-Range bytes first-last/total */
};

struct item {
	char *key;     /* host + path: which 206 pieces belong together */
	uint32_t msg;  /* the (first) response */
	struct piece *pieces;
	size_t n_pieces, cap_pieces;
	int ranged;
};

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

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
	size_t o = 0;
	for (size_t i = start; i < end && o + 1 < outn && o < EXPORT_NAME_MAX; i++) {
		int c = (unsigned char)s[i];
		if (c == '%' && i + 2 < end && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
			c = hexv(s[i + 1]) * 16 + hexv(s[i + 2]);
			i += 2;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			c = '_';
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (o == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		snprintf(out, outn, "object%" PRIu32, n_obj);
	else if (out[0] == '.')
		out[0] = '_'; /* no hidden files */
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

/* Names handed out so far, and for each base name the next "(k)" to try: a capture
 * with thousands of objects called "index.html" must not make naming quadratic. */
struct names {
	struct strmap used;
	struct strmap next_k;
};

static int name_taken(const struct names *nm, const char *dir, const char *name, int force)
{
	if (strmap_get(&nm->used, name))
		return 1;
	if (force)
		return 0;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct stat sb;
	return lstat(path, &sb) == 0;
}

static void unique_name(struct names *nm, const char *dir, const char *base, int force, char *out, size_t outn)
{
	snprintf(out, outn, "%s", base);
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	uint32_t *next = strmap_get(&nm->next_k, base);
	unsigned k = next ? *next : 1;
	if (name_taken(nm, dir, out, force)) {
		do
			snprintf(out, outn, "%.*s(%u)%s", (int)stem, base, k++, base + stem);
		while (name_taken(nm, dir, out, force) && k < 10000000);
	}
	strmap_put(&nm->next_k, base, k);
	strmap_put(&nm->used, out, 1);
}

static int write_file(const char *dir, const char *name, const uint8_t *p, size_t n, int force, struct err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	/* O_NOFOLLOW: a planted symlink must not redirect the write. */
	int fl = O_WRONLY | O_CREAT | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
	int fd = open(path, fl, 0644);
	if (fd < 0) {
		err_set(e, EXIT_SYSTEM, -1, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t o = 0;
	while (o < n) {
		ssize_t w = write(fd, p + o, n - o);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EXIT_SYSTEM, -1, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		o += (size_t)w;
	}
	if (close(fd) < 0) {
		err_set(e, EXIT_SYSTEM, -1, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void report(struct strbuf *out, const struct export_opts *o, const char *name, const char *ctype, const uint8_t *p,
		   size_t n, int complete, const struct conn *c, const struct appmsg *m, const char *uri, size_t n_parts,
		   const char *gaps)
{
	char hex[65];
	sha256_hex(p, n, hex);
	if (o->json) {
		int f = 1;
		sb_putc(out, '{');
		json_str_field(out, &f, "name", name);
		json_str_field(out, &f, "content_type", ctype);
		json_u64_field(out, &f, "size", n);
		json_str_field(out, &f, "sha256", hex);
		json_key(out, &f, "complete");
		sb_puts(out, complete ? "true" : "false");
		json_u64_field(out, &f, "conn", c ? c->id : 0);
		json_u64_field(out, &f, "frame", m->last_frame);
		json_str_field(out, &f, "uri", uri ? uri : "");
		json_str_field(out, &f, "dir", m->dir ? "response" : "request");
		if (n_parts > 1)
			json_u64_field(out, &f, "parts", n_parts);
		if (gaps && *gaps)
			json_str_field(out, &f, "gaps", gaps);
		sb_puts(out, "}\n");
	} else {
		sb_printf(out, "%-40s %10zu  %-24s %s%s%s\n", name, n, ctype, complete ? "complete" : "INCOMPLETE",
			  gaps && *gaps ? "  missing " : "", gaps ? gaps : "");
	}
}

static const char *uri_of(const struct applog *l, const struct appmsg *m)
{
	if (m->http->is_request)
		return m->http->uri;
	if (m->http->request_msg != UINT32_MAX)
		return l->m[m->http->request_msg].http->uri;
	return NULL;
}

static const char *host_of(const struct applog *l, const struct appmsg *m)
{
	const struct appmsg *rq = m->http->is_request ? m : m->http->request_msg != UINT32_MAX ? &l->m[m->http->request_msg] : NULL;
	const struct appkv *h = rq ? appmsg_find(rq, "Host") : NULL;
	return h ? h->value : "";
}

long export_http(const struct applog *l, struct conn *const *conns, size_t n_conns, const struct export_opts *o,
		 struct strbuf *out, struct err *e)
{
	if (mkdir(o->dir, 0755) < 0 && errno != EEXIST) {
		err_set(e, EXIT_SYSTEM, -1, "%s: %s", o->dir, strerror(errno));
		return -1;
	}
	struct item *items = NULL;
	size_t n_items = 0, cap_items = 0;
	/* Messages in capture order (by first frame), so names number as tshark's do. */
	uint32_t *ord = xmalloc((l->n ? l->n : 1) * sizeof *ord);
	size_t n_ord = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->m[i].http && l->m[i].http->body_len)
			ord[n_ord++] = (uint32_t)i;
	for (size_t i = 1; i < n_ord; i++) {
		uint32_t v = ord[i];
		size_t j = i;
		while (j > 0 && l->m[ord[j - 1]].last_frame > l->m[v].last_frame) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = v;
	}
	for (size_t k = 0; k < n_ord; k++) {
		const struct appmsg *m = &l->m[ord[k]];
		const struct appkv *cr = !m->http->is_request && m->http->status == 206 ? appmsg_find(m, "Content-Range") : NULL;
		const struct appkv *ct = appmsg_find(m, "Content-Type");
		uint64_t a, b, t;
		if (cr && parse_range(cr->value, &a, &b, &t) == 0 && t && t <= EXPORT_MERGE_MAX &&
		    !(ct && strncasecmp(ct->value, "multipart/", 10) == 0)) {
			char key[2048];
			const char *u = uri_of(l, m);
			snprintf(key, sizeof key, "%s|%.*s", host_of(l, m), (int)(u ? strcspn(u, "?#") : 0), u ? u : "");
			size_t it = 0;
			for (; it < n_items; it++)
				if (items[it].ranged && strcmp(items[it].key, key) == 0 && items[it].pieces[0].total == t)
					break;
			if (it == n_items) {
				xgrow(&items, &cap_items, n_items + 1, sizeof *items);
				memset(&items[n_items], 0, sizeof items[n_items]);
				items[n_items].key = xstrdup(key);
				items[n_items].msg = ord[k];
				items[n_items].ranged = 1;
				n_items++;
			}
			struct item *x = &items[it];
			xgrow(&x->pieces, &x->cap_pieces, x->n_pieces + 1, sizeof *x->pieces);
			struct piece pc = { ord[k], a, b, t };
			x->pieces[x->n_pieces++] = pc;
			continue;
		}
		xgrow(&items, &cap_items, n_items + 1, sizeof *items);
		memset(&items[n_items], 0, sizeof items[n_items]);
		items[n_items].msg = ord[k];
		n_items++;
	}
	free(ord);
	struct names nm;
	strmap_init(&nm.used);
	strmap_init(&nm.next_k);
	long written = 0;
	uint32_t n_obj = 0;
	for (size_t i = 0; i < n_items && !e->set; i++) {
		struct item *x = &items[i];
		const struct appmsg *m = &l->m[x->msg];
		const struct conn *c = m->conn < n_conns ? conns[m->conn] : NULL;
		const char *uri = uri_of(l, m);
		const struct appkv *ct = appmsg_find(m, "Content-Type");
		char base[EXPORT_NAME_MAX + 16], name[EXPORT_NAME_MAX + 32];
		safe_name(uri, n_obj++, base, sizeof base);
		unique_name(&nm, o->dir, base, o->force, name, sizeof name);
		if (!x->ranged) {
			const struct app_http *h = m->http;
			int complete = h->body_complete && !h->decode_failed && !h->body_capped;
			if (write_file(o->dir, name, h->body, h->body_len, o->force, e) == 0) {
				report(out, o, name, ct ? ct->value : "", h->body, h->body_len, complete, c, m, uri, 1, NULL);
				written++;
			}
			continue;
		}
		/* Merge the pieces at their Content-Range offsets; what no piece covers is a gap. */
		uint64_t total = x->pieces[0].total;
		uint8_t *buf = xcalloc(1, (size_t)total);
		uint8_t *have = xcalloc(1, (size_t)total);
		for (size_t p = 0; p < x->n_pieces; p++) {
			const struct piece *pc = &x->pieces[p];
			const struct app_http *h = l->m[pc->msg].http;
			uint64_t len = pc->last - pc->first + 1;
			if (len > h->body_len)
				len = h->body_len;
			memcpy(buf + pc->first, h->body, (size_t)len);
			memset(have + pc->first, 1, (size_t)len);
		}
		struct strbuf gaps;
		sb_init(&gaps);
		uint64_t covered = 0;
		for (uint64_t q = 0; q < total;) {
			if (have[q]) {
				covered++;
				q++;
				continue;
			}
			uint64_t s = q;
			while (q < total && !have[q])
				q++;
			sb_printf(&gaps, "%s%" PRIu64 "-%" PRIu64, gaps.len ? "," : "", s, q - 1);
		}
		/* Without gaps the whole resource is written; with gaps, only up to the end of
		 * the last piece would mislead: write the full size with zeros in the holes. */
		int complete = covered == total;
		if (write_file(o->dir, name, buf, (size_t)total, o->force, e) == 0) {
			report(out, o, name, ct ? ct->value : "", buf, (size_t)total, complete, c, m, uri, x->n_pieces,
			       gaps.s);
			written++;
		}
		sb_fini(&gaps);
		free(buf);
		free(have);
	}
	for (size_t i = 0; i < n_items; i++) {
		free(items[i].key);
		free(items[i].pieces);
	}
	free(items);
	strmap_fini(&nm.used);
	strmap_fini(&nm.next_k);
	return e->set ? -1 : written;
}
