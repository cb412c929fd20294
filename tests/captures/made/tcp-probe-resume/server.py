# server.py PORT SIZE: on 127.0.0.1 (the host side of slirp4netns), sends SIZE bytes to the
# first client, closes its side, waits for the client's FIN.
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(1)
print("server: listening", flush=True)
c, _ = l.accept()
c.sendall(bytes(i % 251 for i in range(int(sys.argv[2]))))
c.shutdown(socket.SHUT_WR)
c.recv(1)
c.close()
