#!/usr/bin/env python3
"""app.py: the two programs of each scenario of make.sh (server in the server namespace,
client in the client namespace). Real sockets on real Linux stacks; the fault comes from
the path (fwd.c), a sysctl, or what the program does (named in the scenario).

  app.py server PORT MODE [ARGS]   MODE: serve | backlog BACKLOG ACCEPT_EVERY_MS
  app.py client HOST PORT SCENARIO [ARGS]

The line protocol: the client sends "GET SIZE DELAY_MS\\n"; the server sleeps DELAY_MS and
answers SIZE bytes; "PUT SIZE\\n" + SIZE bytes is answered "ok\\n"; "BYE\\n" closes."""
import socket, struct, sys, time


def readline(c):
    b = b""
    while not b.endswith(b"\n"):
        x = c.recv(1)
        if not x:
            return None
        b += x
    return b


def readn(c, n):
    got = 0
    while got < n:
        x = c.recv(min(65536, n - got))
        if not x:
            break
        got += len(x)
    return got


def serve_conn(c, nodelay):
    if nodelay:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            line = readline(c)
            if not line or line.startswith(b"BYE"):
                break
            w = line.split()
            if w[0] == b"GET":
                time.sleep(int(w[2]) / 1000)
                size = int(w[1])
                c.sendall((b"%08d" % size + b"x" * 4096 * (size // 4096 + 1))[:size])
            elif w[0] == b"PUT":
                readn(c, int(w[1]))
                c.sendall(b"ok\n")
            elif w[0] == b"IDLE":
                c.sendall(b"ok\n")
    except (ConnectionResetError, BrokenPipeError):
        pass
    c.close()


def server(port, mode, args):
    import threading
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", port))
    if mode == "backlog":           # a server that accepts slowly behind a short listen queue
        l.listen(int(args[0]))
        every = int(args[1]) / 1000
        while True:
            time.sleep(every)
            c, _ = l.accept()
            threading.Thread(target=serve_conn, args=(c, 1), daemon=True).start()
    l.listen(64)
    nodelay = mode == "serve-nodelay"
    while True:
        c, _ = l.accept()
        threading.Thread(target=serve_conn, args=(c, nodelay), daemon=True).start()


def conn(host, port, rcvbuf=0, nodelay=True, timeout=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if nodelay:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if timeout:
        s.settimeout(timeout)
    s.connect((host, port))
    s.settimeout(None)
    return s


def get(s, size, delay=0):
    s.sendall(b"GET %d %d\n" % (size, delay))
    return readn(s, size)


def client(host, port, sc, a):
    n = [int(x) for x in a]
    if sc == "gets":                 # gets COUNT SIZE: requests on one connection
        s = conn(host, port)
        for _ in range(n[0]):
            get(s, n[1])
            time.sleep(0.05)
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "short":              # short COUNT SIZE: one connection per request
        for _ in range(n[0]):
            s = conn(host, port); get(s, n[1]); s.sendall(b"BYE\n"); s.close(); time.sleep(0.05)
    elif sc == "chat":               # chat COUNT: small request/response lines
        s = conn(host, port)
        for i in range(n[0]):
            get(s, 40 + i % 60)
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "upload":             # upload SIZE [CONNS]
        import threading
        def one():
            s = conn(host, port)
            s.sendall(b"PUT %d\n" % n[0]); s.sendall(b"u" * n[0]); readline(s)
            s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
        ts = [threading.Thread(target=one) for _ in range(n[1] if len(n) > 1 else 1)]
        [t.start() for t in ts]; [t.join() for t in ts]
    elif sc == "download":           # download SIZE CONNS
        import threading
        def one():
            s = conn(host, port); get(s, n[0]); s.sendall(b"BYE\n"); time.sleep(0.2); s.close()
        ts = [threading.Thread(target=one) for _ in range(n[1])]
        [t.start() for t in ts]; [t.join() for t in ts]
    elif sc == "refused":
        try:
            conn(host, port, timeout=3)
        except OSError as e:
            print("client:", e)
    elif sc == "blackhole":          # blackhole TIMEOUT_S
        try:
            conn(host, port, timeout=n[0])
        except OSError as e:
            print("client:", e)
    elif sc == "burst":              # burst CONNS: connect all at once, one request each
        import threading
        def one():
            try:
                s = conn(host, port, timeout=30); get(s, 200); s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
            except OSError as e:
                print("client:", e)
        ts = [threading.Thread(target=one) for _ in range(n[0])]
        [t.start() for t in ts]; [t.join() for t in ts]
    elif sc == "stuck-reader":       # stuck-reader SIZE RCVBUF PAUSE_MS: stops reading, then drains
        s = conn(host, port, rcvbuf=n[1])
        s.sendall(b"GET %d 0\n" % n[0]); got = len(s.recv(1000)); time.sleep(n[2] / 1000)
        readn(s, n[0] - got); s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "small-window":       # small-window SIZE RCVBUF: reads at once, a small buffer
        s = conn(host, port, rcvbuf=n[1]); get(s, n[0]); s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "nagle":              # nagle COUNT: header and body as two writes, Nagle on
        s = conn(host, port, nodelay=False)
        for i in range(n[0]):
            s.send(b"GET "); s.send(b"%d 0\n" % (30 + i)); readn(s, 30 + i)
            time.sleep(0.02)
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "slow-server":        # slow-server COUNT DELAY_MS
        s = conn(host, port)
        for _ in range(n[0]):
            get(s, 2000, n[1])
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "slow-client":        # slow-client COUNT PIECE_GAP_MS: each request trickles in pieces
        s = conn(host, port)
        for i in range(n[0]):
            req = b"GET %d 0\n" % (1000 + i)
            for k in range(0, len(req), 3):
                s.send(req[k:k + 3]); time.sleep(n[1] / 1000)
            readn(s, 1000 + i)
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "abort":              # abort SIZE READ: read READ bytes of SIZE, then RST (SO_LINGER 0)
        s = conn(host, port, rcvbuf=65536)
        s.sendall(b"GET %d 0\n" % n[0]); readn(s, n[1])
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
    elif sc == "idle":               # idle IDLE_S FLAG_FILE: greet, idle (the server restarts), talk
        s = conn(host, port)
        s.sendall(b"IDLE\n"); readline(s)
        time.sleep(n[0])
        try:
            s.sendall(b"GET 100 0\n"); print("client: read", readn(s, 100))
        except OSError as e:
            print("client:", e)
        s.close()
    elif sc == "keepalive":          # keepalive IDLE_S INTVL_S QUIET_S
        s = conn(host, port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, n[0])
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, n[1])
        get(s, 100); time.sleep(n[2]); get(s, 100)
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    elif sc == "late-request":       # late-request WAIT_MS: connect, wait, then one request
        s = conn(host, port); time.sleep(n[0] / 1000); get(s, 3000)
        s.sendall(b"BYE\n"); time.sleep(0.1); s.close()
    else:
        sys.exit("app.py: unknown scenario " + sc)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:])
