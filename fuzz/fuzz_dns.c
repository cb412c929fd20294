/* fuzz_dns.c: the dns decoder (proto/dns.c) on arbitrary conversations (see fuzz_app.h). */
#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_app_run("dns", 6, data, size);
	fuzz_app_run("dns", 17, data, size);
	return 0;
}
