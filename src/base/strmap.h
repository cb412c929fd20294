/* strmap.h: a string -> uint32 hash map (open addressing, keys copied). For sets of
 * names that grow to hundreds of thousands, where a linear scan turns quadratic. */
#ifndef CHATTCP_STRMAP_H
#define CHATTCP_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap {
	char **keys;
	uint32_t *vals;
	size_t n, n_slots; /* n_slots: power of two, or 0 before the first put */
};

void strmap_init(struct strmap *m);
void strmap_fini(struct strmap *m);
/* The value stored for key, or NULL. */
uint32_t *strmap_get(const struct strmap *m, const char *key);
/* Stores val for key (replacing an earlier value); returns the stored slot. */
uint32_t *strmap_put(struct strmap *m, const char *key, uint32_t val);

#endif
