/* statefile.h: what chattcp remembers between runs for one user: small files of
 * "NAME NUMBER" lines (learn's last frame per case, quiz's best score per case) in
 * $XDG_STATE_HOME/chattcp (or ~/.local/state/chattcp), a directory of mode 0700 that is
 * the user's own and not a link. A file that is not of that form is ignored with one
 * warning and replaced at the next save; a save writes a new file and renames it over
 * the old one, never through a link. Failures are warnings: the command goes on. */
#ifndef CHATTCP_CLI_STATEFILE_H
#define CHATTCP_CLI_STATEFILE_H

#include "../base/strbuf.h"

#include <stdint.h>

/* A state file larger than this is not ours (one short line per case). */
#define STATEFILE_MAX (64 * 1024)
/* Names longer than this are not kept (the built-in case names are far shorter). */
#define STATEFILE_NAME_MAX 64

struct statefile {
	const char *cmd;   /* for messages: "learn" */
	const char *file;  /* its name in the directory: "progress" */
	char dir[4096];    /* "" when there is no place for it */
	struct strbuf body;/* the file as read, when it was good */
	int warned;        /* a failed save said so once */
};

/* Finds (makes) the directory and reads file; warnings on stderr name cmd. */
void statefile_open(struct statefile *sf, const char *cmd, const char *file);
void statefile_close(struct statefile *sf);
/* 1 with *val when name has a line, else 0. */
int statefile_get(const struct statefile *sf, const char *name, uint32_t *val);
/* Keeps val for name (a name with a blank or control byte, or too long, is not kept). */
void statefile_set(struct statefile *sf, const char *name, uint32_t val);

#endif
