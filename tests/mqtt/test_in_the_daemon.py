"""The adapter inside `aspa run`: plugged in by aspa.toml, live figures follow events at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from appliance.config.aspa_toml import load_config
from appliance.mqtt.adapter import MqttAdapter
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.spine.events import CallOffered, PresenceChanged
from tests.daemon_box import make_box, seed
from tests.mqtt.conftest import receive, receive_until
from tests.peers.mqtt_probe import MqttProbe

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def test_the_daemon_publishes_when_mqtt_is_enabled(tmp_path: Path, mosquitto) -> None:
    box = make_box(tmp_path, extra_toml=(
        f'\n[box]\nname = "hq"\n\n[mqtt]\nenabled = true\nhost = "{mosquitto.host}"\n'
        f"port = {mosquitto.port}\nstate_interval = 3600\n"))
    seed(box)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(None))
    try:
        probe.subscribe("aspa/hq/status")
        probe.subscribe("aspa/hq/event/#")
        probe.subscribe("aspa/hq/state/callers_waiting")
        await daemon.start()
        adapter = next(a for a in daemon.supervisor.adapters if isinstance(a, MqttAdapter))
        await receive_until(probe, lambda got: {m.topic: m.payload for m in got}.get(
            "aspa/hq/state/callers_waiting") == b"0" and any(m.payload == b"online" for m in got))
        assert daemon.supervisor.health()["mqtt"].ok

        # A call arrives: the event goes out, and the wallboard figure follows at once,
        # not at the next hourly tick.
        call = CallOffered(at=AT, call_id="c1", line="gsm0", number="+358401234567")
        daemon.bus.publish(call)
        got = await receive_until(probe, lambda got: any(
            m.topic == "aspa/hq/state/callers_waiting" and m.payload == b"1" for m in got))
        events = [json.loads(m.payload) for m in got if "/event/" in m.topic]
        assert [e["event_id"] for e in events] == [call.event_id]
        daemon.bus.publish(PresenceChanged(at=AT, agent_id=1, presence="away", activity="idle"))
        await adapter.outbox.wait_empty()
    finally:
        await daemon.stop()
    try:
        last = await receive(probe)
        while last.topic != "aspa/hq/status":
            last = await receive(probe)
        assert last.payload == b"offline"
    finally:
        probe.close()
