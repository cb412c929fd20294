/* fuzz_tls.c: the TLS decoder (proto/tls*.c: records, handshake messages, certificates
 * through libcrypto, JA3/JA4) on arbitrary conversations (see fuzz_app.h), with a key
 * log that has keys for a ClientHello whose random is all zeros, so inputs that reach
 * a ServerHello with that random go through decryption too (the records then fail to
 * authenticate, which is a path to cover: CBC padding, lengths, notes). The key log is
 * made once. */
#include "fuzz_app.h"
#include "proto/keylog.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char KEYS[] =
	"CLIENT_RANDOM 0000000000000000000000000000000000000000000000000000000000000000 "
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET 0000000000000000000000000000000000000000000000000000000000000000 "
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET 0000000000000000000000000000000000000000000000000000000000000000 "
	"1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100\n"
	"CLIENT_TRAFFIC_SECRET_0 0000000000000000000000000000000000000000000000000000000000000000 "
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n"
	"SERVER_TRAFFIC_SECRET_0 0000000000000000000000000000000000000000000000000000000000000000 "
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keylog *kl;
	if (!kl)
		keylog_add_text(&kl, KEYS, sizeof KEYS - 1);
	const uint8_t *ch[FUZZ_MAX_CHUNKS];
	size_t len[FUZZ_MAX_CHUNKS];
	int dirs[FUZZ_MAX_CHUNKS];
	size_t n = 0, start = 0;
	for (size_t i = 0; i + 1 < size && n + 1 < FUZZ_MAX_CHUNKS; i++) {
		if (data[i] == 0xfe && data[i + 1] == 0xfe) {
			ch[n] = data + start, len[n] = i - start, dirs[n] = (int)(n & 1), n++;
			start = i + 2;
			i++;
		}
	}
	ch[n] = data + start, len[n] = size - start, dirs[n] = (int)(n & 1), n++;
	struct app a;
	app_init(&a);
	a.keylog = kl;
	app_decode_chunks(&a, proto_find("tls"), 6, ch, len, dirs, n);
	app_fini(&a);
	return 0;
}
