# server.py PORT: for each connection, reads until the client's request ends (a line
# "END\n" or EOF), answers "ok N\n" (N bytes read) and closes first, so the server
# side of each connection that ends this way waits in TIME_WAIT.
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", int(sys.argv[1])))
l.listen(8)
print("server: listening", flush=True)
while True:
    c, _ = l.accept()
    n, tail = 0, b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        n += len(b)
        tail = (tail + b)[-4:]
        if tail == b"END\n":
            break
    try:
        c.sendall(b"ok %d\n" % n)
    except OSError:
        pass
    c.close()
