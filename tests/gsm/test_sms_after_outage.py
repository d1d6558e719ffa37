"""SMS taken in after the modem comes back, however long it was away: the supervisor on an
injected clock, the simulated modem, and the real SMS intake filing tickets in a store."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.gsm.driver import ModemDriver
from appliance.gsm.simulator import SimulatedModem, create_simulator
from appliance.gsm.supervisor import SMS_LISTING_INTERVAL_S, ModemSupervisor
from appliance.ports.sms_inbox import IncomingSms
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import HealthChanged, SmsReceived
from appliance.store.models import Message, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.sms_filing import SmsIntake

from .line_harness import EventLog, eventually, fast_settings

OUTAGE_S = 10 * 60.0
LONG_TEXT = ("Hei, tilaamani tulostin ei ole vieläkään tullut, vaikka lupasitte sen "
             "maanantaiksi. Soittakaa minulle, kun tiedätte enemmän. Terveisin Liisa "
             "Virtanen, Oy Esimerkki Ab, puh. 040 123 4567")


class SteppedTime:
    """The supervisor's clock: its sleeps pass at once and move the clock on by their length."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps = 0
        self._watch = math.inf
        self._reached = asyncio.Event()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.sleeps += 1
        if self.now >= self._watch:
            self._reached.set()
        await asyncio.sleep(0)  # let the loop run, as a real sleep would

    async def until(self, moment: float) -> None:
        """Wait (in real time, briefly) until the supervisor's sleeps have reached `moment`."""
        self._watch, self._reached = moment, asyncio.Event()
        if self.now < moment:
            await asyncio.wait_for(self._reached.wait(), timeout=30)


class Sink:
    """The real SMS intake, which can be made to hang (a store still writing at an unplug)."""

    def __init__(self, intake: SmsIntake) -> None:
        self.intake = intake
        self.hang = False
        self.entered = asyncio.Event()

    async def __call__(self, sms: IncomingSms) -> None:
        self.entered.set()
        if self.hang:
            await asyncio.Event().wait()  # cancelled when the port goes
        await self.intake(sms)


