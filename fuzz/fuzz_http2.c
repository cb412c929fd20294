/* fuzz_http2.c: the http2 decoder (proto/http2.c: frames, HPACK through libnghttp2,
 * streams, push, flow control) on arbitrary conversations (see fuzz_app.h). */
#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_app_run("http2", 6, data, size);
	fuzz_app_run(NULL, 6, data, size); /* detection by the preface, h2c Upgrade from http */
	return 0;
}
