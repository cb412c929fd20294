/* search_json.c: see search_json.h. */
#include "search_json.h"

#include "fmt.h"
#include "json.h"

void search_json_group(struct strbuf *b, const struct conn *c, const uint32_t *frames, size_t stride, size_t n)
{
	char e0[64], e1[64];
	int first = 1;
	sb_add(b, "{", 1);
	if (c) {
		json_str_field(b, &first, "proto", c->proto == 6 ? "tcp" : "udp");
		json_u64_field(b, &first, "conn", c->id);
		json_str_field(b, &first, "client", fmt_endpoint(&c->ep[0], e0, sizeof e0));
		json_str_field(b, &first, "server", fmt_endpoint(&c->ep[1], e1, sizeof e1));
	} else {
		json_str_field(b, &first, "proto", "other");
	}
	json_u64_field(b, &first, "matches", n);
	json_key(b, &first, "frames");
	sb_add(b, "[", 1);
	for (size_t i = 0; i < n; i++)
		sb_printf(b, "%s%u", i ? "," : "", frames[i * stride]);
	sb_add(b, "]}\n", 3);
}
