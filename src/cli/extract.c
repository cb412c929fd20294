/* extract.c: `chattcp extract FILE -o OUT.pcap|OUT.pcapng|- [-c ID ...] [-Y EXPR]
 * [--frames A-B]`: the frames chosen, written as they are read, each record's bytes,
 * lengths and time as captured, so Wireshark opens the result and shows the same
 * frames. pcapng keeps one interface block for each interface a written record came
 * from (renumbered in order of first use); pcap holds one link type, so frames of a
 * second link type are refused with a hint to write pcapng. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../capture/pcapng_write.h"
#include "../filter/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The snap length written in a pcap header: libpcap's largest (MAXIMUM_SNAPLEN), which
 * every record fits, since capture readers cap caplen at it too. */
#define EXTRACT_PCAP_SNAPLEN 262144

struct extract {
	struct cli_common *co;
	uint32_t from, to;        /* --frames A-B (0, 0: all) */
	int pcapng;
	FILE *f;
	const char *out;
	struct strbuf b;
	int head_done;
	uint16_t linktype;        /* pcap: the one link type */
	int nsec;
	uint32_t *if_map;         /* pcapng: input interface -> output id + 1 */
	size_t cap_if;
	uint32_t n_if;
	uint64_t written, bytes;
	int failed;               /* a write failed or pcap met a second link type */
	char why[256];
};

static void put32(struct strbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_add(b, (const char *)x, 4);
}

static void put16(struct strbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	sb_add(b, (const char *)x, 2);
}

static void write_pcap(struct extract *x, const struct cap_rec *r)
{
	if (!x->head_done) {
		x->linktype = r->linktype;
		x->nsec = r->ts_digits > 6;
		put32(&x->b, x->nsec ? 0xa1b23c4d : 0xa1b2c3d4);
		put16(&x->b, 2);
		put16(&x->b, 4);
		put32(&x->b, 0);
		put32(&x->b, 0);
		put32(&x->b, EXTRACT_PCAP_SNAPLEN);
		put32(&x->b, r->linktype);
		x->head_done = 1;
	}
	if (r->linktype != x->linktype) {
		snprintf(x->why, sizeof x->why, "frame has link type %u after frames of link type %u: a pcap file holds "
			 "one; write .pcapng", r->linktype, x->linktype);
		x->failed = 1;
		return;
	}
	int64_t ts = r->ts_ns < 0 ? 0 : r->ts_ns;
	uint64_t sec = (uint64_t)ts / 1000000000u, frac = (uint64_t)ts % 1000000000u;
	put32(&x->b, (uint32_t)sec);
	put32(&x->b, (uint32_t)(x->nsec ? frac : frac / 1000));
	put32(&x->b, r->caplen);
	put32(&x->b, r->wirelen);
	sb_add(&x->b, (const char *)r->data, r->caplen);
}

static void write_pcapng(struct extract *x, const struct cap_rec *r)
{
	if (!x->head_done) {
		pcapng_put_shb(&x->b, "chattcp extract");
		x->head_done = 1;
	}
	if (r->ifindex >= x->cap_if) {
		size_t old = x->cap_if;
		xgrow(&x->if_map, &x->cap_if, (size_t)r->ifindex + 1, sizeof *x->if_map);
		memset(x->if_map + old, 0, (x->cap_if - old) * sizeof *x->if_map);
	}
	if (!x->if_map[r->ifindex]) {
		/* snap length 0: no limit, so every record's captured length is valid */
		pcapng_put_idb(&x->b, r->linktype, 0, NULL);
		x->if_map[r->ifindex] = ++x->n_if;
	}
	pcapng_put_epb(&x->b, x->if_map[r->ifindex] - 1, r->ts_ns, r->data, r->caplen, r->wirelen);
}

static void on_frame(void *ctx, const struct sess_frame_view *f)
{
	struct extract *x = ctx;
	uint32_t fr = f->pk->frame;
	if (x->failed || (x->to && (fr < x->from || fr > x->to)))
		return;
	if (x->co->n_ids) {
		if (!f->c)
			return;
		size_t i;
		for (i = 0; i < x->co->n_ids; i++)
			if (x->co->ids[i].proto == f->c->proto && x->co->ids[i].id == f->c->id)
				break;
		if (i == x->co->n_ids)
			return;
	}
	if (x->co->y.f && !filter_match(x->co->y.f, f))
		return;
	if (x->pcapng)
		write_pcapng(x, f->rec);
	else
		write_pcap(x, f->rec);
	if (x->failed)
		return;
	x->written++;
	x->bytes += f->rec->caplen;
	if (x->b.len >= 1 << 16) {
		if (fwrite(x->b.s, 1, x->b.len, x->f) != x->b.len) {
			snprintf(x->why, sizeof x->why, "cannot write %s: %s", x->out, strerror(errno));
			x->failed = 1;
		}
		sb_reset(&x->b);
	}
}

