"""Retained live figures: a dashboard that subscribes later sees every figure at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.mqtt.figure_catalogue import FIGURES
from appliance.presence.channel import Channel
from appliance.presence.states import AgentState, Presence
from appliance.queue.work_item import WorkItem
from appliance.spine.events import HealthChanged, LineStatus
from tests.mqtt.conftest import FakeCore, connected, receive_until
from tests.peers.mqtt_probe import MqttProbe

STATE = "aspa/box1/state/"


async def test_a_late_subscriber_sees_every_figure_retained(
        mosquitto, make_adapter, clock) -> None:
    now = clock.now()
    core = FakeCore(
        queue=[WorkItem(id="call:a", kind=Channel.CALL, created_at=now - timedelta(seconds=42)),
               WorkItem(id="call:b", kind=Channel.CALL, created_at=now - timedelta(seconds=5)),
               WorkItem(id="t:1", kind=Channel.EMAIL, created_at=now - timedelta(days=2))],
        agents={1: AgentState(agent_id=1, presence=Presence.AVAILABLE),
                2: AgentState(agent_id=2, presence=Presence.BUSY),
                3: AgentState(agent_id=3, presence=Presence.AVAILABLE)})
    adapter = make_adapter(mosquitto, core=core, discovery=False)
    await adapter.start()
    await connected(adapter)
    await adapter.refresh_figures()
    names = {f.name for f in FIGURES}
    watcher = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        watcher.subscribe(f"{STATE}#")
        await receive_until(watcher, lambda got: {m.topic for m in got} >= {
            STATE + n for n in names})
    finally:
        watcher.close()

    late = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        late.subscribe(f"{STATE}#")
        got = await receive_until(late, lambda got: len(got) == len(names))
    finally:
        late.close()
    values = {m.topic[len(STATE):]: m.payload.decode() for m in got}
    assert all(m.retain for m in got)
    assert values["callers_waiting"] == "2"
    assert values["longest_wait"] == "42"
    assert values["agents_available"] == "2"
    assert values["agents_busy"] == "1"
    assert values["answer_rate_today"] == "None"  # no finished call today: unknown, not 0 %
    assert values["service_debt_today"] == "0"


async def test_lines_and_mailboxes_get_escaped_topics(mosquitto, make_adapter, bus) -> None:
    adapter = make_adapter(mosquitto, discovery=False)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        probe.subscribe(f"{STATE}line/#")
        probe.subscribe(f"{STATE}mailbox/#")
        at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        bus.publish(LineStatus(at=at, line="gsm/0#", registered=True, signal=20,
                               operator="Elisa"))
        bus.publish(HealthChanged(at=at, part="mail:tuki+", ok=False, detail="login failed"))
        got = await receive_until(probe, lambda got: len(got) == 4)
    finally:
        probe.close()
    values = {m.topic: m.payload.decode() for m in got}
    assert values == {
        f"{STATE}line/gsm_2f0_23/registered": "ON",
        f"{STATE}line/gsm_2f0_23/signal": "-73",  # +CSQ 20 = -113 + 2*20 dBm
        f"{STATE}line/gsm_2f0_23/operator": "Elisa",
        f"{STATE}mailbox/tuki_2b/ok": "OFF",
    }
