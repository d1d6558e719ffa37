"""Both kinds of line satisfy the one interface the exchange drives, and say what they can do."""

from __future__ import annotations

import pytest

from appliance.calls.exchange_plan import ExchangePlan
from appliance.config.sections.voip import VoipSettings
from appliance.gsm.driver import ModemDriver
from appliance.gsm.line import GsmLine
from appliance.ports.line import Line, line_order
from appliance.ports.line_faults import LineFault
from appliance.queue import RingGroup, RingStrategy
from appliance.queue.connect_methods import ConnectKnowledge, ConnectMethod
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.voip.errors import ControlLost
from appliance.voip.voip_line import VoipLine
from tests.gsm.line_harness import fast_settings


def modem_line() -> GsmLine:
    return GsmLine(ModemDriver(fast_settings("/dev/null"), EventBus(), clock=SystemClock()))


def sip_line() -> VoipLine:
    return VoipLine(VoipSettings(), EventBus(), SystemClock())


def test_a_modem_rings_one_phone_and_prefers_ect() -> None:
    line: Line = modem_line()
    assert isinstance(line, Line)
    caps = line.capabilities
    assert (caps.rings_parallel, caps.dials_sip, caps.sends_sms) == (False, False, True)
    assert line_order(caps)[:2] == (ConnectMethod.ECT, ConnectMethod.CONFERENCE)
    assert line.is_idle


def test_a_sip_trunk_rings_in_parallel_and_tries_refer_before_the_bridge() -> None:
    line: Line = sip_line()
    assert isinstance(line, Line)
    caps = line.capabilities
    assert (caps.rings_parallel, caps.dials_sip, caps.sends_sms) == (True, True, False)
    assert line_order(caps) == (ConnectMethod.DEFLECT, ConnectMethod.CONFERENCE,
                                ConnectMethod.CALLBACK)
    assert line.knowledge.best_of(line_order(caps)) is ConnectMethod.DEFLECT


def test_a_sip_trunk_remembers_a_refused_refer_across_a_restart() -> None:
    line = sip_line()
    line.restore(ConnectKnowledge(refused=frozenset({ConnectMethod.DEFLECT})))
    order = line_order(line.capabilities)
    assert line.knowledge.best_of(order) is ConnectMethod.CONFERENCE
    assert ConnectMethod.ECT in line.knowledge.refused  # baresip 1.0: no attended transfer


async def test_line_faults_of_both_kinds_are_what_the_desk_catches() -> None:
    with pytest.raises(LineFault):
        await modem_line().ring_parallel(["+358501000001", "+358501000002"])
    with pytest.raises(LineFault) as raised:
        await sip_line().ring_parallel(["sip:anna@192.0.2.10"])  # baresip is not running
    assert isinstance(raised.value, ControlLost)


def test_a_sip_line_rings_an_agents_sip_phone_and_a_modem_their_mobile() -> None:
    plan = ExchangePlan(
        groups={"tuki": RingGroup("tuki", (1, 2, 3), RingStrategy.RINGALL)},
        numbers={1: "+358501000001", 2: "+358501000002"},
        sip_uris={2: "sip:ben@pbx.example", 3: "sip:cy@pbx.example"},
    )
    assert plan.reach(dials_sip=True) == {
        1: "+358501000001", 2: "sip:ben@pbx.example", 3: "sip:cy@pbx.example"}
    on_modem = plan.line_groups()["tuki"]
    assert (on_modem.members, on_modem.strategy) == ((1, 2), RingStrategy.LINEAR)
    on_trunk = plan.line_groups(rings_parallel=True, dials_sip=True)["tuki"]
    assert (on_trunk.members, on_trunk.strategy) == ((1, 2, 3), RingStrategy.RINGALL)
