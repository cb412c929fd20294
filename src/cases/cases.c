/* cases.c: looking up the embedded cases. */
#include "cases.h"

#include <string.h>

const struct case_blob *case_find(const char *name)
{
	for (size_t i = 0; i < case_blob_count; i++)
		if (strcmp(case_blobs[i].name, name) == 0)
			return &case_blobs[i];
	return NULL;
}