static int ends_with(const char *s, const char *e)
{
	size_t n = strlen(s), k = strlen(e);
	return n >= k && !strcmp(s + n - k, e);
}

int cmd_extract(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_CONN | CLI_FILTER);
	struct extract x;
	memset(&x, 0, sizeof x);
	x.co = &co;
	const char *format = NULL, *o;
	int rc = EXIT_USAGE;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "extract");
		if (c < 0)
			goto out;
		if (c == CLI_DONE) {
			rc = EXIT_OK;
			goto out;
		}
		if (c)
			continue;
		const char *v;
		if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			if (!(x.out = args_value(&a, "extract", o)))
				goto out;
		} else if (!strcmp(o, "--format")) {
			if (!(format = args_value(&a, "extract", o)))
				goto out;
			if (strcmp(format, "pcap") && strcmp(format, "pcapng")) {
				rc = usage_error("extract", "--format takes pcap or pcapng, not '%s'", format);
				goto out;
			}
		} else if (!strcmp(o, "--frames")) {
			if (!(v = args_value(&a, "extract", o)))
				goto out;
			char *end;
			unsigned long lo = strtoul(v, &end, 10), hi = lo;
			if (end != v && *end == '-')
				hi = end[1] ? strtoul(end + 1, &end, 10) : UINT32_MAX, end += end[0] == '-';
			if (end == v || *end || lo < 1 || hi < lo || hi > UINT32_MAX) {
				rc = usage_error("extract", "--frames takes A-B, A- or N (frame numbers from 1), not '%s'", v);
				goto out;
			}
			x.from = (uint32_t)lo;
			x.to = (uint32_t)hi;
		} else {
			rc = cli_unknown("extract", o);
			goto out;
		}
	}
	if (a.n_positional != 1) {
		rc = usage_error("extract", "expected one capture file");
		goto out;
	}
	if (!x.out) {
		rc = usage_error("extract", "-o OUT.pcap, OUT.pcapng or - (standard output) is required");
		goto out;
	}
	x.pcapng = format ? !strcmp(format, "pcapng") : ends_with(x.out, ".pcapng") || !strcmp(x.out, "-");
	if (!strcmp(x.out, "-")) {
		if (isatty(STDOUT_FILENO)) {
			rc = usage_error("extract", "standard output is a terminal: a capture is binary (-o FILE, or a pipe)");
			goto out;
		}
		x.f = stdout;
	} else {
		struct stat in, outst;
		if (stat(a.positional[0], &in) == 0 && stat(x.out, &outst) == 0 && in.st_dev == outst.st_dev &&
		    in.st_ino == outst.st_ino) {
			rc = usage_error("extract", "-o %s is the capture being read", x.out);
			goto out;
		}
		if (!(x.f = fopen(x.out, "wb"))) {
			fprintf(stderr, "chattcp extract: cannot write %s: %s\n", x.out, strerror(errno));
			rc = EXIT_SYSTEM;
			goto out;
		}
	}
	sb_init(&x.b);
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.on_frame = on_frame;
	so.frame_ctx = &x;
	so.app = co.y.f && filter_needs_app(co.y.f);
	struct session *s = cli_session(&so, a.positional[0], co.ids, co.n_ids, &rc);
	if (!s)
		goto close;
	cli_run(s);
	rc = EXIT_OK;
	if (!cli_check_ids(s, co.ids, co.n_ids))
		rc = EXIT_USAGE;
	if (!x.failed && !x.head_done) {
		/* nothing matched: still a valid, empty capture */
		if (x.pcapng) {
			pcapng_put_shb(&x.b, "chattcp extract");
		} else {
			struct cap_rec none = { .linktype = LT_ETHERNET, .ts_digits = 6 };
			write_pcap(&x, &none);
			x.b.len = 24; /* the header only */
		}
	}
	if (!x.failed && x.b.len && fwrite(x.b.s, 1, x.b.len, x.f) != x.b.len) {
		snprintf(x.why, sizeof x.why, "cannot write %s: %s", x.out, strerror(errno));
		x.failed = 1;
	}
	if (x.f != stdout) {
		if (fclose(x.f) != 0 && !x.failed) {
			snprintf(x.why, sizeof x.why, "cannot write %s: %s", x.out, strerror(errno));
			x.failed = 1;
		}
		x.f = NULL;
	}
	if (x.failed) {
		fprintf(stderr, "chattcp extract: %s\n", x.why);
		rc = EXIT_SYSTEM;
	} else if (x.f != stdout) {
		fprintf(stderr, "%llu frame%s (%llu bytes) written to %s\n", (unsigned long long)x.written,
			x.written == 1 ? "" : "s", (unsigned long long)x.bytes, x.out);
	}
	sb_fini(&x.b);
	xfree(x.if_map);
	cli_common_fini(&co);
	return cli_finish(s, rc);
close:
	if (x.f && x.f != stdout)
		fclose(x.f);
	sb_fini(&x.b);
out:
	xfree(x.if_map);
	cli_common_fini(&co);
	return rc;
}
