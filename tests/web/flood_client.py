"""A LAN client that floods the web page: many connections, each a request never finished.

    python -m tests.web.flood_client HOST PORT COUNT SOURCE_ADDRESS

Opens COUNT connections from SOURCE_ADDRESS (a loopback address), sends each the
start of a request without its end, prints one JSON line (how many connected and
how many the server has already closed), then holds them until stdin closes, when it
prints how many the server closed meanwhile.
"""

from __future__ import annotations

import errno
import json
import resource
import select
import socket
import sys
import time

PARTIAL_REQUEST = b"GET / HTTP/1.1\r\nHost: aspa.local\r\nX-Slow: "
CONNECT_WAIT_S = 20.0


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


def main() -> None:
    host, port, count, source = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 256), hard))
    pending: dict[int, socket.socket] = {}
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.bind((source, 0))
        code = sock.connect_ex((host, port))
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            continue
        pending[sock.fileno()] = sock
    connected: list[socket.socket] = []
    poller = select.poll()
    for fd in pending:
        poller.register(fd, select.POLLOUT)
    deadline = time.monotonic() + CONNECT_WAIT_S
    while pending and time.monotonic() < deadline:
        for fd, _events in poller.poll(200):
            sock = pending.pop(fd)
            poller.unregister(fd)
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                try:
                    sock.send(PARTIAL_REQUEST)
                    connected.append(sock)
                    continue
                except OSError:
                    pass
            sock.close()
    closed_at_once = sum(_closed_by_server(s) for s in connected)
    print(json.dumps({"attempted": count, "connected": len(connected),
                      "closed_at_once": closed_at_once}), flush=True)
    sys.stdin.read()  # hold them until told
    print(json.dumps({"closed_in_the_end": sum(_closed_by_server(s) for s in connected)}),
          flush=True)


if __name__ == "__main__":
    main()
