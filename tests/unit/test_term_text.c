/* test_term_text.c: unit tests for the terminal escaping (src/out/term_text.h) and the
 * JSON string escaping of NEL/LS/PS (src/base/strbuf.h). Exact forms of each class of
 * input; every 1- and 2-byte input and seeded random inputs give output with no C0 but
 * none, no DEL, valid UTF-8 and no steering code point, and read back to the input
 * (the escapes are unambiguous); term_text_fit never exceeds its width nor cuts an
 * escape or a character; a UTF-8 sequence cut at the end of the input (placed before
 * an unreadable page) is not over-read. Prints "ok NAME" / "FAIL NAME: why". */
#include "out/term_text.h"
#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void form(const char *name, const void *in, size_t n, const char *want)
{
	void *map;
	size_t maplen;
	const uint8_t *p = guarded(in, n, &map, &maplen);
	struct strbuf b;
	sb_init(&b);
	term_text(&b, p, n);
	char why[512];
	snprintf(why, sizeof why, "got '%s', want '%s'", b.s ? b.s : "", want);
	check(b.len == strlen(want) && (b.len == 0 || memcmp(b.s, want, b.len) == 0), name, why);
	sb_fini(&b);
	munmap(map, maplen);
}

/* The code points term_text must show escaped (a copy of the rule in term_text.h). */
static int steering(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || cp == 0x61c || cp == 0x200b || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb);
}

/* NULL when s[0..n) is fit for a terminal, else what is wrong. */
static const char *unsafe(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return "a C0 byte or DEL";
		uint32_t cp;
		size_t l = utf8_decode(u + i, n - i, &cp);
		if (!l)
			return "invalid UTF-8";
		if (steering(cp))
			return "a steering code point";
		i += l;
	}
	return NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads the terminal form back; -1 when it holds a backslash that is none of ours. */
static int unescape(const char *s, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			sb_putc(out, s[i++]);
			continue;
		}
		if (i + 1 >= n)
			return -1;
		char k = s[i + 1];
		if (k == '\\' || k == 'r' || k == 'n' || k == 't') {
			sb_putc(out, k == '\\' ? '\\' : k == 'r' ? '\r' : k == 'n' ? '\n' : '\t');
			i += 2;
		} else if (k == 'x' && i + 3 < n && hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			sb_putc(out, (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3])));
			i += 4;
		} else if (k == 'u' && i + 5 < n) {
			uint32_t cp = 0;
			for (int j = 0; j < 4; j++) {
				int v = hexval(s[i + 2 + j]);
				if (v < 0)
					return -1;
				cp = cp << 4 | (uint32_t)v;
			}
			if (cp < 0x800) {
				sb_putc(out, (char)(0xc0 | cp >> 6));
				sb_putc(out, (char)(0x80 | (cp & 0x3f)));
			} else {
				sb_putc(out, (char)(0xe0 | cp >> 12));
				sb_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
				sb_putc(out, (char)(0x80 | (cp & 0x3f)));
			}
			i += 6;
		} else {
			return -1;
		}
	}
	return 0;
}

static uint64_t rng_state = 0x7e57ca5e11u;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(rng_state >> 33);
}

/* Bytes that make trouble, mixed with plain text: random inputs are drawn from these. */
static const char *const pieces[] = {
	"a", " ", "\\", "\\x1b", "\x1b", "\x1b]0;t\x07", "\r", "\n", "\t", "\x7f", "\x00", "\x9b", "\xc2\x9b",
	"\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xae", "\xe2\x81\xa6", "\xef\xbb\xbf", "\xc3\xa9", "\xe2\x82\xac",
	"\xf0\x9f\x98\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xff", "\xfe", "\\u202e",
};

static void random_inputs(void)
{
	struct strbuf in, out, back;
	sb_init(&in);
	sb_init(&out);
	sb_init(&back);
	int safe = 1, round = 1, fits = 1;
	char why[400] = "";
	for (int t = 0; t < 20000; t++) {
		sb_reset(&in);
		int k = (int)(rnd() % 12);
		for (int i = 0; i < k; i++) {
			const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			sb_add(&in, p, p[0] ? strlen(p) : 1);
		}
		if (in.len && rnd() % 4 == 0)
			in.len -= rnd() % in.len; /* cut anywhere, also inside a sequence */
		sb_reset(&out);
		term_text(&out, in.s ? in.s : "", in.len);
		const char *u = unsafe(out.s ? out.s : "", out.len);
		if (u && safe) {
			safe = 0;
			snprintf(why, sizeof why, "input %d: %s in the output", t, u);
		}
		sb_reset(&back);
		if (round && (unescape(out.s ? out.s : "", out.len, &back) < 0 || back.len != in.len ||
			      (in.len && memcmp(back.s, in.s, in.len)))) {
			round = 0;
			snprintf(why, sizeof why, "input %d does not read back: '%s'", t, out.s ? out.s : "");
		}
		size_t cols = term_text_cols(in.s ? in.s : "", in.len);
		size_t w = rnd() % 30;
		struct strbuf f;
		sb_init(&f);
		size_t took = term_text_fit(&f, in.s ? in.s : "", in.len, w);
		/* what it showed is exactly the terminal form of the prefix it took, within w */
		sb_reset(&back);
		term_text(&back, in.s ? in.s : "", took);
		size_t fcols = term_text_cols(in.s ? in.s : "", took);
		if (fits && (f.len != back.len || (f.len && memcmp(f.s, back.s, f.len)) || (w && fcols > w) ||
			     (!w && took != in.len) || (w && cols <= w && took != in.len))) {
			fits = 0;
			snprintf(why, sizeof why, "input %d: fit to %zu took %zu of %zu bytes (%zu columns)", t, w, took,
				 in.len, fcols);
		}
		sb_fini(&f);
	}
	check(safe, "random-output-safe", why);
	check(round, "random-reads-back", why);
	check(fits, "random-fit", why);
	sb_fini(&in);
	sb_fini(&out);
	sb_fini(&back);
}

