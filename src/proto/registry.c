/* registry.c: every application protocol decoder, one line each in PROTOCOLS. Order
 * matters only when two probes both answer yes on the same bytes: the earlier wins. */
#include "proto.h"

#include <string.h>

#define PROTOCOLS(X) \
	X(http2)         \
	X(http)          \
	X(websocket)     \
	X(contenc)       \
	X(sse)           \
	X(redis)         \
	X(mysql)         \
	X(dns)           \
	X(tls)

#define DECLARE(name) extern const struct proto_desc proto_##name;
PROTOCOLS(DECLARE)
#undef DECLARE

#define ENTRY(name) &proto_##name,
const struct proto_desc *const proto_registry[] = { PROTOCOLS(ENTRY) NULL };
#undef ENTRY

const struct proto_desc *proto_find(const char *name)
{
	for (size_t i = 0; proto_registry[i]; i++)
		if (strcmp(proto_registry[i]->name, name) == 0)
			return proto_registry[i];
	return NULL;
}
