/* exitcodes.h: chattcp's exit statuses, one table (also in --help and docs/cli.md). */
#ifndef CHATTCP_EXITCODES_H
#define CHATTCP_EXITCODES_H

enum exit_code {
	EXIT_OK = 0,       /* everything read and shown */
	EXIT_USAGE = 1,    /* bad command line */
	EXIT_BADINPUT = 2, /* missing, unreadable, corrupt, truncated or unsupported capture; what could be read was shown */
	EXIT_SYSTEM = 3,   /* out of memory, write error, other system failure */
};

#endif
