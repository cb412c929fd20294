/* events.c: see events.h. */
#include "events.h"

const char *severity_name(int sev)
{
	static const char *const names[SEV_COUNT] = { "chat", "note", "warning", "error" };
	return sev >= 0 && sev < SEV_COUNT ? names[sev] : "note";
}
