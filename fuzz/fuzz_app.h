/* fuzz_app.h: shared by the application-decoder fuzz targets. The input is a made-up
 * conversation: chunks separated by the two bytes FE FE, sent alternately by the
 * client and the server (the first by the client), each chunk one TCP segment, or one
 * UDP datagram; the decoder named by the target decodes them (detection too when NULL). */
#ifndef CHATTCP_FUZZ_APP_H
#define CHATTCP_FUZZ_APP_H

#include "proto/app.h"

#include <stddef.h>
#include <stdint.h>

/* Chunks per input: past this the rest is one last chunk. */
#define FUZZ_MAX_CHUNKS 64

static inline void fuzz_app_run(const char *proto, int transport, const uint8_t *data, size_t size)
{
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
	a.body_keep = 1 << 16;
	a.body_hash = 1;
	app_decode_chunks(&a, proto ? proto_find(proto) : NULL, transport, ch, len, dirs, n);
	app_fini(&a);
}

#endif
