/* labels.h: the closed list of per-packet TCP analysis labels. Their JSON names are
 * API (chat --json "analysis"), with Wireshark's meanings; renaming one breaks users. graph
 * --json carries them as bits in this order (docs/json.md): add at the end only. */
#ifndef CHATTCP_LABELS_H
#define CHATTCP_LABELS_H

#include <stdint.h>

enum tcp_label {
	LB_RETRANSMISSION,
	LB_FAST_RETRANSMISSION,
	LB_SPURIOUS_RETRANSMISSION,
	LB_OUT_OF_ORDER,
	LB_LOST_SEGMENT,
	LB_ACK_LOST_SEGMENT,
	LB_DUPLICATE_ACK,
	LB_KEEP_ALIVE,
	LB_KEEP_ALIVE_ACK,
	LB_ZERO_WINDOW,
	LB_ZERO_WINDOW_PROBE,
	LB_ZERO_WINDOW_PROBE_ACK,
	LB_WINDOW_FULL,
	LB_WINDOW_UPDATE,
	LB_REUSED_PORTS,
	LB_COUNT
};

#define LB_BIT(l) ((uint32_t)1 << (l))

/* JSON name of a label ("retransmission", ...), NULL past LB_COUNT. */
const char *label_name(int label);

#endif