@dataclass
class Box:
    sim: SimulatedModem
    supervisor: ModemSupervisor
    time: SteppedTime
    store: StoreWorker
    sink: Sink
    log: EventLog


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Box]:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    store = StoreWorker(db)
    bus = EventBus()
    log = EventLog(bus)
    bus.start()
    clock = ManualClock()
    sink = Sink(SmsIntake(store.db, bus, clock, store, TicketBook(store.db, bus, clock,
                                                                  worker=store)))
    sim = create_simulator("sim7600", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    time = SteppedTime()
    driver = ModemDriver(fast_settings(sim.path), bus, clock=clock, sms_sink=sink)
    supervisor = ModemSupervisor(driver, sleep=time.sleep, monotonic=time.monotonic)
    task = asyncio.get_running_loop().create_task(supervisor.run())
    try:
        yield Box(sim, supervisor, time, store, sink, log)
    finally:
        await supervisor.stop()
        async with asyncio.timeout(5):
            await task
        await sim.stop()
        await bus.stop()
        store.close()


async def _health(box: Box, ok: bool, count: int) -> None:
    """Wait until the line has reported being up (or down) `count` times."""
    async with asyncio.timeout(10):
        while sum(e.ok is ok for e in box.log.of(HealthChanged)) < count:
            await box.log.wait_for(HealthChanged, lambda e: e.ok is ok, within=10)
            await asyncio.sleep(0.01)


def _on_sim(sim: SimulatedModem, sender: str, text: str) -> None:
    """An SMS the network delivered to the SIM with no one listening (no +CMTI sent)."""
    for part in sim.make_sms(sender, text):
        sim.store_sms(part)


def _sms_threads() -> list[tuple[str, str]]:
    rows = Message.select(Message.sender, Message.body_text).join(Ticket).where(
        Ticket.channel == "sms").order_by(Message.sender)
    return [(m.sender, m.body_text) for m in rows]


async def _filed(box: Box, count: int) -> list[tuple[str, str]]:
    async with asyncio.timeout(10):
        while len(box.log.of(SmsReceived)) < count:
            await box.log.wait_for(SmsReceived, lambda e: len(box.log.of(SmsReceived)) >= count,
                                   within=10)
    return await box.store.call(_sms_threads)


async def test_sms_stored_during_a_ten_minute_outage_become_tickets_when_the_modem_is_back(
        box: Box) -> None:
    await _health(box, True, 1)
    await box.sim.unplug()
    await _health(box, False, 1)
    unplugged_at = box.time.now
    _on_sim(box.sim, "+358401234567", LONG_TEXT)  # three parts
    _on_sim(box.sim, "+358509876543", "Lasku 5531 on maksettu.")

    await box.time.until(unplugged_at + OUTAGE_S)
    assert box.supervisor.state == "down"
    tries = box.time.sleeps
    assert tries >= OUTAGE_S / 2.0  # the supervisor kept trying, at most 2 s apart

    box.sim.sim_starts_slowly(3)  # powered up afresh: the SIM needs a moment
    await box.sim.replug()
    filed = await _filed(box, 2)

    assert filed == [("+358401234567", LONG_TEXT), ("+358509876543", "Lasku 5531 on maksettu.")]
    assert box.sim.sms == {}  # deleted from the SIM once filed
    assert box.supervisor.state == "up"


async def test_an_sms_cut_off_mid_store_by_an_unplug_is_taken_in_after_the_replug(
        box: Box) -> None:
    await _health(box, True, 1)
    box.sink.hang = True
    await box.sim.sms_arrives("+358401234567", "Tuleeko huoltomies tänään?")
    await asyncio.wait_for(box.sink.entered.wait(), timeout=5)
    await box.sim.unplug()  # the fetch task is cancelled while the sink is storing
    await _health(box, False, 1)
    box.sink.hang = False
    await box.time.until(box.time.now + OUTAGE_S)
    await box.sim.replug()

    assert await _filed(box, 1) == [("+358401234567", "Tuleeko huoltomies tänään?")]
    assert box.sim.sms == {}


async def test_an_sms_whose_notice_was_lost_is_listed_within_the_interval(box: Box) -> None:
    await _health(box, True, 1)
    _on_sim(box.sim, "+358401234567", "Ilmoitus katosi matkalla.")  # no +CMTI reached us
    await asyncio.sleep(0.5)  # a few health checks (0.2 s apart): none lists the SIM yet
    assert not box.log.of(SmsReceived)
    box.time.now += SMS_LISTING_INTERVAL_S

    assert await _filed(box, 1) == [("+358401234567", "Ilmoitus katosi matkalla.")]


async def test_sms_indications_refused_at_start_are_asked_for_again(box: Box) -> None:
    await _health(box, True, 1)
    await box.sim.unplug()
    await _health(box, False, 1)
    cnmi = box.sim.commands["+CNMI"]
    refusals: list[str] = []

    def refused_once(arg: str) -> list[str] | None:
        if not refusals:
            refusals.append(arg)
            return ["+CMS ERROR: 500"]  # a modem whose SMS side is not up yet
        return cnmi(arg)

    box.sim.commands["+CNMI"] = refused_once
    await box.sim.replug()
    await _health(box, True, 2)
    # asked again at a following check, without waiting for the 10-minute listing
    capabilities = box.supervisor.driver.capabilities
    await eventually(lambda: capabilities.works("sms_indications") is True, within=10)
    assert refusals and box.sim.cnmi_mt == 1
    await box.sim.sms_arrives("+358401234567", "Onko tilaus jo lähtenyt?")  # with +CMTI now

    assert await _filed(box, 1) == [("+358401234567", "Onko tilaus jo lähtenyt?")]
