/* fuzz_http.c: the http decoder (proto/http.c) on arbitrary conversations (see fuzz_app.h). */
#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_app_run("http", 6, data, size);
	fuzz_app_run(NULL, 6, data, size); /* detection, Upgrade hand-off */
	fuzz_app_run("http", 17, data, size); /* datagrams: SSDP */
	return 0;
}
