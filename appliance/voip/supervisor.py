"""Keeps baresip running for the VoIP line: start, watch, restart with backoff, report.

baresip dying (or its control connection dropping) ends the calls under way
as interrupted (the call flow turns them into callbacks), is published as a
health change and a line status, and is followed by a restart after a pause
that doubles up to `restart_max_seconds`. A dead line is never silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Final

from appliance.spine.events import HealthChanged
from appliance.voip.baresip_files import write_baresip_dir
from appliance.voip.baresip_process import BaresipProcess, free_loopback_port
from appliance.voip.control import BaresipControl
from appliance.voip.errors import BaresipStartError
from appliance.voip.jack_server import JackServer, server_environment
from appliance.voip.voip_line import VoipLine

log = logging.getLogger("aspa.voip")

FIRST_RESTART_S: Final = 0.5
STABLE_UP_S: Final = 60.0  # a baresip that dies sooner than this keeps doubling the pause
STATUS_FILE: Final = "status.json"


class VoipSupervisor:
    """Runs one line's baresip and keeps the line object attached to it."""

    def __init__(self, line: VoipLine, work_dir: Path) -> None:
        self.line = line
        self.work_dir = work_dir
        self.process: BaresipProcess | None = None
        self.jack: JackServer | None = None  # call_sound = "box": the calls' sound's clock
        self.control: BaresipControl | None = None
        self.state = "down"  # down / up / restarting / stopped
        self.detail = ""
        self.restarts = 0
        self.last_error = ""  # kept after recovery, for the doctor
        self.started = asyncio.Event()  # set each time baresip is up; cleared when it is lost
        self._stopping = False
        self._stop_requested = asyncio.Event()
        line.status_hook = self.write_status

    @property
    def part(self) -> str:
        return f"voip:{self.line.name}"

    async def start_once(self) -> None:
        """Write baresip's files, start it and attach the line; BaresipStartError says why not."""
        settings = self.line.settings
        # baresip 1.0 binds SIP on sip_port (UDP and TCP) and its TLS listener on sip_port + 1
        sip_ports = frozenset({settings.sip_port, settings.sip_port + 1})
        port = settings.control_port or free_loopback_port(avoid=sip_ports)
        files = write_baresip_dir(settings, self.work_dir / "baresip", port)
        env = await self._jack_up() if settings.call_sound == "box" else None
        process = BaresipProcess(settings.baresip, files, env)
        self.process = process
        self.control = await process.start(self.line.on_event)
        self.line.attach(self.control)
        await self.line.register()
        self.state, self.detail = "up", ""
        self.started.set()
        self._report(ok=True)
        log.info("%s: baresip up (pid %s, SIP %s:%s)", self.line.name, process.pid,
                 settings.listen_address, settings.sip_port)

    async def _jack_up(self) -> dict[str, str]:
        """Start the line's JACK server unless it runs; the environment baresip needs for it."""
        jack = self.jack
        if jack is None or not jack.is_running:
            jack = JackServer(self.line.settings.jackd,
                              f"aspa-{self.line.name}-{os.getpid()}",
                              self.work_dir / "jackd.log")
            await jack.start()
            self.jack = jack
            log.info("%s: JACK server %s up for the calls' sound", self.line.name,
                     jack.server_name)
        self.line.jack_server = jack.server_name
        return server_environment(jack.server_name)

    async def run(self) -> None:
        """Keep baresip up until stop(); restart it with backoff whenever it is lost."""
        loop = asyncio.get_running_loop()
        pause = FIRST_RESTART_S
        while not self._stopping:
            if self.process is None or self.control is None:
                try:
                    await self.start_once()
                except BaresipStartError as error:
                    self._lost(str(error))
                    await self._pause(pause)
                    pause = min(pause * 2, self.line.settings.restart_max_seconds)
                    continue
            up_since = loop.time()
            await self._watch()
            if self._stopping:
                break
            self.restarts += 1
            if loop.time() - up_since > STABLE_UP_S:
                pause = FIRST_RESTART_S  # it ran well for a while: this is a fresh failure
            await self._pause(pause)
            pause = min(pause * 2, self.line.settings.restart_max_seconds)

    async def _watch(self) -> None:
        """Return once baresip exited or its control connection is gone."""
        process, control = self.process, self.control
        assert process is not None and control is not None
        exited = asyncio.ensure_future(process.wait())
        lost = asyncio.ensure_future(control.lost.wait())
        refused = asyncio.ensure_future(self.line.registration_failed.wait())
        watched = {exited, lost, refused}
        jack = self.jack.process if self.jack is not None else None
        if jack is not None:
            watched.add(asyncio.ensure_future(jack.wait()))  # the calls' sound lost with it
        try:
            await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in watched:
                task.cancel()
        if self._stopping:
            return
        status = process.process.returncode if process.process is not None else None
        if status is not None:
            reason = f"baresip exited (status {status})"
        elif control.lost.is_set():
            reason = control.lost_reason or "baresip control lost"
        elif jack is not None and jack.returncode is not None:
            reason = f"the JACK server of the calls' sound exited (status {jack.returncode})"
        else:  # baresip 1.0 gives up on a refused account: a fresh start tries again later
            reason = f"registration failed: {self.line.last_error}"
        await control.close()
        await process.stop()  # a baresip whose control died is of no use: end it
        self.process = self.control = None
        self._lost(reason)

    def _lost(self, reason: str) -> None:
        self.state, self.detail = ("stopped" if self._stopping else "restarting"), reason
        self.last_error = reason
        self.started.clear()
        log.error("%s: %s; calls under way end as interrupted, restarting", self.line.name,
                  reason)
        self.line.lose(reason)
        self._report(ok=False)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stop_requested.wait()  # stop() cuts the pause short

    def _report(self, *, ok: bool) -> None:
        detail = self.detail or self.line.registration
        self.line.bus.publish(HealthChanged(at=self.line.clock.now(), part=self.part, ok=ok,
                                            detail=detail))
        self.write_status()

    def write_status(self) -> None:
        """What `aspa doctor` reads: state, registration and the last error."""
        status = {"line": self.line.name, "state": self.state,
                  "registration": self.line.registration,
                  "last_error": self.line.last_error or self.last_error,
                  "restarts": self.restarts, "at": self.line.clock.now().isoformat()}
        with contextlib.suppress(OSError):
            self.work_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.work_dir / (STATUS_FILE + ".tmp")
            tmp.write_text(json.dumps(status))
            tmp.replace(self.work_dir / STATUS_FILE)

    async def stop(self) -> None:
        """Stop baresip (calls under way end as interrupted) and the watch."""
        self._stopping = True
        self._stop_requested.set()
        control, process = self.control, self.process
        self.control = self.process = None
        if control is not None:
            await control.close()
        if process is not None:
            await process.stop()
        if self.jack is not None:
            await self.jack.stop()
            self.jack = None
        self.state = "stopped"
        self.line.lose("stopped")
        self.write_status()
