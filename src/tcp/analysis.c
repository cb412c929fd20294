/* analysis.c: TCP sequence analysis. Not written yet: labels nothing (issue 3). */
#include "analysis.h"

#include "../base/xalloc.h"

#include <stdlib.h>

struct tcp_analysis {
	int unused;
};

struct tcp_analysis *tcp_analysis_new(void) { return xcalloc(1, sizeof(struct tcp_analysis)); }

void tcp_analysis_free(struct tcp_analysis *a) { free(a); }

void tcp_analysis_packet(struct tcp_analysis *a, struct conn *c, int dir, const struct pkt *pk, struct pktrec *rec)
{
	(void)a;
	(void)c;
	(void)dir;
	(void)pk;
	(void)rec;
}
