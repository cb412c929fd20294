/* keylog.c: the SSLKEYLOGFILE format (NSS's "Key Log Format"): one key per line,
 * "LABEL CLIENT_RANDOM SECRET" in hex; kept sorted by (client random, label) so a
 * connection finds its keys by binary search. */
#include "keylog.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kl_entry {
	uint8_t cr[32];
	uint8_t label;
	uint8_t len;
	uint8_t secret[KEYLOG_SECRET_MAX];
};

struct keylog {
	struct kl_entry *e;
	size_t n, cap;
	int sorted;
	size_t skipped;
};

static const char *const labels[KL_N] = {
	[KL_CLIENT_RANDOM] = "CLIENT_RANDOM",
	[KL_CLIENT_EARLY] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[KL_CLIENT_HANDSHAKE] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[KL_SERVER_HANDSHAKE] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[KL_CLIENT_TRAFFIC_0] = "CLIENT_TRAFFIC_SECRET_0",
	[KL_SERVER_TRAFFIC_0] = "SERVER_TRAFFIC_SECRET_0",
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex of exactly 2*max digits at most into out; returns bytes, or -1. */
static int unhex(const char *s, size_t n, uint8_t *out, size_t max)
{
	if (n % 2 || n / 2 > max || !n)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
		if (a < 0 || b < 0)
			return -1;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return (int)(n / 2);
}

static int line(struct keylog *kl, const char *p, size_t n)
{
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (!n || p[0] == '#')
		return 0;
	const char *f[3];
	size_t fl[3];
	size_t k = 0, i = 0;
	while (k < 3 && i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t s = i;
		while (i < n && p[i] != ' ' && p[i] != '\t')
			i++;
		if (i > s) {
			f[k] = p + s;
			fl[k++] = i - s;
		}
	}
	if (k != 3)
		return -1;
	int label = -1;
	for (int j = 0; j < KL_N; j++)
		if (strlen(labels[j]) == fl[0] && memcmp(labels[j], f[0], fl[0]) == 0)
			label = j;
	if (label < 0)
		return 0; /* EXPORTER_SECRET and the like: not needed to decrypt */
	struct kl_entry e;
	memset(&e, 0, sizeof e);
	int sl;
	if (unhex(f[1], fl[1], e.cr, 32) != 32 || (sl = unhex(f[2], fl[2], e.secret, KEYLOG_SECRET_MAX)) < 0)
		return -1;
	if (kl->n >= KEYLOG_ENTRIES_MAX)
		return -1;
	e.label = (uint8_t)label;
	e.len = (uint8_t)sl;
	xgrow(&kl->e, &kl->cap, kl->n + 1, sizeof *kl->e);
	kl->e[kl->n++] = e;
	kl->sorted = 0;
	return 1;
}

static int cmp(const void *a, const void *b)
{
	const struct kl_entry *x = a, *y = b;
	int c = memcmp(x->cr, y->cr, 32);
	return c ? c : (int)x->label - (int)y->label;
}

size_t keylog_add_text(struct keylog **klp, const char *p, size_t n)
{
	if (!*klp)
		*klp = xcalloc(1, sizeof **klp);
	struct keylog *kl = *klp;
	size_t added = 0;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t l = nl ? (size_t)(nl - p) : n;
		int r = line(kl, p, l);
		if (r > 0)
			added++;
		else if (r < 0)
			kl->skipped++;
		p += l;
		n -= l;
		if (nl) {
			p++;
			n--;
		}
	}
	if (added) {
		qsort(kl->e, kl->n, sizeof *kl->e, cmp);
		kl->sorted = 1;
	}
	return added;
}

struct keylog *keylog_load(const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		err_set(e, EXIT_USAGE, -1, "--keylog %s: %s", path, strerror(errno));
		return NULL;
	}
	struct keylog *kl = NULL;
	char buf[65536];
	size_t have = 0, got;
	/* by lines: a line longer than the buffer is not a key log line */
	while ((got = fread(buf + have, 1, sizeof buf - have, f)) > 0 || have) {
		have += got;
		char *last = memrchr(buf, '\n', have);
		size_t take = last ? (size_t)(last - buf) + 1 : (got == 0 || have == sizeof buf ? have : 0);
		if (!take)
			continue;
		keylog_add_text(&kl, buf, take);
		memmove(buf, buf + take, have - take);
		have -= take;
		if (got == 0 && !have)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		err_set(e, EXIT_USAGE, -1, "--keylog %s: read error", path);
		keylog_free(kl);
		return NULL;
	}
	/* A log without keys yet (a browser's, just started) is a log: each TLS
	 * connection then says it found none (tls.no_keys). */
	if (!kl)
		kl = xcalloc(1, sizeof *kl);
	return kl;
}

const uint8_t *keylog_find(const struct keylog *kl, int label, const uint8_t client_random[32], size_t *len)
{
	if (!kl || !kl->n)
		return NULL;
	struct kl_entry key;
	memcpy(key.cr, client_random, 32);
	key.label = (uint8_t)label;
	const struct kl_entry *e = bsearch(&key, kl->e, kl->n, sizeof *kl->e, cmp);
	if (!e)
		return NULL;
	*len = e->len;
	return e->secret;
}

size_t keylog_count(const struct keylog *kl) { return kl ? kl->n : 0; }

void keylog_free(struct keylog *kl)
{
	if (!kl)
		return;
	xfree(kl->e);
	xfree(kl);
}
