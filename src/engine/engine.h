/* engine.h: the one pass over a capture: read -> decode -> connection -> TCP state and
 * analysis -> sinks. Memory grows with connections, not packets, unless a view asks
 * for the per-packet index of some connections. */
#ifndef CHATTCP_ENGINE_H
#define CHATTCP_ENGINE_H

#include "../base/err.h"
#include "../capture/capfile.h"
#include "../decode/pkt.h"
#include "../flow/conntab.h"
#include "../model/conn.h"

#include <stddef.h>
#include <stdint.h>

/* Something that wants every TCP/UDP packet as it goes by (statistics, application
 * decoders, live output). rec is complete: state, events and labels are set. */
struct engine_sink {
	void *ctx;
	void (*packet)(void *ctx, const struct pkt *pk, struct conn *c, const struct pktrec *rec);
	/* Optional: only the connections this accepts reach packet() (a view of a few
	 * connections must not pay for decoding all of them). */
	int (*want)(void *want_ctx, const struct conn *c);
	void *want_ctx;
};

#define ENGINE_MAX_SINKS 4
#define ENGINE_MAX_OTHER 32

struct other_count {
	const char *name;
	uint64_t n;
};

/* Bytes of packets rebuilt from IP fragments, kept because reading the record back
 * would only give the last fragment. */
struct kept_payload {
	uint32_t frame;
	uint32_t len;
	uint8_t *bytes; /* the TCP/UDP header and payload */
};

struct engine {
	struct capfile cf;
	struct conntab ct;
	struct ipfrag *frag;
	struct err err;        /* why reading stopped early, when it did */
	int damaged;
	/* counts */
	uint64_t n_frames, n_tcp, n_udp, n_fragments, n_bad, n_truncated, n_malformed;
	uint64_t n_other;
	struct other_count other[ENGINE_MAX_OTHER];
	size_t n_other_kinds;
	int64_t first_ts, last_ts;
	/* which connections get per-packet records: NULL = none; keep_all = every one */
	int keep_all;
	int (*keep)(void *ctx, const struct conn *c);
	void *keep_ctx;
	struct pktrec *recs;
	size_t n_recs, cap_recs;
	struct kept_payload *kept;
	size_t n_kept, cap_kept;
	struct engine_sink sinks[ENGINE_MAX_SINKS];
	size_t n_sinks;
	/* Connections that ended, oldest first: their analysis state is released once
	 * they have been quiet for ENGINE_RELEASE_AFTER_NS (capture time), so memory
	 * follows the connections in progress, not all the connections of the file. */
	int keep_analysis_state;   /* set by views that read it at the end (diag) */
	struct ended { uint32_t conn; int64_t ts; } *ended;
	size_t ended_head, n_ended, cap_ended;
	uint64_t n_released;
};

/* Opens a capture file (or "-" for standard input). */
int engine_open(struct engine *en, const char *path, struct err *e);
/* Opens a capture held in memory (built-in case); name is for messages. */
int engine_open_mem(struct engine *en, const char *name, const uint8_t *p, size_t n, struct err *e);
void engine_add_sink(struct engine *en, struct engine_sink s);
/* Restricts the sink added last to the connections want accepts. */
void engine_filter_last_sink(struct engine *en, int (*want)(void *ctx, const struct conn *c), void *ctx);
/* Reads the whole capture. Returns 0, or -1 when the file is damaged part-way:
 * en->err says where, and everything before it has been processed. */
int engine_run(struct engine *en);
void engine_close(struct engine *en);

/* Decodes the packet of rec again (for its payload); 0 or -1. */
int engine_reread(struct engine *en, const struct pktrec *rec, struct pkt *pk);

/* Groups the kept records by connection id, in frame order inside each: on return
 * order[] lists record indexes and first[id]..first[id+1] spans connection id
 * (arrays of n_recs and n_conns+1 entries, malloc'd, caller frees). */
void engine_group_by_conn(const struct engine *en, uint32_t **order, uint32_t **first);

#endif
