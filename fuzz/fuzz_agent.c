/* fuzz_agent.c: what a client sends the capture agent and what it makes of packets:
 * the query of GET /api/capture (agent/params.c; the input is NUL-separated key=value
 * pairs) and the JSON of a packet event (agent/packet_json.c; the input is the
 * packet, its link type the first byte's choice). */
#include "agent/packet_json.h"
#include "agent/params.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return 0;
	static const uint16_t lts[4] = { 1, 101, 113, 0 };
	struct strbuf b;
	sb_init(&b);
	agent_packet_json(&b, 1, lts[data[0] & 3], 0, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1));
	sb_fini(&b);

	char *copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 0;
	struct agent_kv kv[AGENT_PARAMS_MAX + 1];
	size_t n = 0;
	for (char *p = copy; p < copy + size && n <= AGENT_PARAMS_MAX; p += strlen(p) + 1) {
		char *eq = strchr(p, '=');
		if (eq)
			*eq = 0;
		kv[n].key = p;
		kv[n].value = eq ? eq + 1 : NULL;
		kv[n].nul = 0;
		n++;
		if (eq)
			p = eq + 1;
	}
	struct agent_self self;
	memset(&self, 0, sizeof self);
	self.port = 7380;
	char why[256];
	struct agent_params ap;
	agent_params_parse(kv, n, &self, &ap, why, sizeof why);
	agent_params_fini(&ap);
	free(copy);
	return 0;
}
