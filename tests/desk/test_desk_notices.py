"""An agent who chose the desk LED for notices sees their desk unit blink: the box publishes
on the unit's own notice topic, which Aspa's ACL lets that unit (and only it) read."""

from __future__ import annotations

import asyncio

import pytest

from appliance.store.notice_choices import StoredChoices, save_choices
from tests.desk.desk_broker import PREFIX, DeskBox, desk_box
from tests.desk.test_desk_units_mqtt import next_payload

__all__ = ["desk_box"]

ANNA, PEKKA = 1, 2


def notice_topic(unit: str) -> str:
    return f"{PREFIX}/desk/{unit}/notice"


async def test_an_assignment_blinks_the_agents_desk_unit(desk_box: DeskBox) -> None:
    daemon = desk_box.daemon
    assert daemon.store is not None and daemon.tickets is not None
    # never quiet (an empty span), so the test holds whatever the hour
    await daemon.store.call(save_choices, ANNA, StoredChoices(
        ways={"assigned": "led"}, quiet_start="00:00", quiet_end="00:00"))
    anna = await asyncio.to_thread(desk_box.unit, "desk-anna")
    pekka = await asyncio.to_thread(desk_box.unit, "desk-pekka")
    try:
        await asyncio.to_thread(anna.subscribe, notice_topic("desk-anna"))
        await asyncio.to_thread(pekka.subscribe, notice_topic("desk-anna"))  # refused by the ACL
        ticket = await daemon.tickets.open_ticket("email", "Tarjouspyyntö")
        await daemon.tickets.assign(ticket.id, ANNA, by=PEKKA)
        assert await next_payload(anna) == (notice_topic("desk-anna"), b"blink:3", False)
        with pytest.raises(TimeoutError):  # another unit's client gets nothing
            await next_payload(pekka, wait_s=1.0)
    finally:
        anna.close()
        pekka.close()
