"""Settings saved on the page act in the running box, without restarting the daemon.

A real daemon runs in this process with its web page on a free port; the admin
uses the pages as a browser would (forms, CSRF tokens). The peers are real: the
modem simulator on a pseudo-terminal, Dovecot, aiosmtpd.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import ClientSession

from appliance.config.aspa_toml import load_config
from appliance.gsm.simulator import create_simulator
from appliance.presence import Presence, set_presence
from appliance.runtime.daemon import EXIT_RESTART, Daemon, serve
from appliance.runtime.shutdown import ShutdownRequest
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.store.models import Agent
from appliance.web.adapter import WebAdapter
from tests.daemon_box import Box, logged_in_session, make_box, seed
from tests.gsm.line_harness import eventually
from tests.peers.dovecot import ImapAccount
from tests.peers.smtp import SmtpFactory
from tests.runtime.live_box import daemon_with_admin, post_form, settings_token

WAIT_S = 20.0  # generous: a loaded machine is slow to connect a mailbox or a modem
MAIL = (b"From: Maija Meikalainen <maija@example.fi>\r\nTo: tuki@example.fi\r\n"
        b"Subject: Tulostin ei tulosta\r\nMessage-ID: <live-settings-1@example.fi>\r\n"
        b"Date: Mon, 07 Dec 2026 09:00:00 +0200\r\n\r\nSe ei tulosta mitaan.\r\n")
SMTP_LOGIN, SMTP_PASSWORD = "tuki@example.fi", "Lahteva-Posti-5"
ANNA, VILLE = "+358501000001", "+358501000002"
ALL_DAY = "\n".join(f'{day} = ["00:00-24:00"]'
                    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


async def _queued(session: ClientSession, subject: str) -> dict[str, Any] | None:
    items = (await (await session.get("/api/queue")).json())["items"]
    return next((item for item in items if item["subject"] == subject), None)


async def test_a_mailbox_and_outgoing_mail_added_on_the_page_work_at_once(
    tmp_path: Path, imap_account: ImapAccount, make_smtp_server: SmtpFactory
) -> None:
    imap_account.append(MAIL)
    server = make_smtp_server(SMTP_LOGIN, SMTP_PASSWORD)
    async with daemon_with_admin(make_box(tmp_path)) as (daemon, session):
        web = daemon.supervisor.named("web")
        assert daemon.supervisor.named("mail") is None  # no mailbox at start
        await post_form(session, "/admin/mailboxes", {
            "name": "tuki", "host": imap_account.host, "port": str(imap_account.port),
            "security": "none", "user": imap_account.user,
            "password": imap_account.password})
        page = await (await session.get("/admin/mailboxes?saved=1")).text()
        assert "Saved and in use now: no restart needed." in page
        ticket: dict[str, Any] | None = None

        async def arrived() -> bool:
            nonlocal ticket
            ticket = await _queued(session, "Tulostin ei tulosta")
            return ticket is not None

        await eventually(arrived, WAIT_S)
        assert ticket is not None
        # outgoing mail, saved while the box runs: the next reply goes out through it
        await post_form(session, "/admin/outgoing-mail", {
            "host": server.host, "port": str(server.port), "security": "none",
            "user": SMTP_LOGIN, "password": SMTP_PASSWORD, "from_name": "Tuki",
            "from_address": "tuki@example.fi"})
        location = await post_form(session, f"/tickets/{ticket['number']}/reply",
                               {"channel": "email", "body": "Kokeile virtanappia."})
        assert location.startswith(f"/tickets/{ticket['number']}")
        sent = (await server.messages_arrived(1, WAIT_S))[0]
        assert sent.login == SMTP_LOGIN and sent.rcpt_tos == ("maija@example.fi",)
        assert "Kokeile virtanappia." in sent.raw.decode()
        assert daemon.supervisor.named("web") is web  # the page itself never restarted


def _modem_box(tmp_path: Path, device: str) -> Box:
    return make_box(tmp_path, extra_toml=f"""
[gsm]
enabled = true

[[gsm.modems]]
name = "gsm0"
device = "{device}"
model = "generic"
clcc_poll_seconds = 0.05
clip_wait_seconds = 0.05
health_check_seconds = 0.2
command_timeout_seconds = 0.5

[[agents]]
login = "anna"
name = "Anna"
phone = "{ANNA}"

