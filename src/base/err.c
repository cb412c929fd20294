/* err.c: recording the first error of an operation. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

void err_clear(struct err *e)
{
	e->set = 0;
	e->code = 0;
	e->off = -1;
	e->msg[0] = '\0';
}

void err_set(struct err *e, int code, int64_t off, const char *fmt, ...)
{
	if (e->set)
		return;
	e->set = 1;
	e->code = code;
	e->off = off;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}
