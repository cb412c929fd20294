/* privs.h: the agent gives up root once it listens (docs/security.md "The capture agent").
 *
 * Each capture opens its own ring, so the agent cannot simply open once and drop
 * everything as tcpdump -Z does. It becomes an ordinary user and keeps only the two
 * capabilities capturing needs (CAP_NET_RAW to open the ring, CAP_NET_ADMIN for the
 * interface's settings), with no_new_privs set: a flaw in the agent then runs as that
 * user, unable to read the token file again, write root's files or load anything
 * setuid. Must run before any thread is made (capabilities are per thread). */
#ifndef CHATTCP_AGENT_PRIVS_H
#define CHATTCP_AGENT_PRIVS_H

#include "../base/strbuf.h"

/* Becomes user (a name from the password database), keeping CAP_NET_RAW and
 * CAP_NET_ADMIN. Returns 0, or -1 with err set (no such user, a call refused). */
int agent_drop_privs(const char *user, struct strbuf *err);

#endif
