/* editdist.c: the edit distance behind every "did you mean". */
#include "editdist.h"

#include <string.h>

size_t edit_distance(const char *a, size_t na, const char *b)
{
	size_t nb = strlen(b);
	if (na > EDITDIST_MAX || nb > EDITDIST_MAX)
		return EDITDIST_FAR;
	size_t row[EDITDIST_MAX + 1];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}
