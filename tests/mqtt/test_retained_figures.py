"""Retained live figures: a dashboard that subscribes later sees every figure at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.mqtt.figure_catalogue import FIGURES
from appliance.presence.states import Presence
from appliance.presence.transitions import set_presence
from appliance.spine.events import CallOffered, HealthChanged, LineStatus
from appliance.store.accounts import Accounts
from appliance.store.tickets import TicketBook
from appliance.switchboard.switchboard import Switchboard
from tests.mqtt.conftest import connected, receive_until
from tests.peers.mqtt_probe import MqttProbe

STATE = "aspa/box1/state/"


async def _switchboard(store, bus, clock) -> Switchboard:
    """Three agents (two available, one busy), two callers waiting, one open mail."""
    accounts = Accounts(store.db, clock)
    for login in ("anna", "pekka", "liisa"):
        await store.call(accounts.add_user, login.title(), login, "agent", f"{login}-pass-1")
    board = Switchboard(store, bus, clock)
    await board.load()
    board.attach()
    for login, presence in (("anna", Presence.AVAILABLE), ("pekka", Presence.BUSY),
                            ("liisa", Presence.AVAILABLE)):
        agent_id = board.agent_id(login)
        assert agent_id is not None
        board.change_presence(agent_id, lambda s, now, p=presence: set_presence(s, p, now),
                              source="test")
    tickets = TicketBook(store.db, bus, clock, worker=store)
    board.use_tickets(tickets)
    await tickets.open_ticket("email", "an open mail")
    now = clock.now()
    for call_id, waited in (("a", 42), ("b", 5)):
        bus.publish(CallOffered(at=now - timedelta(seconds=waited), call_id=call_id,
                                line="gsm0", number=None))
    await bus.drain()
    return board


async def test_a_late_subscriber_sees_every_figure_retained(
        mosquitto, make_adapter, store, bus, clock) -> None:
    board = await _switchboard(store, bus, clock)
    adapter = make_adapter(mosquitto, board=board, discovery=False)
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
    assert values["service_debt_today"] == "1"  # the mail opened today and not yet resolved


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
