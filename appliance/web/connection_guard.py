"""What one client may hold of the web server: connections per address, time to send a request.

A LAN client that opens connections and never finishes a request must not take the
page from everyone else. Three bounds, applied before aiohttp sees a byte:

- at most `per_address` connections from one address, `total` from everyone; a
  connection over either is closed the moment it is accepted (it holds no descriptor);
- a request's headers must arrive within `header_seconds` of the connection (or of
  the previous response on a kept-alive one): aiohttp's keep-alive timer, which runs
  from the connection's start and closes a handler still waiting for a request;
- a request's body must arrive within `body_seconds` (the middleware below), and
  what is left of one after the answer is read for at most `linger_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import resource
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from appliance.web.frame.errors import Handler

log = logging.getLogger("aspa.web")

# The announcements page's sound uploads may be larger than any other form: the prompt
# library takes files up to 20 MB and says by name, in the person's language, why a larger
# one is refused; a body beyond this is refused with a bare 413 before it is read whole.
UPLOAD_PREFIX = "/admin/prompts/"
UPLOAD_BODY_MAX_BYTES = 24 * 1024 * 1024
# A reply's files: mail.smtp.attachments_max_mb is at most 50 MB, and a file over the
# cap is refused by name with the typed text kept, so the body may be larger than that.
REPLY_PATH = re.compile(r"^/(api/)?tickets/\d{1,12}/reply(/insert)?$")
REPLY_BODY_MAX_BYTES = 64 * 1024 * 1024
DESCRIPTOR_SHARE = 4  # the web page may use at most this share (1/4) of the process's descriptors


@dataclass(frozen=True)
class WebLimits:
    """Bounds on what clients may hold; the defaults suit a small office's LAN."""

    per_address: int = 32  # a browser opens 6 per host; a wallboard and a few tabs fit
    total: int = 1024
    header_seconds: float = 10.0
    body_seconds: float = 30.0  # 256 KB at the slowest Wi-Fi still arrives in time
    linger_seconds: float = 2.0  # after answering a body that stalled, its rest is read this long

    def total_allowed(self) -> int:
        """`total`, lowered to a share of the descriptor limit so the rest of the box keeps some."""
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.total
        return max(self.per_address, min(self.total, soft // DESCRIPTOR_SHARE))


class ConnectionGuard:
    """Counts open connections per peer address and turns away those over the bounds."""

    def __init__(self, limits: WebLimits) -> None:
        self.limits = limits
        self._total_allowed = limits.total_allowed()
        self._open: Counter[str] = Counter()
        self.admitted = 0
        self.turned_away = 0
        self.most_from_one_address = 0  # the high-water mark, for the tests and the health page

    @property
    def open_connections(self) -> int:
        return sum(self._open.values())

    def admit(self, address: str) -> bool:
        if self._open[address] >= self.limits.per_address or (
                self.open_connections >= self._total_allowed):
            self.turned_away += 1
            return False
        self._open[address] += 1
        self.admitted += 1
        self.most_from_one_address = max(self.most_from_one_address, self._open[address])
        return True

    def release(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def protocol_factory(self, make_handler: Callable[[], asyncio.Protocol]
                         ) -> Callable[[], asyncio.Protocol]:
        """What `loop.create_server` calls: aiohttp's handler behind this guard."""
        return lambda: _GuardedProtocol(self, make_handler)


class _GuardedProtocol(asyncio.Protocol):
    """Admits or closes a new connection; an admitted one is handed to aiohttp unchanged."""

    __slots__ = ("_address", "_guard", "_inner", "_make_handler")

    def __init__(self, guard: ConnectionGuard, make_handler: Callable[[], asyncio.Protocol]
                 ) -> None:
        self._guard = guard
        self._make_handler = make_handler
        self._inner: asyncio.Protocol | None = None
        self._address = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self._address = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        if not self._guard.admit(self._address):
            assert isinstance(transport, asyncio.WriteTransport)
            transport.abort()  # its descriptor is freed now, not after a timeout
            return
        self._inner = self._make_handler()
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._inner is not None:
            self._guard.release(self._address)
            inner, self._inner = self._inner, None
            inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()


def is_sound_upload(request: web.Request) -> bool:
    """True for the one form that takes a sound file (the announcements page)."""
    return (request.method == "POST" and request.path.startswith(UPLOAD_PREFIX)
            and request.path.endswith("/upload"))


def upload_max_bytes(request: web.Request) -> int | None:
    """The body limit of a form that takes files (announcements, a reply's files); None
    for every other request."""
    if is_sound_upload(request):
        return UPLOAD_BODY_MAX_BYTES
    if (request.method == "POST" and request.content_type == "multipart/form-data"
            and REPLY_PATH.match(request.path)):
        return REPLY_BODY_MAX_BYTES
    return None


def body_deadline(seconds: float) -> Middleware:
    """A middleware that reads a request's body within `seconds` or answers 408."""

    @web.middleware
    async def read_body_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists and request.method not in ("GET", "HEAD"):
            read: Callable[[], Awaitable[object]] = request.read
            upload_max = upload_max_bytes(request)
            if upload_max is not None:
                # parsed as it arrives (aiohttp spools the file to disk) and kept for post();
                # a multipart body cannot be parsed again from read()'s copy
                request = request.clone(client_max_size=upload_max)
                read = request.post
            elif request.content_type == "multipart/form-data":
                read = request.post  # within the default size limit
            try:
                async with asyncio.timeout(seconds):
                    await read()  # kept by aiohttp; post() and json() read it again
            except TimeoutError:
                log.info("a request from %s sent its body too slowly; closed", request.remote)
                raise web.HTTPRequestTimeout(
                    text="The request took too long to arrive. Try again.",
                    headers={"Connection": "close"}) from None
        return await handler(request)

    return read_body_in_time