[[agents]]
login = "ville"
name = "Ville"
phone = "{VILLE}"

[[ring_groups]]
name = "tuki"
members = ["anna"]
strategy = "ringall"

[calls]
language = "en"

[business_hours.weekly]
{ALL_DAY}
""")


async def test_a_ring_group_member_changed_on_the_page_gets_the_next_call(
    tmp_path: Path
) -> None:
    sim = create_simulator("generic", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    try:
        async with daemon_with_admin(_modem_box(tmp_path, sim.path)) as (daemon, session):
            board = daemon.switchboard
            assert board is not None and daemon.store is not None
            ids = await daemon.store.call(lambda: {a.login: a.id for a in Agent.select()})
            for login in ("anna", "ville"):
                board.change_presence(ids[login], lambda s, now: set_presence(
                    s, Presence.AVAILABLE, now), source="test")
            line, calls = daemon.supervisor.named("gsm0"), daemon.supervisor.named("calls")
            await eventually(lambda: daemon.supervisor.health()["gsm0"].ok, WAIT_S)
            await post_form(session, "/admin/settings/ring-groups/1", {"members": "ville"})
            page = await (await session.get("/admin/settings?saved=1")).text()
            assert "Saved and in use now: no restart needed." in page
            await sim.incoming_call("+358401234567")
            await sim.wait_for_command(f"ATD{VILLE};", within=WAIT_S)
            assert f"ATD{ANNA};" not in sim.received
            # the line and the exchange are the same objects: nothing was restarted
            assert daemon.supervisor.named("gsm0") is line
            assert daemon.supervisor.named("calls") is calls
            # the office closes: the exchange and the tickets' SLA clocks know at once
            now = daemon.clock.now()
            assert calls.exchange.plan.calendar.is_open(now)  # type: ignore[union-attr]
            far = (now.astimezone(ZoneInfo(daemon.config.time_zone)).hour + 12) % 24
            closed = {day: f"{far:02d}:00-{far:02d}:30"  # open half an hour, twelve hours away
                      for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
            await post_form(session, "/admin/settings/business-hours", closed)
            assert not calls.exchange.plan.calendar.is_open(now)  # type: ignore[union-attr]
            assert daemon.tickets is not None
            assert not daemon.tickets.records.calendar.is_open(now)
    finally:
        await sim.stop()


async def test_a_setting_read_only_at_start_offers_a_restart_that_exits_for_systemd(
    tmp_path: Path
) -> None:
    box = make_box(tmp_path)
    seed(box)
    daemon = Daemon(load_config(box.config_path), config_path=box.config_path,
                    notifier=SystemdNotifier(None))
    shutdown = ShutdownRequest()
    started = asyncio.Event()
    serving = asyncio.create_task(serve(daemon, shutdown=shutdown,
                                        on_started=lambda _: started.set()))
    try:
        await asyncio.wait_for(started.wait(), WAIT_S)
        web = next(a for a in daemon.supervisor.adapters if isinstance(a, WebAdapter))
        session = await logged_in_session(web.url.rstrip("/"))
        try:
            # the installer moved the page to another port by hand, then saved on the page
            text = box.config_path.read_text()
            box.config_path.write_text(text.replace("port = 0\n", "port = 8089\n", 1))
            location = await post_form(session, "/admin/settings/holidays",
                                   {"holidays": "2026-12-24"})
            assert daemon.config.business_hours.holidays  # in use now
            page = await (await session.get(location)).text()
            assert "These settings apply after a restart: web" in page
            assert 'action="/admin/restart"' in page
            # a later save that applies at once does not hide what still waits
            location = await post_form(session, "/admin/settings/holidays",
                                   {"holidays": "2026-12-24, 2026-12-25"})
            page = await (await session.get(location)).text()
            assert "These settings apply after a restart: web" in page
            boot = (await (await session.get("/admin/restart/state")).json())["boot"]
            response = await session.post("/admin/restart",
                                          data={"csrf_token": await settings_token(session)})
            text = await response.text()
            assert response.status == 202 and f'data-restart-from="{boot}"' in text
        finally:
            await session.close()
        assert await asyncio.wait_for(serving, WAIT_S) == EXIT_RESTART
    finally:
        if not serving.done():
            shutdown.request("test over")
            await serving


async def test_a_sim_pin_saved_on_the_page_unlocks_the_line_without_a_restart(
    tmp_path: Path
) -> None:
    sim = create_simulator("generic", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    sim.lock_sim("4321")
    try:
        async with daemon_with_admin(_modem_box(tmp_path, sim.path)) as (daemon, session):
            supervisor = daemon.supervisor
            await eventually(lambda: "SIM PIN required" in supervisor.health()["gsm0"].detail,
                             WAIT_S)
            assert "gsm.modems[].pin (the [[gsm.modems]] named 'gsm0')" in (
                supervisor.health()["gsm0"].detail)
            web, calls = supervisor.named("web"), supervisor.named("calls")
            await post_form(session, "/admin/settings/modems/1/pin", {"pin": "4321"})
            await eventually(lambda: supervisor.health()["gsm0"].ok, WAIT_S)
            assert 'AT+CPIN="4321"' in sim.received
            assert supervisor.named("web") is web and supervisor.named("calls") is calls
    finally:
        await sim.stop()


async def test_mqtt_switched_on_on_the_page_publishes_without_a_restart(
    tmp_path: Path, mosquitto: Any
) -> None:
    from tests.peers.mqtt_probe import MqttProbe

    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    probe.subscribe("aspa/#")
    try:
        async with daemon_with_admin(make_box(tmp_path)) as (daemon, session):
            assert daemon.supervisor.named("mqtt") is None
            await post_form(session, "/admin/settings/mqtt", {
                "enabled": "1", "host": mosquitto.host, "port": str(mosquitto.port),
                "tls": "0"})
            await eventually(lambda: daemon.supervisor.health().get("mqtt") is not None
                             and daemon.supervisor.health()["mqtt"].ok, WAIT_S)
            message = await asyncio.to_thread(probe.next_message, WAIT_S)
            assert message.topic.startswith("aspa/aspa/")
    finally:
        probe.close()


async def test_an_agent_added_to_aspa_toml_joins_the_switchboard_on_the_next_save(
    tmp_path: Path
) -> None:
    box = make_box(tmp_path)
    async with daemon_with_admin(box) as (daemon, session):
        # the installer adds an agent to the file by hand, then saves something on the page
        append = '\n[[agents]]\nlogin = "olli"\nname = "Olli Agent"\nphone = "+358501000003"\n'
        box.config_path.write_text(box.config_path.read_text() + append)
        await post_form(session, "/admin/settings/holidays", {"holidays": "2026-12-24"})
        assert daemon.store is not None and daemon.switchboard is not None
        olli = await daemon.store.call(lambda: Agent.get(Agent.login == "olli").id)
        assert olli in daemon.switchboard.agents()  # routable now, no restart


def _voip_box(tmp_path: Path, sip_port: int) -> Box:
    from tests.peers.binaries import require
    from tests.voip.sip_peers import BARESIP, rtp_range

    rtp_min, rtp_max = rtp_range()
    return make_box(tmp_path, extra_toml=f"""
