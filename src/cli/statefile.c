/* statefile.c: see statefile.h. */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir path with mode 0700 unless it is there; 0 or -1. */
static int mkdir_0700(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* The directory (made when missing, a symlink refused), opened: its fd, or -1. */
static int state_dir(struct statefile *sf)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char base[4096];
	if (xdg && xdg[0] == '/') { /* the XDG rule: a relative path is ignored */
		snprintf(base, sizeof base, "%s", xdg);
	} else if (home && home[0] == '/') {
		snprintf(base, sizeof base, "%s/.local", home);
		mkdir_0700(base);
		snprintf(base, sizeof base, "%s/.local/state", home);
	} else {
		return -1;
	}
	mkdir_0700(base);
	if ((size_t)snprintf(sf->dir, sizeof sf->dir, "%s/chattcp", base) >= sizeof sf->dir)
		return sf->dir[0] = '\0', -1;
	if (mkdir_0700(sf->dir) < 0) {
		fprintf(stderr, "chattcp %s: cannot create %s: %s (%s not kept)\n", sf->cmd, sf->dir, strerror(errno),
			sf->file);
		sf->dir[0] = '\0';
		return -1;
	}
	struct stat st;
	int fd = -1;
	const char *why = "is not a directory of yours";
	if (lstat(sf->dir, &st) == 0 && S_ISLNK(st.st_mode))
		why = "is a symbolic link";
	else if ((fd = open(sf->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 && fstat(fd, &st) == 0 &&
		 st.st_uid == geteuid())
		why = NULL;
	if (why) {
		fprintf(stderr, "chattcp %s: %s %s (%s not kept)\n", sf->cmd, sf->dir, why, sf->file);
		if (fd >= 0)
			close(fd);
		sf->dir[0] = '\0';
		return -1;
	}
	return fd;
}

/* Reads the file into sf->body when it is good ("NAME NUMBER" lines); a bad one is
 * ignored with a warning (and replaced at the next save). */
static void state_load(struct statefile *sf, int dfd)
{
	int fd = openat(dfd, sf->file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "chattcp %s: ignoring %s/%s: %s\n", sf->cmd, sf->dir, sf->file, strerror(errno));
		return;
	}
	struct stat st;
	const char *why = NULL;
	char buf[STATEFILE_MAX];
	ssize_t got = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > STATEFILE_MAX)
		why = "larger than 64 KiB";
	else if ((got = read(fd, buf, sizeof buf)) < 0)
		why = strerror(errno);
	close(fd);
	size_t line = 1;
	for (ssize_t i = 0; !why && i < got; line++) {
		ssize_t j = i, sp = -1;
		while (j < got && buf[j] != '\n') {
			if (buf[j] == ' ' && sp < 0)
				sp = j;
			else if (!(sp < 0 ? (buf[j] > ' ' && buf[j] < 127) : (buf[j] >= '0' && buf[j] <= '9')))
				break;
			j++;
		}
		if (j >= got || buf[j] != '\n' || sp <= i || sp - i > STATEFILE_NAME_MAX || j - sp < 2 || j - sp > 11)
			why = "a line is not 'NAME NUMBER'";
		i = j + 1;
	}
	if (why) {
		fprintf(stderr, "chattcp %s: ignoring %s/%s: %s (line %zu)\n", sf->cmd, sf->dir, sf->file, why, line);
		return;
	}
	sb_add(&sf->body, buf, (size_t)got);
}

void statefile_open(struct statefile *sf, const char *cmd, const char *file)
{
	memset(sf, 0, sizeof *sf);
	sf->cmd = cmd;
	sf->file = file;
	sb_init(&sf->body);
	int dfd = state_dir(sf);
	if (dfd >= 0) {
		state_load(sf, dfd);
		close(dfd);
	}
}

void statefile_close(struct statefile *sf) { sb_fini(&sf->body); }

int statefile_get(const struct statefile *sf, const char *name, uint32_t *val)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < sf->body.len;) {
		const char *s = sf->body.s + i;
		const char *e = memchr(s, '\n', sf->body.len - i);
		if (!e)
			break;
		if ((size_t)(e - s) > nl && memcmp(s, name, nl) == 0 && s[nl] == ' ') {
			*val = (uint32_t)strtoul(s + nl + 1, NULL, 10);
			return 1;
		}
		i += (size_t)(e - s) + 1;
	}
	return 0;
}

static int name_ok(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > STATEFILE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((unsigned char)name[i] > ' ' && (unsigned char)name[i] < 127))
			return 0;
	return 1;
}

void statefile_set(struct statefile *sf, const char *name, uint32_t val)
{
	if (!sf->dir[0] || !name_ok(name))
		return;
	struct strbuf nb;
	sb_init(&nb);
	size_t nl = strlen(name);
	for (size_t i = 0; i < sf->body.len;) {
		const char *s = sf->body.s + i;
		const char *e = memchr(s, '\n', sf->body.len - i);
		size_t len = (size_t)(e - s) + 1;
		if (!(len > nl + 1 && memcmp(s, name, nl) == 0 && s[nl] == ' '))
			sb_add(&nb, s, len);
		i += len;
	}
	sb_printf(&nb, "%s %u\n", name, val);
	int dfd = open(sf->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char tmp[96];
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", sf->file, (long)getpid());
	int fd = dfd < 0 ? -1 : openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, nb.s, nb.len) == (ssize_t)nb.len;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok && renameat(dfd, tmp, dfd, sf->file) != 0)
		ok = 0;
	if (!ok) {
		if (fd >= 0)
			unlinkat(dfd, tmp, 0);
		if (!sf->warned++)
			fprintf(stderr, "chattcp %s: cannot write %s/%s: %s\n", sf->cmd, sf->dir, sf->file, strerror(errno));
	} else {
		sb_reset(&sf->body);
		sb_add(&sf->body, nb.s, nb.len);
	}
	if (dfd >= 0)
		close(dfd);
	sb_fini(&nb);
}
