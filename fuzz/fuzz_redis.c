/* fuzz_redis.c: the redis decoder (proto/redis.c) on arbitrary conversations (see fuzz_app.h). */
#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_app_run("redis", 6, data, size);
	return 0;
}
