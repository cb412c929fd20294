# client.py PORT: in the namespace, connects to the host through slirp4netns (10.0.2.2)
# with a small receive buffer, reads nothing for 12 s (slirp's persist timer probes the
# closed window every 5 s), then reads everything.
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2304)
s.connect(("10.0.2.2", int(sys.argv[1])))
time.sleep(12)
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
print("client: read %d bytes" % n, flush=True)
s.close()