static void every_short_input(void)
{
	struct strbuf out, back;
	sb_init(&out);
	sb_init(&back);
	int good = 1;
	char why[200] = "";
	for (unsigned v = 0; v < 65536 + 256 && good; v++) {
		uint8_t in[2] = { (uint8_t)(v & 0xff), (uint8_t)(v >> 8 & 0xff) };
		size_t n = v < 256 ? 1 : 2;
		if (v >= 256)
			in[0] = (uint8_t)((v - 256) >> 8), in[1] = (uint8_t)(v - 256);
		sb_reset(&out);
		sb_reset(&back);
		term_text(&out, in, n);
		const char *u = unsafe(out.s, out.len);
		if (u || unescape(out.s, out.len, &back) < 0 || back.len != n || memcmp(back.s, in, n)) {
			good = 0;
			snprintf(why, sizeof why, "%02x %02x -> '%s': %s", in[0], n > 1 ? in[1] : 0, out.s,
				 u ? u : "does not read back");
		}
	}
	check(good, "every-1-and-2-byte-input", why);
	sb_fini(&out);
	sb_fini(&back);
}

static void json_forms(void)
{
	struct strbuf b;
	sb_init(&b);
	const char in[] = "a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d\xc3\xa9\xe2\x80\xae\x1b\xff";
	sb_json_str(&b, in, sizeof in - 1);
	/* NEL, LS, PS and the bidi override RLO act on a reader: escaped; é stays */
	const char *want = "\"a\\u0085b\\u2028c\\u2029d\xc3\xa9\\u202e\\u001b\\u00ff\"";
	char why[300];
	snprintf(why, sizeof why, "got %s", b.s);
	check(strcmp(b.s, want) == 0, "json-nel-ls-ps-escaped", why);
	sb_fini(&b);
}

int main(void)
{
	form("plain-ascii", "GET /index.html", 15, "GET /index.html");
	form("utf8-kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	form("backslash-doubled", "a\\x1b", 5, "a\\\\x1b");
	form("cr-lf-tab", "\r\n\t", 3, "\\r\\n\\t");
	form("esc-osc-bel", "\x1b]0;t\x07", 6, "\\x1b]0;t\\x07");
	form("nul-bs-del", "\x00\x08\x7f", 3, "\\x00\\x08\\x7f");
	form("raw-c1", "\x9b\x85", 2, "\\x9b\\x85");
	form("utf8-c1", "\xc2\x9b\xc2\x85\xc2\x80", 6, "\\u009b\\u0085\\u0080");
	form("ls-ps", "\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u2028\\u2029");
	form("bidi", "\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f", 12, "\\u202e\\u2066\\u2069\\u200f");
	form("zwj-kept", "\xe2\x80\x8d", 3, "\xe2\x80\x8d");
	form("bom", "\xef\xbb\xbf", 3, "\\ufeff");
	form("overlong", "\xc0\xaf", 2, "\\xc0\\xaf");
	form("surrogate", "\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	form("past-10ffff", "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
	form("cut-at-end", "ok\xe2\x82", 4, "ok\\xe2\\x82");
	form("cut-4-at-end", "\xf0\x9f\x98", 3, "\\xf0\\x9f\\x98");
	form("empty", "", 0, "");

	struct strbuf b;
	sb_init(&b);
	size_t took = term_text_fit(&b, "ab\x1b" "cd", 5, 4);
	check(took == 2 && strcmp(b.s, "ab") == 0, "fit-never-cuts-an-escape", b.s ? b.s : "");
	sb_reset(&b);
	took = term_text_fit(&b, "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 2);
	check(took == 4 && strcmp(b.s, "\xc3\xa9\xc3\xa9") == 0, "fit-counts-characters", b.s ? b.s : "");
	sb_reset(&b);
	term_text_pad(&b, "\xc3\xa9\x1b", 8);
	check(strcmp(b.s, "\xc3\xa9\\x1b   ") == 0, "pad-by-columns", b.s ? b.s : "");
	check(term_text_cols("a\x1b\xc3\xa9\xe2\x80\xae", 7) == 1 + 4 + 1 + 6, "cols", "wrong column count");
	sb_fini(&b);

	every_short_input();
	random_inputs();
	json_forms();
	return fails ? 1 : 0;
}
