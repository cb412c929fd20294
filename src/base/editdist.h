/* editdist.h: how many typos apart two short names are, for "did you mean" (a
 * command, a display-filter field). */
#ifndef CHATTCP_BASE_EDITDIST_H
#define CHATTCP_BASE_EDITDIST_H

#include <stddef.h>

/* EDITDIST_MAX: the longest name compared; longer ones are EDITDIST_FAR from
 * everything (a suggestion is only useful one or two typos away, and the bound keeps
 * the work a fixed-size row). */
#define EDITDIST_MAX 40
#define EDITDIST_FAR 99

/* Levenshtein distance of a[0..na) and the string b; EDITDIST_FAR when either is
 * longer than EDITDIST_MAX. */
size_t edit_distance(const char *a, size_t na, const char *b);

#endif
