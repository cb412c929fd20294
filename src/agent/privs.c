/* privs.c: see privs.h. capset(2) through syscall(2): libcap is not a dependency, and
 * the two calls it would wrap are the whole job. */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int agent_drop_privs(const char *user, struct strbuf *err)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		sb_printf(err, "--user: no user '%s'", user);
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		sb_printf(err, "cannot become user '%s': %s", user, strerror(errno));
		return -1;
	}
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	d[0].effective = d[0].permitted = (1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN);
	if (syscall(SYS_capset, &h, d) < 0) {
		sb_printf(err, "cannot keep the capture capabilities as user '%s': %s", user, strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sb_printf(err, "cannot lock the privileges: %s", strerror(errno));
		return -1;
	}
	return 0;
}
