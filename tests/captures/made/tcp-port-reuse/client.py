# client.py HOST PORT SPORT HOLD_CMD RELEASE_CMD: three connections from the same source
# port SPORT (SO_REUSEADDR), one after the other.
#  1. uploads 1 MB; the server closes first and keeps the 4-tuple in TIME_WAIT.
#  2. at once from the same port: the new ISN is below what the server's TIME_WAIT
#     expects (the ISN clock advanced less than 1 MB), so the server answers the SYN
#     with the old connection's ACK, the client resets it and sends the SYN again
#     after 1 s; the RST freed the TIME_WAIT, and the server answers with a SYN+ACK
#     with a new ISN. HOLD_CMD drops the client's pure ACKs at the server for 3.5 s,
#     so the server sends its SYN+ACK again (1 s, 3 s). Ends with an abort
#     (SO_LINGER 0: RST) so the port is free at once.
#  3. the same port again, a fresh SYN: a normal exchange, the client closes first.
import socket, struct, subprocess, sys, time
host, port, sport, hold, release = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]


def conn():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    s.connect((host, port))
    return s


def answer(s):
    got = b""
    while not got.endswith(b"\n"):
        b = s.recv(100)
        if not b:
            break
        got += b
    return got


s = conn()
s.sendall(bytes(i % 251 for i in range(1 << 20)) + b"END\n")
print("client: 1:", answer(s), flush=True)
s.recv(1)                      # the server's FIN
s.close()
subprocess.run(hold, shell=True, check=True)
s = conn()                     # the first SYN meets TIME_WAIT; connect() returns after the retry
time.sleep(3.5)
subprocess.run(release, shell=True, check=True)
s.sendall(b"second END\n")
print("client: 2:", answer(s), flush=True)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                      # RST
time.sleep(0.2)
s = conn()
s.sendall(b"third END\n")
print("client: 3:", answer(s), flush=True)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
