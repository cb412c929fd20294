/* err.h: an error as the user will see it: which file, which byte offset, what was wrong.
 * Code below cli/ fills a struct err and returns a status; it never prints or exits. */
#ifndef CHATTCP_ERR_H
#define CHATTCP_ERR_H

#include <stdint.h>

struct err {
	int set;          /* 0 = no error recorded */
	int code;         /* enum exit_code */
	int64_t off;      /* byte offset in the file, -1 when none applies */
	char msg[256];
};

void err_clear(struct err *e);
/* Records the first error only: the first fault is the one worth reporting. */
void err_set(struct err *e, int code, int64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
