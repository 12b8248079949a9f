"""300 connections each send most of a 1 MB body to POST /v1/profiles and then wait (audit H2).
Prints: RSS before (MB), peak (MB), seconds until the server had closed every connection."""
import socket, sys, time

port, key, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def rss(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024

before = rss("VmRSS:")
head = (f"POST /v1/profiles HTTP/1.1\r\nHost: x\r\nx-api-key: {key}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1048500\r\n\r\n").encode()
socks = []
start = time.time()
for _ in range(300):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head)
    s.setblocking(False)
    try:
        s.send(b" " * 1_000_000)
    except BlockingIOError:
        pass
    socks.append(s)
open_ = set(range(len(socks)))
while open_ and time.time() - start < 60:
    for i in list(open_):
        try:
            if socks[i].recv(65536) == b"":
                open_.discard(i)
        except BlockingIOError:
            pass
        except OSError:
            open_.discard(i)
    time.sleep(0.05)
print(before, rss("VmHWM:"), round(time.time() - start, 1), len(open_))
