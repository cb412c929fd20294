/* pcapng_write.c: see pcapng_write.h. Block layouts from draft-ietf-opsawg-pcapng
 * section 4 (SHB 4.1, IDB 4.2, EPB 4.3) and options from 3.5: each option is code,
 * length, value padded to 32 bits, the list ended by opt_endofopt. */
#include "pcapng_write.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum {
	BT_SHB = 0x0A0D0D0A,
	BT_IDB = 0x00000001,
	BT_EPB = 0x00000006,
	BT_ISB = 0x00000005,
	BYTE_ORDER_MAGIC = 0x1A2B3C4D,
	OPT_END = 0,
	OPT_SHB_USERAPPL = 4,
	OPT_IF_NAME = 2,
	OPT_IF_TSRESOL = 9,
	OPT_ISB_IFRECV = 4,
	OPT_ISB_IFDROP = 5,
	OPT_ISB_OSDROP = 7,
	OPT_ISB_USRDELIV = 8,
};

/* Option values are short strings of ours; a longer one is cut (an interface name is
 * at most 15 bytes on Linux). */
#define PCAPNG_OPT_STR_MAX 255

static void put16(struct strbuf *b, uint16_t v)
{
	char c[2] = { (char)(v & 0xff), (char)(v >> 8) };
	sb_add(b, c, 2);
}

static void put32(struct strbuf *b, uint32_t v)
{
	char c[4] = { (char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff), (char)(v >> 24) };
	sb_add(b, c, 4);
}

static void pad4(struct strbuf *b, size_t n)
{
	static const char zero[3] = { 0 };
	if (n % 4)
		sb_add(b, zero, 4 - n % 4);
}

static void put_opt(struct strbuf *b, uint16_t code, const void *v, size_t n)
{
	if (n > PCAPNG_OPT_STR_MAX)
		n = PCAPNG_OPT_STR_MAX;
	put16(b, code);
	put16(b, (uint16_t)n);
	if (n)
		sb_add(b, v, n); /* (opt_endofopt has no value: v is NULL) */
	pad4(b, n);
}

/* The block's total length goes at its offset 4 and at its end. */
static void close_block(struct strbuf *b, size_t start)
{
	uint32_t len = (uint32_t)(b->len - start + 4);
	put32(b, len);
	unsigned char *p = (unsigned char *)b->s + start + 4;
	p[0] = (unsigned char)(len & 0xff);
	p[1] = (unsigned char)(len >> 8 & 0xff);
	p[2] = (unsigned char)(len >> 16 & 0xff);
	p[3] = (unsigned char)(len >> 24);
}

void pcapng_put_shb(struct strbuf *b, const char *app)
{
	size_t start = b->len;
	put32(b, BT_SHB);
	put32(b, 0); /* length, set by close_block */
	put32(b, BYTE_ORDER_MAGIC);
	put16(b, 1);
	put16(b, 0);
	put32(b, 0xffffffffu); /* section length: not known (-1, 64 bits) */
	put32(b, 0xffffffffu);
	if (app) {
		put_opt(b, OPT_SHB_USERAPPL, app, strlen(app));
		put_opt(b, OPT_END, NULL, 0);
	}
	close_block(b, start);
}

void pcapng_put_idb(struct strbuf *b, uint16_t linktype, uint32_t snaplen, const char *if_name)
{
	size_t start = b->len;
	put32(b, BT_IDB);
	put32(b, 0);
	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	if (if_name)
		put_opt(b, OPT_IF_NAME, if_name, strlen(if_name));
	uint8_t resol = 9; /* 10^-9 s */
	put_opt(b, OPT_IF_TSRESOL, &resol, 1);
	put_opt(b, OPT_END, NULL, 0);
	close_block(b, start);
}

void pcapng_put_epb(struct strbuf *b, uint32_t ifid, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
		    uint32_t wirelen)
{
	size_t start = b->len;
	uint64_t ts = ts_ns < 0 ? 0 : (uint64_t)ts_ns;
	put32(b, BT_EPB);
	put32(b, 0);
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen < caplen ? caplen : wirelen);
	sb_add(b, (const char *)data, caplen);
	pad4(b, caplen);
	close_block(b, start);
}

static void put_opt_u64(struct strbuf *b, uint16_t code, uint64_t v)
{
	put16(b, code);
	put16(b, 8);
	put32(b, (uint32_t)v); /* a u64 in the section's byte order: little-endian here */
	put32(b, (uint32_t)(v >> 32));
}

