"""No loss: events wait in the store while the broker is away and arrive once each, in order."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from appliance.mqtt.outbox_rows import count_unsent
from appliance.spine.events import CallOffered, SmsReceived, TicketCreated
from tests.mqtt.conftest import SleepGate, connected, receive, receive_until
from tests.peers.mqtt_probe import MqttProbe

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
N_WHILE_AWAY = 40


def offered(n: int) -> CallOffered:
    return CallOffered(at=AT, call_id=f"c{n}", line="gsm0", number="+358401234567")


async def test_events_made_while_the_broker_is_down_arrive_once_each_in_order(
        make_mosquitto, make_adapter, bus, store) -> None:
    broker = make_mosquitto()
    gate = SleepGate(open_=False)
    adapter = make_adapter(broker, link_sleep=gate)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(broker.host, broker.port).connect()
    probe.subscribe("aspa/box1/event/#")
    bus.publish(offered(0))
    before = json.loads((await receive(probe)).payload)
    assert before["call_id"] == "c0"
    probe.close()

    broker.stop()
    await gate.wait_calls(1)
    events = [offered(n) for n in range(1, N_WHILE_AWAY + 1)]
    for event in events:
        bus.publish(event)
    await bus.drain()
    assert await store.call(count_unsent) == N_WHILE_AWAY  # kept in the store, not in memory
    assert not adapter.health().ok

    broker.start()
    probe = MqttProbe(broker.host, broker.port).connect()
    try:
        probe.subscribe("aspa/box1/event/#")
        gate.opened.set()
        got = await receive_until(probe, lambda m: len(m) == N_WHILE_AWAY)
        payloads = [json.loads(m.payload) for m in got]
        assert [p["event_id"] for p in payloads] == [e.event_id for e in events]
        assert {m.topic for m in got} == {"aspa/box1/event/call-offered"}
        await adapter.outbox.wait_empty()
        assert await store.call(count_unsent) == 0
        # Nothing is sent twice: the next event is the very next message the subscriber sees.
        sentinel = SmsReceived(at=AT, line="gsm0", number="+358401234567", text="hei")
        bus.publish(sentinel)
        after = await receive(probe)
        assert json.loads(after.payload)["event_id"] == sentinel.event_id
        assert after.topic == "aspa/box1/event/sms-received"
    finally:
        probe.close()


async def test_unsent_events_survive_a_restart_of_the_box(
        make_mosquitto, make_adapter, bus, store) -> None:
    broker = make_mosquitto()
    broker.stop()
    first = make_adapter(broker)
    await first.start()
    created = TicketCreated(at=AT, number=1042, channel="email", subject="Lasku", priority="high")
    bus.publish(created)
    await first.stop()  # takes what the bus handed it into the outbox before letting go
    assert await store.call(count_unsent) == 1

    broker.start()
    probe = MqttProbe(broker.host, broker.port).connect()
    try:
        probe.subscribe("aspa/box1/event/#")
        second = make_adapter(broker)
        await second.start()
        message = await receive(probe)
        payload = json.loads(message.payload)
        assert message.topic == "aspa/box1/event/ticket-created"
        assert payload["event_id"] == created.event_id
        assert payload["ticket"] == 1042
        assert "Lasku" not in message.payload.decode()  # no subjects on a shared broker
        await second.outbox.wait_empty()
    finally:
        probe.close()


async def test_a_full_outbox_counts_what_it_drops(make_mosquitto, make_adapter, bus,
                                                   store) -> None:
    broker = make_mosquitto()
    broker.stop()
    adapter = make_adapter(broker, outbox_cap=100)
    await adapter.start()
    for n in range(130):
        bus.publish(offered(n))
    await bus.drain()
    assert await store.call(count_unsent) == 100
    assert adapter.outbox.dropped == 30
    assert "30 dropped" in adapter.health().detail
    await adapter.refresh_figures()
    assert adapter.state.values["aspa/box1/state/outbox_dropped"] == "30"
