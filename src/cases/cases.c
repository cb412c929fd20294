/* cases.c: looking up the embedded cases and reading their lessons' front matter. */
#include "cases.h"

#include <string.h>

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