void pcapng_put_isb(struct strbuf *b, uint32_t ifid, int64_t ts_ns, const struct pcapng_isb *st)
{
	size_t start = b->len;
	uint64_t ts = ts_ns < 0 ? 0 : (uint64_t)ts_ns;
	put32(b, BT_ISB);
	put32(b, 0);
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put_opt_u64(b, OPT_ISB_IFRECV, st->ifrecv);
	put_opt_u64(b, OPT_ISB_IFDROP, st->ifdrop);
	put_opt_u64(b, OPT_ISB_OSDROP, st->osdrop);
	put_opt_u64(b, OPT_ISB_USRDELIV, st->usrdeliv);
	put_opt(b, OPT_END, NULL, 0);
	close_block(b, start);
}

/* --- files --- */

static int write_error(struct pcapng_out *o, struct err *e, const char *what)
{
	err_set(e, EXIT_SYSTEM, -1, "%s: %s: %s", o->cur_name ? o->cur_name : o->path, what, strerror(errno));
	return -1;
}

/* The name of ring file number seq: FILE_00001.pcapng (FILE without its .pcapng). */
static char *ring_name(const struct pcapng_out *o, uint64_t seq)
{
	size_t n = strlen(o->path);
	if (n > 7 && strcmp(o->path + n - 7, ".pcapng") == 0)
		n -= 7;
	size_t cap = n + 32;
	char *s = xmalloc(cap);
	snprintf(s, cap, "%.*s_%05llu.pcapng", (int)n, o->path, (unsigned long long)seq);
	return s;
}

static int open_file(struct pcapng_out *o, struct err *e)
{
	xfree(o->cur_name);
	o->cur_name = o->ring_files ? ring_name(o, o->seq) : xstrdup(o->path);
	o->f = fopen(o->cur_name, "wb");
	if (!o->f)
		return write_error(o, e, "cannot create");
	o->file_bytes = 0;
	o->file_packets = 0;
	if (fwrite(o->head.s, 1, o->head.len, o->f) != o->head.len)
		return write_error(o, e, "write error");
	o->file_bytes = o->head.len;
	o->total_bytes += o->head.len;
	return 0;
}

int pcapng_out_open(struct pcapng_out *o, const char *path, unsigned ring_files, uint64_t ring_bytes,
		    const void *head, size_t n, struct err *e)
{
	memset(o, 0, sizeof *o);
	o->path = xstrdup(path);
	o->ring_files = ring_files;
	o->ring_bytes = ring_bytes;
	o->seq = 1;
	sb_init(&o->head);
	sb_add(&o->head, head, n);
	return open_file(o, e);
}

/* Closes the current ring file and starts the next, removing the one ring_files back
 * (a file this run made: only names it wrote are ever removed). */
static int next_file(struct pcapng_out *o, struct err *e)
{
	if (fclose(o->f) != 0) {
		o->f = NULL;
		return write_error(o, e, "write error");
	}
	o->f = NULL;
	o->seq++;
	if (o->seq > o->ring_files) {
		char *old = ring_name(o, o->seq - o->ring_files);
		if (unlink(old) < 0 && errno != ENOENT) {
			err_set(e, EXIT_SYSTEM, -1, "%s: cannot remove the oldest file of the ring: %s", old, strerror(errno));
			xfree(old);
			return -1;
		}
		xfree(old);
	}
	return open_file(o, e);
}

int pcapng_out_packet(struct pcapng_out *o, const void *p, size_t n, struct err *e)
{
	if (!o->f) {
		err_set(e, EXIT_SYSTEM, -1, "%s: not open", o->path);
		return -1;
	}
	if (o->ring_files && o->file_packets && o->file_bytes + n > o->ring_bytes && next_file(o, e) < 0)
		return -1;
	if (fwrite(p, 1, n, o->f) != n)
		return write_error(o, e, "write error");
	o->file_bytes += n;
	o->file_packets++;
	o->total_bytes += n;
	return 0;
}

int pcapng_out_flush(struct pcapng_out *o, struct err *e)
{
	if (o->f && fflush(o->f) != 0)
		return write_error(o, e, "write error");
	return 0;
}

int pcapng_out_close(struct pcapng_out *o, struct err *e)
{
	int rc = 0;
	if (o->f && fclose(o->f) != 0)
		rc = write_error(o, e, "write error");
	o->f = NULL;
	xfree(o->path);
	xfree(o->cur_name);
	sb_fini(&o->head);
	memset(o, 0, sizeof *o);
	return rc;
}
