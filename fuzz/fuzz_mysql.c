/* fuzz_mysql.c: the mysql decoder (proto/mysql.c) on arbitrary conversations (see
 * fuzz_app.h); the seeds start with an empty client chunk, as the server speaks first. */
#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_app_run("mysql", 6, data, size);
	return 0;
}
