"""Keeps one modem line up: open by path, attach the driver, probe, reopen, reset as a last resort.

A modem that stops answering (no reply to a periodic `AT`), vanishes (its port
goes away; it is reopened by path when it returns) or floods garbage is
noticed within 10 s. Calls in progress end as "interrupted". Nothing escapes
as an exception: the daemon never needs a restart. A rejected PIN or a locked
SIM stops the line until a person acts (retrying would lock the SIM for good).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from appliance.ports.lines import SimUnblockRefused
from appliance.spine.events import HealthChanged

from .at_channel import AtChannel
from .driver import ModemDriver, puk_and_pin_well_formed
from .errors import (
    CommandTimeout,
    IncorrectPin,
    ModemError,
    PinRejected,
    SimBusy,
    SimFailure,
    SimLocked,
    SimNotReady,
    SimPukRequired,
)
from .transport import open_port

log = logging.getLogger("aspa.gsm.supervisor")

RECONNECT_BACKOFF_S: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0)  # then 2 s each time
RESETS_AFTER_FAILED_OPENS = 3  # AT+CFUN=1,1 only after this many reopen attempts went unanswered
CHANNEL_TIMEOUT_FACTOR = 2.0  # ordinary commands may take this many probe timeouts
# The SIM is listed this often besides at every (re)connect: a +CMTI lost on the line (or
# not sent by a modem that refused AT+CNMI at start) delays an SMS by this much, at most.
SMS_LISTING_INTERVAL_S = 600.0

PortOpener = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]
Sleep = Callable[[float], Awaitable[None]]


class ModemSupervisor:
    """Runs one line; `run()` never raises, `stop()` ends it."""

    def __init__(self, driver: ModemDriver, *, opener: PortOpener = open_port,
                 sleep: Sleep = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.driver = driver
        self.settings = driver.settings
        self._open = opener
        self._sleep = sleep
        self._monotonic = monotonic
        self.channel: AtChannel | None = None
        self.state = "starting"  # starting / up / down / stopped
        self.detail = ""
        self.reopen_count = 0
        self.reset_count = 0
        self._failed_opens = 0
        self._garbage_mark = 0
        self._last_status = monotonic()
        self._last_sms_listing = monotonic()
        self._sms_intake_failing = False
        self._stopping = asyncio.Event()
        self._healthy: bool | None = None

    @property
    def part(self) -> str:
        return f"gsm:{self.driver.line}"

    # --- the loop ------------------------------------------------------------------

    async def run(self) -> None:
        """Keep the line up until `stop()`; a locked SIM parks it until then."""
        attempt = 0
        while not self._stopping.is_set():
            if self.state == "stopped":  # parked (e.g. by the start's own try) until stop()
                await self._stopping.wait()
                break
            try:
                if self.channel is None or not self.channel.is_open:
                    if self.channel is not None:
                        await self._drop(self.channel.close_reason or "port closed")
                    if not await self.connect():
                        if self.state == "stopped":
                            await self._stopping.wait()
                            break
                        delay = RECONNECT_BACKOFF_S[min(attempt, len(RECONNECT_BACKOFF_S) - 1)]
                        attempt += 1
                        await self._sleep(delay)
                        continue
                    attempt = 0
                await self._wait_interval()
                if not self._stopping.is_set():
                    await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # the boundary: log, back off, go on
                log.exception("%s: supervisor step failed", self.driver.line)
                await self._sleep(RECONNECT_BACKOFF_S[-1])
        await self._shutdown()

    async def stop(self) -> None:
        """Ask `run()` to finish."""
        self._stopping.set()

    async def _wait_interval(self) -> None:
        channel = self.channel
        if channel is None:
            return
        waiters = [asyncio.ensure_future(channel.closed.wait()),
                   asyncio.ensure_future(self._stopping.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.settings.health_check_seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    # --- connecting ----------------------------------------------------------------

    async def connect(self) -> bool:
        """Open the port by path and attach the driver; False when it did not work."""
        settings = self.settings
        try:
            reader, writer = await self._open(settings.device, settings.baud)
        except ModemError as error:
            if self.state != "stopped":
                self.state = "down"
            self.detail = str(error)
            self._set_health(False, str(error))
            return False
        channel = self._channel_on(reader, writer, self.driver.line)
        self.channel = channel
        try:
            await self.driver.attach(channel)
        except (PinRejected, SimLocked) as error:
            await self._drop(str(error))
            self.state = "stopped"  # a person must act; retrying could lock the SIM for good
            log.error("%s: %s", self.driver.line, error)
            return False
        except (SimNotReady, SimBusy) as error:
            # The SIM is starting after power-up: the modem answers, so no reset; try again.
            await self._drop(f"{error}; trying again")
            return False
        except (ModemError, TimeoutError) as error:
            self._failed_opens += 1
            if self._failed_opens % RESETS_AFTER_FAILED_OPENS == 0:
                await self._reset_modem(channel)
            await self._drop(f"modem not answering at start: {error}")
            return False
        self._failed_opens = 0
        self._garbage_mark = channel.garbage_lines
        self._last_status = self._last_sms_listing = self._monotonic()
        self.state = "up"
        self._set_health(True, f"{self.driver.profile.label} {self.driver.identity.firmware}")
        return True

    def _channel_on(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    name: str) -> AtChannel:
        """An AT channel on the opened port, timed by the line's settings and clock."""
        return AtChannel(reader, writer, name=name,
                         default_timeout=self.settings.command_timeout_seconds
                         * CHANNEL_TIMEOUT_FACTOR,
                         sleep=self._sleep, monotonic=self._monotonic)

    async def unblock_sim(self, puk: str, new_pin: str) -> None:
        """Give a line parked on its PUK the PUK and a new PIN, on a channel opened for it.

        Only a stopped line (a person had to act) whose SIM answers `+CPIN: SIM PUK`:
        sent to a SIM that waits for its PIN, the PUK would spend one of the PIN's tries.
        The line is left stopped; its owner starts it again. SimUnblockRefused says why not.
        """
        if self.state != "stopped":
            raise SimUnblockRefused("not_locked", self.state)
        if not puk_and_pin_well_formed(puk, new_pin):
            raise SimUnblockRefused("bad_format")
        settings = self.settings
        try:
            reader, writer = await self._open(settings.device, settings.baud)
        except ModemError as error:
            raise SimUnblockRefused("no_modem", str(error)) from None
        channel = self._channel_on(reader, writer, f"{self.driver.line}-puk")
        channel.start()
        try:
            await channel.cancel_input()
            await channel.command("ATE0")
            await channel.command("AT+CMEE=1")  # numeric +CME ERROR codes (TS 27.007 §9.1)
            state = await self._sim_asks(channel)
            if state != "SIM PUK":
                raise SimUnblockRefused("not_locked", state)
            try:
                await self.driver.enter_puk(puk, new_pin, channel)
            except IncorrectPin:
                raise SimUnblockRefused(
                    "wrong_puk", tries_left=await self.driver.puk_tries_left(channel)) from None
            except SimFailure as error:
                raise SimUnblockRefused("sim_dead", error.result) from None
            log.warning("%s: SIM unblocked with its PUK; a new PIN is set", self.driver.line)
            self.detail = "SIM unblocked with its PUK"
        except (ModemError, TimeoutError) as error:
            raise SimUnblockRefused("no_modem", str(error)) from None
        finally:
            await channel.close("PUK entered")

    @staticmethod
    async def _sim_asks(channel: AtChannel) -> str:
        """What the SIM waits for (+CPIN?, TS 27.007 §8.3): READY, SIM PIN, SIM PUK, ..."""
        try:
            response = await channel.command("AT+CPIN?", prefix="+CPIN:")
        except SimPukRequired:
            return "SIM PUK"
        except SimFailure:
            return "SIM failure"
        return response.value("+CPIN:") or "unknown"

    async def _reset_modem(self, channel: AtChannel) -> None:
        """AT+CFUN=1,1, the last resort: it reboots the modem (and re-enumerates USB)."""
        self.reset_count += 1
        log.warning("%s: modem does not answer after %d opens: resetting with AT+CFUN=1,1",
                    self.driver.line, self._failed_opens)
        with contextlib.suppress(ModemError, TimeoutError):
            await channel.command("AT+CFUN=1,1", time_limit=self.settings.command_timeout_seconds,
                                  retry_busy=False)

    async def _drop(self, reason: str, *, health: bool = True) -> None:
        """Forget the current port: calls are interrupted, the port is closed."""
        channel, self.channel = self.channel, None
        self.driver.detach(reason)
        if channel is not None:
            await channel.close(reason)
        if self.state != "stopped":
            self.state = "down"
        self.detail = reason
        if health:
            self._set_health(False, reason)

    async def reopen(self, reason: str) -> bool:
        """Close and open the port again now."""
        self.reopen_count += 1
        log.warning("%s: reopening the modem port: %s", self.driver.line, reason)
        await self._drop(reason)
        return await self.connect()

    async def close(self) -> None:
        """Close the port (for use without `run()`, e.g. by doctor)."""
        await self._shutdown()

    async def _shutdown(self) -> None:
        if self.channel is not None:
            await self._drop("stopped", health=False)

    # --- health checks --------------------------------------------------------------------

    async def check(self) -> str | None:
        """One health check; returns what was wrong (and has been acted on), or None."""
        channel = self.channel
        if channel is None or not channel.is_open:
            reason = channel.close_reason if channel is not None else "not connected"
            if channel is not None:
                await self._drop(reason)
            await self.connect()
            return reason
        garbage = channel.garbage_lines - self._garbage_mark
        self._garbage_mark = channel.garbage_lines
        if garbage >= self.settings.garbage_limit:
            reason = f"{garbage} unparsable lines from the modem"
            await self.reopen(reason)
            return reason
        if not await self._probe(channel) and not await self._probe(channel):
            reason = "modem not answering AT"
            await self.reopen(reason)
            return reason
        await self._periodic(channel)
        return None

    async def _probe(self, channel: AtChannel) -> bool:
        try:
            await channel.command("AT", time_limit=self.settings.command_timeout_seconds,
                                  retry_busy=False)
        except CommandTimeout:
            return False
        except ModemError:
            return channel.is_open  # an error answer is still an answer: the modem is alive
        return True

    async def _periodic(self, channel: AtChannel) -> None:
        now = self._monotonic()
        if now - self._last_status >= self.settings.status_poll_seconds:
            self._last_status = now
            with contextlib.suppress(ModemError, TimeoutError):
                await self.driver.refresh_status()
        with contextlib.suppress(ModemError, TimeoutError):
            await self.driver.sms.expire()
        list_sim = now - self._last_sms_listing >= SMS_LISTING_INTERVAL_S
        if list_sim:
            self._last_sms_listing = now
        try:
            await self.driver.keep_sms_intake(list_sim=list_sim)
        except (ModemError, TimeoutError) as error:
            if not self._sms_intake_failing:  # once per spell, not at every check
                log.warning("%s: taking in SMS from the SIM failed (%s); trying again at "
                            "every check", self.driver.line, error)
            self._sms_intake_failing = True
        else:
            self._sms_intake_failing = False

    def _set_health(self, ok: bool, detail: str) -> None:
        if self._healthy is ok:
            return
        self._healthy = ok
        self.driver.bus.publish(HealthChanged(at=self.driver.clock.now(), part=self.part, ok=ok,
                                              detail=detail))