[voip]
enabled = true
listen_address = "127.0.0.1"
sip_port = {sip_port}
rtp_port_min = {rtp_min}
rtp_port_max = {rtp_max}
baresip = "{require(BARESIP)}"
""")


async def test_a_voip_account_saved_on_the_page_takes_calls_on_its_new_port_at_once(
    tmp_path: Path
) -> None:
    from appliance.spine.events import CallOffered
    from tests.voip.event_log import EventLog
    from tests.voip.sip_peers import LOOPBACK, Sipp, free_sip_port

    old_port = free_sip_port()
    box = _voip_box(tmp_path, old_port)
    async with daemon_with_admin(box) as (daemon, session):
        supervisor = daemon.supervisor
        voip, web, calls = (supervisor.named(n) for n in ("voip0", "web", "calls"))
        await eventually(lambda: supervisor.health()["voip0"].ok, WAIT_S)
        events = EventLog(daemon.bus)
        # a port that is no number: refused in the page's words, the file untouched
        before = box.config_path.read_bytes()
        refused = await session.post("/admin/settings/voip", data={
            "csrf_token": await settings_token(session), "sip_port": "viisi", "password": "Uusi-1"})
        assert refused.status == 400
        text = await refused.text()
        assert "Local SIP port: must be a whole number" in text and 'value="viisi"' in text
        assert box.config_path.read_bytes() == before
        assert supervisor.named("voip0") is voip
        # the admin moves the SIP port and gives the account a password on the page
        new_port = free_sip_port()
        location = await post_form(session, "/admin/settings/voip", {
            "sip_port": str(new_port), "password": "Uusi-Salasana-1", "transport": "udp"})
        assert daemon.config.voip.sip_port == new_port
        assert daemon.config.voip.password == "Uusi-Salasana-1"
        page = await (await session.get(location)).text()
        assert "Saved and in use now: no restart needed." in page
        assert "apply after a restart" not in page
        await eventually(lambda: supervisor.health()["voip0"].ok, WAIT_S)
        caller = await Sipp("caller_hangs_up.xml", tmp_path,
                            target=f"{LOOPBACK}:{new_port}").start()
        try:
            offered = await events.wait_for(CallOffered, timeout_s=WAIT_S)
            assert (offered.line, offered.number) == ("voip0", "+358401234567")
        finally:
            await caller.stop()
        # only the line restarted: the same adapter and line object, the exchange and page
        assert supervisor.named("voip0") is voip
        assert supervisor.named("web") is web and supervisor.named("calls") is calls


async def test_voip_switched_to_the_box_sound_still_asks_for_a_restart(tmp_path: Path) -> None:
    from tests.voip.sip_peers import free_sip_port

    box = _voip_box(tmp_path, free_sip_port())
    async with daemon_with_admin(box) as (daemon, session):
        box.config_path.write_text(box.config_path.read_text().replace(
            "[voip]\n", '[voip]\ncall_sound = "box"\n'))
        location = await post_form(session, "/admin/settings/holidays", {"holidays": "2026-12-24"})
        page = await (await session.get(location)).text()
        assert "These settings apply after a restart: voip" in page
        assert daemon.config.voip.call_sound == "box"


def _gpio_box(tmp_path: Path, button_pin: int) -> Box:
    return make_box(tmp_path, extra_toml=f"""
