"""Dialled calls on every model: answered, busy, no answer, hung up; bad numbers refused."""

from __future__ import annotations

import pytest

from appliance.gsm.errors import NoCarrier
from appliance.spine.events import CallEnded, CallStateChanged

from .line_harness import Line


async def test_dialled_call_is_answered_and_ends(line: Line) -> None:
    call_id = await line.driver.dial("+358501112222")
    assert line.sim.calls[0].number == "+358501112222"
    await line.sim.remote_answers()
    await line.log.wait_for(CallStateChanged,
                            lambda e: e.call_id == call_id and e.state == "active")
    await line.sim.remote_hangs_up()
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == call_id)
    assert ended.outcome == "answered"


async def test_dialled_party_busy(line: Line) -> None:
    call_id = await line.driver.dial("0501112222")
    await line.sim.remote_busy()
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == call_id)
    assert ended.outcome == "busy"


async def test_dialled_party_does_not_answer(line: Line) -> None:
    call_id = await line.driver.dial("0501112222")
    await line.sim.remote_no_answer()
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == call_id)
    assert ended.outcome == "no_answer"


async def test_we_cancel_a_dialled_call(line: Line) -> None:
    call_id = await line.driver.dial("0501112222")
    await line.driver.hangup(call_id)
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == call_id)
    assert ended.outcome == "failed"
    assert line.sim.calls == []


async def test_dial_without_network_fails_with_no_carrier(line: Line) -> None:
    await line.sim.set_registration(2)
    with pytest.raises(NoCarrier):
        await line.driver.dial("0501112222")
    ended = await line.log.wait_for(CallEnded)
    assert ended.outcome == "failed"
    assert len(line.driver.calls) == 0


@pytest.mark.parametrize("bad", ["", "040 123", "+35840;H", "a123"])
async def test_undialable_number_is_refused_before_the_modem(line: Line, bad: str) -> None:
    before = len(line.sim.received)
    with pytest.raises(ValueError, match="not a dialable number"):
        await line.driver.dial(bad)
    assert line.sim.received[before:] == []
