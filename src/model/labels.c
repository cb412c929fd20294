/* labels.c: names of the analysis labels (see labels.h). */
#include "labels.h"

#include <string.h>

static const struct {
	const char *json;
	const char *words;
} labels[LB_COUNT] = {
	[LB_RETRANSMISSION] = { "retransmission", "retransmission" },
	[LB_FAST_RETRANSMISSION] = { "fast_retransmission", "fast retransmission" },
	[LB_SPURIOUS_RETRANSMISSION] = { "spurious_retransmission", "spurious retransmission" },
	[LB_OUT_OF_ORDER] = { "out_of_order", "out of order" },
	[LB_LOST_SEGMENT] = { "lost_segment", "previous segment not captured" },
	[LB_ACK_LOST_SEGMENT] = { "ack_lost_segment", "ACKs a segment that was not captured" },
	[LB_DUPLICATE_ACK] = { "duplicate_ack", "duplicate ACK" },
	[LB_KEEP_ALIVE] = { "keep_alive", "keep-alive" },
	[LB_KEEP_ALIVE_ACK] = { "keep_alive_ack", "keep-alive ACK" },
	[LB_ZERO_WINDOW] = { "zero_window", "zero window" },
	[LB_ZERO_WINDOW_PROBE] = { "zero_window_probe", "zero-window probe" },
	[LB_ZERO_WINDOW_PROBE_ACK] = { "zero_window_probe_ack", "zero-window probe ACK" },
	[LB_WINDOW_FULL] = { "window_full", "window full" },
	[LB_WINDOW_UPDATE] = { "window_update", "window update" },
	[LB_REUSED_PORTS] = { "reused_ports", "ports reused by a new connection" },
};

const char *label_name(int label)
{
	return label >= 0 && label < LB_COUNT ? labels[label].json : NULL;
}

const char *label_words(int label)
{
	return label >= 0 && label < LB_COUNT ? labels[label].words : NULL;
}

int label_from_name(const char *name)
{
	for (int i = 0; i < LB_COUNT; i++)
		if (strcmp(labels[i].json, name) == 0)
			return i;
	return -1;
}