[[agents]]
login = "anna"
name = "Anna"
phone = "{ANNA}"

[gpio]
enabled = true
pin_factory = "mock"
bounce_ms = 0

[[gpio.desks]]
agent = "anna"
button_pin = {button_pin}
green_pin = 27
red_pin = 22
""")


async def test_a_desk_button_moved_to_another_pin_on_the_page_works_there_at_once(
    tmp_path: Path
) -> None:
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    from appliance.gpio.adapter import GpioAdapter

    factory = MockFactory()
    chosen, Device.pin_factory = Device.pin_factory, factory  # the box's pins: gpiozero's mocks
    try:
        box = _gpio_box(tmp_path, button_pin=17)
        async with daemon_with_admin(box) as (daemon, session):
            board = daemon.switchboard
            assert board is not None
            anna = board.agent_id("anna")
            assert anna is not None
            old = daemon.supervisor.named("gpio")
            assert isinstance(old, GpioAdapter) and old.desks
            # the fault LED's pin: refused, naming both, the file and the pins untouched
            before = box.config_path.read_bytes()
            refused = await session.post("/admin/settings/gpio-desks/1", data={
                "csrf_token": await settings_token(session), "button_pin": "16"})
            assert refused.status == 400
            assert "GPIO 16 is already used by gpio.fault_led_pin" in await refused.text()
            assert box.config_path.read_bytes() == before
            assert daemon.supervisor.named("gpio") is old
            location = await post_form(session, "/admin/settings/gpio-desks/1", {"button_pin": "5"})
            page = await (await session.get(location)).text()
            assert "Saved and in use now: no restart needed." in page
            new = daemon.supervisor.named("gpio")
            assert isinstance(new, GpioAdapter) and new is not old
            await eventually(lambda: daemon.supervisor.health()["gpio"].ok, WAIT_S)
            factory.pin(17).drive_low()  # the old pin is free and does nothing
            factory.pin(17).drive_high()
            factory.pin(5).drive_low()
            factory.pin(5).drive_high()
            await eventually(lambda: board.agent(anna).presence  # type: ignore[union-attr]
                             is Presence.AVAILABLE, WAIT_S)
            assert new.gestures == 1 and old.gestures == 0
            await eventually(lambda: bool(factory.pin(27).state), WAIT_S)  # green: available
    finally:
        Device.pin_factory = chosen
        factory.reset()
