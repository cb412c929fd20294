#!/usr/bin/env python3
"""delay.py IF_A IF_B MS: a delay line between two interfaces (run in the router namespace).

Every frame that arrives on one interface leaves on the other MS milliseconds later, in order,
nothing dropped: a long cable. (Debian's kernels here have no sch_netem, so the delay is made
in user space with AF_PACKET sockets.) Frames the interfaces send themselves are ignored. A
frame leaves through the interface's qdisc: a rate limit there (tc HTB, as
slow-start-congestion-avoidance sets) is the path's bottleneck, and a frame its full queue
refuses (ENOBUFS) is lost, as at a router whose buffer is full."""
import heapq, os, select, socket, sys, time

ETH_P_ALL = 3
PACKET_OUTGOING = 4
a, b, ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
socks = {}
for name in (a, b):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    socks[name] = s
other = {socks[a]: socks[b], socks[b]: socks[a]}
queue, seq = [], 0
print("delay ready", flush=True)
while True:
    wait = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    ready, _, _ = select.select(list(other), [], [], wait)
    for s in ready:
        while True:
            try:
                frame, addr = s.recvfrom(65535, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if addr[2] == PACKET_OUTGOING:
                continue
            seq += 1
            heapq.heappush(queue, (time.monotonic() + ms / 1000, seq, other[s], frame))
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, out, frame = heapq.heappop(queue)
        try:
            out.send(frame)
        except OSError:  # the qdisc's queue is full: dropped
            pass
