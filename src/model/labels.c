/* labels.c: names of the analysis labels (see labels.h). */
#include "labels.h"

#include <stddef.h>

static const char *const label_names[LB_COUNT] = {
	[LB_RETRANSMISSION] = "retransmission",
	[LB_FAST_RETRANSMISSION] = "fast_retransmission",
	[LB_SPURIOUS_RETRANSMISSION] = "spurious_retransmission",
	[LB_OUT_OF_ORDER] = "out_of_order",
	[LB_LOST_SEGMENT] = "lost_segment",
	[LB_ACK_LOST_SEGMENT] = "ack_lost_segment",
	[LB_DUPLICATE_ACK] = "duplicate_ack",
	[LB_KEEP_ALIVE] = "keep_alive",
	[LB_KEEP_ALIVE_ACK] = "keep_alive_ack",
	[LB_ZERO_WINDOW] = "zero_window",
	[LB_ZERO_WINDOW_PROBE] = "zero_window_probe",
	[LB_ZERO_WINDOW_PROBE_ACK] = "zero_window_probe_ack",
	[LB_WINDOW_FULL] = "window_full",
	[LB_WINDOW_UPDATE] = "window_update",
	[LB_REUSED_PORTS] = "reused_ports",
};

const char *label_name(int label)
{
	return label >= 0 && label < LB_COUNT ? label_names[label] : NULL;
}
