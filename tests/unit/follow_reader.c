/* follow_reader.c: a test driver for tests/suite/capture-follow (the CLI does not
 * expose follow mode yet). Reads a capture with capfile in follow mode and prints each
 * record as it is handed out, with the wall-clock time, so the suite can check from
 * the shell that a record came soon after its bytes landed:
 *
 *   follow_reader FILE|- IDLE_MS [spool]    REC <off> <caplen> <ns>  per record, then
 *                                           END <rc> partial=<bytes> <ns>  (and ERR <msg>),
 *                                           then BACK <n ok> <n bad>: every record read
 *                                           again by offset
 *   follow_reader --list FILE               <off> <end> per record of a mapped read
 *
 * SIGUSR1 sets the stop flag (no SA_RESTART, as a real handler would). */
#include "base/err.h"
#include "capture/capfile.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_flag;

static void on_usr1(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static long long wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct capfile cf;
	struct err e;
	struct cap_rec rec;
	err_clear(&e);
	if (argc == 3 && strcmp(argv[1], "--list") == 0) {
		if (capfile_open(&cf, argv[2], &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		while (capfile_next(&cf, &rec, &e) == 1)
			printf("%llu %llu\n", (unsigned long long)rec.off,
			       (unsigned long long)(rec.data - cf.base) + rec.caplen);
		capfile_close(&cf);
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: follow_reader FILE|- IDLE_MS [spool] | --list FILE\n");
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	struct cap_stream_opts o = { .follow = 1, .idle_ns = strtoll(argv[2], NULL, 10) * 1000000, .stop = &stop_flag,
				     .spool = argc > 3 && strcmp(argv[3], "spool") == 0 };
	if (capfile_open_opts(&cf, argv[1], &o, &e) < 0) {
		printf("END -1 partial=0 %lld\nERR %s\n", wall_ns(), e.msg);
		return 0;
	}
	static uint64_t offs[65536];
	static uint32_t lens[65536];
	size_t n = 0;
	int rc;
	while ((rc = capfile_next(&cf, &rec, &e)) == 1) {
		printf("REC %llu %u %lld\n", (unsigned long long)rec.off, rec.caplen, wall_ns());
		fflush(stdout);
		if (n < 65536) {
			offs[n] = rec.off;
			lens[n++] = rec.caplen;
		}
	}
	printf("END %d partial=%llu %lld\n", rc, (unsigned long long)cf.partial_tail, wall_ns());
	if (rc < 0)
		printf("ERR %s\n", e.msg);
	size_t good = 0, bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct err e2;
		err_clear(&e2);
		if (capfile_read_at(&cf, offs[i], &rec, &e2) == 1 && rec.caplen == lens[i])
			good++;
		else
			bad++;
	}
	printf("BACK %zu %zu\n", good, bad);
	capfile_close(&cf);
	return 0;
}
