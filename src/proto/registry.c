/* registry.c: every application protocol decoder, one line each. Order matters only
 * when two probes both answer yes on the same bytes: the earlier wins. */
#include "proto.h"

#include <string.h>

extern const struct proto_desc proto_http;
extern const struct proto_desc proto_websocket;
extern const struct proto_desc proto_redis;
extern const struct proto_desc proto_mysql;
extern const struct proto_desc proto_dns;

const struct proto_desc *const proto_registry[] = {
	&proto_http,
	&proto_websocket,
	&proto_redis,
	&proto_mysql,
	&proto_dns,
	NULL,
};

const struct proto_desc *proto_find(const char *name)
{
	for (size_t i = 0; proto_registry[i]; i++)
		if (strcmp(proto_registry[i]->name, name) == 0)
			return proto_registry[i];
	return NULL;
}
