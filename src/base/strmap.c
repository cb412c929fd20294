/* strmap.c: see strmap.h. FNV-1a hash, linear probing, grown at half load. */
#include "strmap.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void strmap_init(struct strmap *m) { memset(m, 0, sizeof *m); }

void strmap_fini(struct strmap *m)
{
	for (size_t i = 0; i < m->n_slots; i++)
		xfree(m->keys[i]);
	xfree(m->keys);
	xfree(m->vals);
	strmap_init(m);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static size_t find(const struct strmap *m, const char *key)
{
	size_t mask = m->n_slots - 1;
	size_t i = hash(key) & mask;
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & mask;
	return i;
}

uint32_t *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->n_slots)
		return NULL;
	size_t i = find(m, key);
	return m->keys[i] ? &m->vals[i] : NULL;
}

static void grow(struct strmap *m)
{
	struct strmap old = *m;
	m->n_slots = old.n_slots ? old.n_slots * 2 : 64;
	m->keys = xcalloc(m->n_slots, sizeof *m->keys);
	m->vals = xcalloc(m->n_slots, sizeof *m->vals);
	for (size_t i = 0; i < old.n_slots; i++) {
		if (!old.keys[i])
			continue;
		size_t j = find(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	xfree(old.keys);
	xfree(old.vals);
}

uint32_t *strmap_put(struct strmap *m, const char *key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->n_slots)
		grow(m);
	size_t i = find(m, key);
	if (!m->keys[i]) {
		m->keys[i] = xstrdup(key);
		m->n++;
	}
	m->vals[i] = val;
	return &m->vals[i];
}
