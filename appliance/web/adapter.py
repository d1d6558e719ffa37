"""The web page as one of the daemon's adapters: an aiohttp server on web.host:web.port."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiohttp import web

from appliance.config.sections.web import WebSettings
from appliance.ports.adapter import AdapterHealth
from appliance.spine.clock import Clock
from appliance.web.app import make_app
from appliance.web.connection_guard import ConnectionGuard, WebLimits
from appliance.web.frame.store_backend import StoreWebBackend

log = logging.getLogger("aspa.web")

SHUTDOWN_GRACE_S = 5.0  # requests under way get this long to finish at stop
LISTEN_BACKLOG = 1024  # a flood fills a short queue and the kernel drops others' connects


class WebAdapter:
    """Serves the LAN page; a taken port is a start failure the supervisor retries."""

    name = "web"

    def __init__(
        self, settings: WebSettings, backend: StoreWebBackend, *, secret_key: bytes, clock: Clock,
        limits: WebLimits | None = None,
    ) -> None:
        self._settings = settings
        self.guard = ConnectionGuard(limits or WebLimits())
        self._server: asyncio.Server | None = None
        self._backend = backend
        self._secret_key = secret_key
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        host = self._settings.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        if ":" in shown:
            shown = f"[{shown}]"  # an IPv6 literal in a URL (RFC 3986 §3.2.2)
        return f"http://{shown}:{self.port or self._settings.port}/"

    async def start(self) -> None:
        app = make_app(
            self._backend,
            secret_key=self._secret_key,
            clock=self._clock,
            session_idle=timedelta(hours=self._settings.session_hours),
            session_lifetime=timedelta(days=self._settings.session_max_days),
            secure_cookies=self._settings.secure_cookies,
            body_seconds=self.guard.limits.body_seconds,
        )
        limits = self.guard.limits
        # A fresh application per attempt: aiohttp freezes one once it has been served.
        # keepalive_timeout is also the header deadline: aiohttp's timer runs from the
        # connection's start and closes a handler still waiting for a whole request.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S,
                               keepalive_timeout=limits.header_seconds,
                               lingering_time=limits.linger_seconds)
        self._runner = runner
        await runner.setup()
        assert runner.server is not None
        loop = asyncio.get_running_loop()
        try:
            server = await loop.create_server(
                self.guard.protocol_factory(runner.server), self._settings.host or None,
                self._settings.port, backlog=LISTEN_BACKLOG, reuse_address=True)
        except OSError as error:
            await runner.cleanup()  # also lets go of the app's bus subscription
            self._runner = None
            raise OSError(
                f"cannot listen on {self._settings.host}:{self._settings.port}: "
                f"{error.strerror or error}; free the port or change web.port"
            ) from error
        self._server = server
        # the bound address tells the real port when web.port is 0
        sockets = server.sockets
        self.port = int(sockets[0].getsockname()[1]) if sockets else self._settings.port
        log.info("web page at %s", self.url)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()  # no new connections; those open finish below
            self._server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def health(self) -> AdapterHealth:
        if self._runner is None:
            return AdapterHealth(ok=False, detail="not serving")
        return AdapterHealth(ok=True, detail=f"serving {self.url}")
