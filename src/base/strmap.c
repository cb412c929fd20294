/* strmap.c: see strmap.h. SipHash-1-3 under the map's key, linear probing, grown at
 * half load; a probe longer than STRMAP_PROBE_MAX draws a new key. */
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

/* The slot holding key, or the free slot where it would go; *walked: slots passed. */
static size_t find(const struct strmap *m, const char *key, size_t *walked)
{
	size_t mask = m->n_slots - 1;
	size_t i = siphash13(&m->key, key, strlen(key)) & mask;
	size_t w = 0;
	while (m->keys[i] && strcmp(m->keys[i], key) != 0) {
		i = (i + 1) & mask;
		w++;
	}
	if (walked)
		*walked = w;
	return i;
}

uint32_t *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->n_slots)
		return NULL;
	size_t i = find(m, key, NULL);
	return m->keys[i] ? &m->vals[i] : NULL;
}

/* Re-places every key in n_slots slots (after a change of size or key). */
static void rebuild(struct strmap *m, size_t n_slots)
{
	struct strmap old = *m;
	m->n_slots = n_slots;
	m->keys = xcalloc(m->n_slots, sizeof *m->keys);
	m->vals = xcalloc(m->n_slots, sizeof *m->vals);
	for (size_t i = 0; i < old.n_slots; i++) {
		if (!old.keys[i])
			continue;
		size_t j = find(m, old.keys[i], NULL);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	xfree(old.keys);
	xfree(old.vals);
}

uint32_t *strmap_put(struct strmap *m, const char *key, uint32_t val)
{
	if (!m->n_slots)
		siphash_key_random(&m->key);
	if ((m->n + 1) * 2 > m->n_slots)
		rebuild(m, m->n_slots ? m->n_slots * 2 : 64);
	size_t walked;
	size_t i = find(m, key, &walked);
	if (!m->keys[i]) {
		if (walked > STRMAP_PROBE_MAX) {
			siphash_key_random(&m->key);
			rebuild(m, m->n_slots);
			i = find(m, key, NULL);
		}
		m->keys[i] = xstrdup(key);
		m->n++;
	}
	m->vals[i] = val;
	return &m->vals[i];
}
