/* fuzz_websocket.c: the websocket decoder (proto/websocket.c) on arbitrary conversations (see fuzz_app.h). */
#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_app_run("websocket", 6, data, size);
	return 0;
}
