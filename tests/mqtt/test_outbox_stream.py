"""The outbox alone: small reads and a small window keep order while rows keep coming."""

from __future__ import annotations

import asyncio
import contextlib

from appliance.mqtt.connection import BrokerAddress, Connection
from appliance.mqtt.outbox import Outbox
from appliance.mqtt.outbox_rows import OutgoingMessage, count_unsent
from tests.mqtt.conftest import receive_until
from tests.peers.mqtt_probe import MqttProbe

TOPIC = "aspa/box1/event/call-offered"


def numbered(first: int, count: int) -> list[OutgoingMessage]:
    return [OutgoingMessage(TOPIC, f'{{"n":{n}}}') for n in range(first, first + count)]


async def test_small_batches_and_window_keep_order_while_rows_keep_coming(
        mosquitto, store, clock) -> None:
    outbox = Outbox(store, clock, cap=10_000, read_batch=7, window=5)
    await outbox.load()
    await outbox.put(numbered(0, 150))
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    probe.subscribe(TOPIC)
    connection = Connection(BrokerAddress(mosquitto.host, mosquitto.port, "stream-test"),
                            "aspa/box1/status", lambda topic, payload: None)
    await connection.open()
    sender = asyncio.create_task(outbox.send(connection))
    try:
        for first in range(150, 300, 30):  # events keep happening while the backlog drains
            await outbox.put(numbered(first, 30))
        got = await receive_until(probe, lambda got: len(got) == 300)
        await outbox.wait_empty()
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await connection.close()
        probe.close()
    assert [m.payload for m in got] == [f'{{"n":{n}}}'.encode() for n in range(300)]
    assert outbox.sent == 300
    assert await store.call(count_unsent) == 0
