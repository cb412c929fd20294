/* cases.c: looking up the embedded cases and reading their lessons' front matter. */
#include "cases.h"

#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const struct case_blob *case_find(const char *name)
{
	for (size_t i = 0; i < case_blob_count; i++)
		if (strcmp(case_blobs[i].name, name) == 0)
			return &case_blobs[i];
	return NULL;
}

int case_front(const struct case_blob *cb, const char *key, const char **val, size_t *n)
{
	const char *s = cb->lesson, *end = cb->lesson + cb->lesson_len;
	if (cb->lesson_len < 4 || strncmp(s, "---\n", 4) != 0)
		return 0;
	size_t kl = strlen(key);
	for (const char *p = s + 4; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len == 3 && strncmp(p, "---", 3) == 0)
			return 0;
		if (len > kl + 1 && strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == ' ')
				v++;
			*val = v;
			*n = len - (size_t)(v - p);
			return 1;
		}
		p += len + 1;
	}
	return 0;
}

const char *case_lesson_body(const struct case_blob *cb)
{
	const char *s = cb->lesson;
	if (strncmp(s, "---\n", 4) != 0)
		return s;
	const char *e = strstr(s + 4, "\n---\n");
	return e ? e + 5 : s;
}

long case_order_num(const struct case_blob *cb)
{
	const char *v;
	size_t n;
	char num[24];
	if (!case_front(cb, "order", &v, &n) || n == 0 || n >= sizeof num)
		return 0;
	memcpy(num, v, n);
	num[n] = 0;
	char *end;
	long x = strtol(num, &end, 10);
	return *end == 0 && x > 0 ? x : 0;
}

/* A topic sorts by the smallest order number of its cases. */
static long topic_rank(const struct case_blob *cb)
{
	const char *t, *u;
	size_t tn, un;
	long best = 0;
	if (!case_front(cb, "topic", &t, &tn))
		return 0;
	for (size_t i = 0; i < case_blob_count; i++) {
		long o = case_order_num(&case_blobs[i]);
		if (o && case_front(&case_blobs[i], "topic", &u, &un) && un == tn && memcmp(t, u, tn) == 0
		    && (!best || o < best))
			best = o;
	}
	return best;
}

static int order_cmp(const void *a, const void *b)
{
	const struct case_blob *x = *(const struct case_blob *const *)a, *y = *(const struct case_blob *const *)b;
	long tx = topic_rank(x), ty = topic_rank(y), ox = case_order_num(x), oy = case_order_num(y);
	/* unnumbered last */
	if (!tx != !ty)
		return tx ? -1 : 1;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (!ox != !oy)
		return ox ? -1 : 1;
	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t case_order(const struct case_blob **out)
{
	for (size_t i = 0; i < case_blob_count; i++)
		out[i] = &case_blobs[i];
	qsort(out, case_blob_count, sizeof *out, order_cmp);
	return case_blob_count;
}

static int dir_file(const char *dir, const char *file, char *path, size_t n)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (size_t)snprintf(path, n, "%s/%s", dir, file) < n;
}

int case_dir_capture(const char *dir, char *path, size_t n) { return dir_file(dir, CASE_DIR_CAPTURE, path, n); }

char *case_dir_lesson(const char *dir, struct case_blob *cb)
{
	char path[4096];
	if (!dir_file(dir, CASE_DIR_LESSON, path, sizeof path))
		return NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *t = xmalloc(CASE_DIR_LESSON_MAX + 1);
	size_t n = fread(t, 1, CASE_DIR_LESSON_MAX, f);
	fclose(f);
	t[n] = 0;
	memset(cb, 0, sizeof *cb);
	cb->name = dir;
	cb->lesson = t;
	cb->lesson_len = strlen(t); /* a NUL inside ends it */
	return t;
}
