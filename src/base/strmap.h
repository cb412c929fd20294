/* strmap.h: a string -> uint32 hash map (open addressing, keys copied). For sets of
 * names that grow to hundreds of thousands, where a linear scan turns quadratic. The
 * names come from captures (URIs, file names), so they are hashed with SipHash under a
 * key drawn per map: nobody can compute a set of colliding names in advance. */
#ifndef CHATTCP_STRMAP_H
#define CHATTCP_STRMAP_H

#include "siphash.h"

#include <stddef.h>
#include <stdint.h>

/* Slots a lookup may walk before the map is rebuilt under a new key: at most half the
 * slots are used, so with a secret key a run this long does not happen by chance (see
 * CONNTAB_PROBE_MAX, the same reasoning). */
#define STRMAP_PROBE_MAX 256

struct strmap {
	char **keys;
	uint32_t *vals;
	size_t n, n_slots; /* n_slots: power of two, or 0 before the first put */
	struct siphash_key key; /* drawn at the first put, again past STRMAP_PROBE_MAX */
};

void strmap_init(struct strmap *m);
void strmap_fini(struct strmap *m);
/* The value stored for key, or NULL. */
uint32_t *strmap_get(const struct strmap *m, const char *key);
/* Stores val for key (replacing an earlier value); returns the stored slot. */
uint32_t *strmap_put(struct strmap *m, const char *key, uint32_t val);

#endif
